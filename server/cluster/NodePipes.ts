// One producer of a room on this node (the origin) made available on a
// router of another node (the destination), over a pair of PipeTransports
// with SRTP and RTX, the way router.pipeToRouter() does it inside one
// process, with the signaling through NodeRequests:
//
//   destination: a PipeTransport on its router (pipe address, SRTP on)
//   destination -> origin  pipe.open {pipeId, roomId, producerId, its address, port, SRTP key}
//   origin: a PipeTransport on the producer's router, connected to that,
//           consuming the producer; answers its own address, port, SRTP key,
//           and the consumer's kind, RTP parameters and paused state
//   destination: connects to the origin, produces with the same producer id
//
// Afterwards the origin forwards its producer's pause and resume
// (pipe.pause), and either side closing its end (the producer closed, the
// pipe producer closed, a router or the node closed) closes the other end
// (pipe.close), so neither node keeps an orphaned transport. Key frame
// requests and RTCP go through the pipe by themselves.
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Closable } from '../../lifecycle/Closable.ts';
import { errorMessage } from '../errorMessage.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import type { NodeRequests } from './NodeRequests.ts';

export interface NodePipesOptions {
	nodeId: string;
	requests: NodeRequests;
	rooms: RoomRegistry;
	/** Where this node's pipe transports listen and what the others send to (cluster.pipe*). */
	listenIp: string;
	announcedAddress: string;
	portRange: { min: number; max: number };
	log: Logger;
}

const srtpParametersSchema = z.object({
	cryptoSuite: z.enum(['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']),
	keyBase64: z.string(),
});
const pipeEndSchema = z.object({ ip: z.string(), port: z.number().int(), srtpParameters: srtpParametersSchema });
type PipeEnd = z.infer<typeof pipeEndSchema>;

const openRequestSchema = z.object({
	pipeId: z.string(),
	roomId: z.string(),
	producerId: z.string(),
	end: pipeEndSchema,
});
const openAnswerSchema = z.object({
	end: pipeEndSchema,
	kind: z.enum(['audio', 'video']),
	// mediasoup checks RTP parameters itself when the destination produces with them.
	rtpParameters: z.custom<types.RtpParameters>((value) => typeof value === 'object' && value !== null),
	paused: z.boolean(),
});
const closeRequestSchema = z.object({ pipeId: z.string() });
const pauseRequestSchema = z.object({ pipeId: z.string(), paused: z.boolean() });

interface PipeRecord {
	/** The node at the other end. */
	peerNode: string;
	transport: types.PipeTransport;
	/** Set when the other node closed it: no need to tell it. */
	closedByPeer: boolean;
}

export class NodePipes extends Closable {
	readonly #options: NodePipesOptions;
	/** This node's ends, by pipe id: origins (consuming) and destinations (producing). */
	readonly #pipes = new Map<string, PipeRecord>();
	/** Destination pipe producers, by pipe id, for pipe.pause. */
	readonly #producers = new Map<string, types.Producer>();

	constructor(options: NodePipesOptions) {
		super();
		this.#options = options;
		const { requests } = options;
		requests.handle('pipe.open', (data, from) => this.#open(openRequestSchema.parse(data), from));
		requests.handle('pipe.close', (data) => this.#closedByPeer(closeRequestSchema.parse(data).pipeId));
		requests.handle('pipe.pause', (data) => this.#pause(pauseRequestSchema.parse(data)));
	}

	/** This node's ends of pipes (both directions), for listings and tests. */
	get size(): number {
		return this.#pipes.size;
	}

	/** This node's pipe transports, with the node at the other end. */
	get ends(): { peerNode: string; transport: types.PipeTransport }[] {
		return [...this.#pipes.values()].map(({ peerNode, transport }) => ({ peerNode, transport }));
	}

	/**
	 * Makes `producerId` of room `roomId` on node `fromNode` a producer of
	 * `router` here, with the same id; resolves with it. It closes when the
	 * origin's producer closes; closing it closes the pipe at both ends.
	 */
	async pipeFrom(fromNode: string, roomId: string, producerId: string, router: types.Router): Promise<types.Producer> {
		if (this.closed) throw new Error('node pipes are closed');
		const pipeId = randomUUID();
		const transport = await this.#createTransport(router, pipeId, fromNode);
		try {
			const answer = openAnswerSchema.parse(
				await this.#options.requests.request(fromNode, 'pipe.open', {
					pipeId,
					roomId,
					producerId,
					end: localEnd(transport),
				}),
			);
			await transport.connect(answer.end);
			const producer = await transport.produce({
				id: producerId,
				kind: answer.kind,
				rtpParameters: answer.rtpParameters,
				paused: answer.paused,
				appData: { pipedFrom: fromNode },
			});
			this.#producers.set(pipeId, producer);
			producer.observer.once('close', () => {
				this.#producers.delete(pipeId);
				transport.close();
			});
			this.#options.log.debug({ pipeId, producerId, fromNode }, 'producer piped from another node');
			return producer;
		} catch (error) {
			transport.close();
			throw error;
		}
	}

	/**
	 * Closes the ends of every pipe with `peerNode` (its lease lapsed: it is
	 * dead, or cut off from Redis). It is told anyway: if it still runs, it
	 * closes its ends too; if not, the notice times out.
	 */
	closeWith(peerNode: string): number {
		const ends = [...this.#pipes.values()].filter((record) => record.peerNode === peerNode);
		for (const { transport } of ends) transport.close();
		return ends.length;
	}

	/** Closes every pipe end of this node; the other nodes are told (best effort). */
	protected closing(): void {
		for (const { transport } of [...this.#pipes.values()]) transport.close();
	}

	/** Origin: a transport on the producer's router, connected to the destination, consuming the producer. */
	async #open(request: z.infer<typeof openRequestSchema>, from: string): Promise<z.infer<typeof openAnswerSchema>> {
		const { pipeId, roomId, producerId, end } = request;
		const { nodeId, rooms } = this.#options;
		const room = await rooms.find(roomId);
		const origin = room?.routers.originRouter(producerId);
		if (!room || !origin) throw new Error(`node ${nodeId} has no producer ${producerId} in room ${roomId}`);
		const transport = await this.#createTransport(origin.router, pipeId, from);
		try {
			await transport.connect(end);
			const consumer = await transport.consume({ producerId });
			consumer.on('producerpause', () => this.#tell(from, 'pipe.pause', { pipeId, paused: true }));
			consumer.on('producerresume', () => this.#tell(from, 'pipe.pause', { pipeId, paused: false }));
			// The producer closed: its consumer closes with it, and so does the pipe.
			consumer.observer.once('close', () => transport.close());
			return {
				end: localEnd(transport),
				kind: consumer.kind,
				rtpParameters: consumer.rtpParameters,
				paused: consumer.producerPaused,
			};
		} catch (error) {
			transport.close();
			throw error;
		}
	}

	async #createTransport(router: types.Router, pipeId: string, peerNode: string): Promise<types.PipeTransport> {
		const { listenIp, announcedAddress, portRange } = this.#options;
		const transport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: listenIp, announcedAddress, portRange },
			enableSrtp: true,
			enableRtx: true,
			appData: { pipeId, peerNode },
		});
		const record: PipeRecord = { peerNode, transport, closedByPeer: false };
		this.#pipes.set(pipeId, record);
		transport.observer.once('close', () => {
			this.#pipes.delete(pipeId);
			if (!record.closedByPeer) this.#tell(peerNode, 'pipe.close', { pipeId });
		});
		return transport;
	}

	#closedByPeer(pipeId: string): void {
		const record = this.#pipes.get(pipeId);
		if (!record) return;
		record.closedByPeer = true;
		record.transport.close();
	}

	#pause({ pipeId, paused }: z.infer<typeof pauseRequestSchema>): Promise<void> | undefined {
		const producer = this.#producers.get(pipeId);
		if (!producer || producer.closed) return undefined;
		return paused ? producer.pause() : producer.resume();
	}

	/** A notice to the node at the other end; if it is gone, its side closes with it anyway. */
	#tell(nodeId: string, method: string, data: unknown): void {
		this.#options.requests.request(nodeId, method, data).catch((error: unknown) => {
			this.#options.log.debug({ nodeId, method, error: errorMessage(error) }, 'pipe notice not delivered');
		});
	}
}

function localEnd(transport: types.PipeTransport): PipeEnd {
	const { srtpParameters } = transport;
	if (!srtpParameters) throw new Error('pipe transport without SRTP parameters (enableSrtp is on)');
	return { ip: transport.tuple.localAddress, port: transport.tuple.localPort, srtpParameters };
}
