// fanout: one sender into one room of the server through the REST
// broadcaster API (a plain transport with comedia, an opus and a VP8
// producer), and N receivers, each a broadcaster with one plain transport
// connected to the bench's sinks and one consumer per producer.
import type { types } from 'mediasoup';
import type { BroadcasterConsumeResponse, IdResponse, PlainTransportInfo } from '../../protocol/broadcasterApi.ts';
import { consumerSsrc, receiverConnectParameters, receiverRtpCapabilities, SENDER_PRODUCERS } from '../benchMedia.ts';
import type { FanoutOptions } from '../FanoutOptions.ts';
import type { Endpoint, FanoutRoom, ReceiverTarget } from '../FanoutRoom.ts';
import { runFanoutRamp } from '../fanoutRamp.ts';
import { describeReceivers, fanoutReport, variantTag } from '../fanoutReport.ts';
import { inPool } from '../inPool.ts';
import { RestClient } from '../RestClient.ts';
import type { ScenarioContext } from '../ScenarioContext.ts';
import type { ScenarioReport } from '../ScenarioReport.ts';
import type { ServerUnderTest } from '../ServerUnderTest.ts';
import { checkWorkerBinary } from '../workerBinary.ts';

export async function runFanout(options: FanoutOptions, context: ScenarioContext): Promise<ScenarioReport> {
	// A server the bench started: its workers must run the binary asked for.
	if (context.server.nodePid !== undefined) checkWorkerBinary(context.server.workerPids(), options.workerBin);
	const roomId = `bench-fanout-${Date.now().toString(36)}`;
	const room = await ServerFanoutRoom.create(context.server, roomId, options.srtp);
	const label = `fanout ${options.workers}w ${options.roomSpread}${variantTag(options)}${options.round === undefined ? '' : ` #${options.round}`}`;
	context.progress(`${label}: room ${roomId} on ${context.server.baseUrl}`);
	try {
		const result = await runFanoutRamp(room, options, context.progress, label);
		return fanoutReport('fanout', `Fanout through the server (${describe(options)})`, options, result);
	} finally {
		// A server we started is about to stop anyway: removing a thousand
		// broadcasters one by one would only add minutes to the run.
		if (context.server.nodePid === undefined) await room.removeAll();
		room.close();
	}
}

function describe(options: FanoutOptions): string {
	const workers = `${options.workers} worker${options.workers === 1 ? '' : 's'}`;
	const spread = options.workers > 1 ? `${workers}, room spread ${options.roomSpread}` : workers;
	const receivers = options.srtp === undefined ? '' : `, ${describeReceivers(options.srtp)} receivers`;
	const binary = options.workerBin === undefined ? '' : `, worker ${options.workerBin.label}`;
	return `${spread}${receivers}${binary}`;
}

class ServerFanoutRoom implements FanoutRoom {
	readonly ingest: Endpoint;
	readonly nodePid: number | undefined;
	readonly #server: ServerUnderTest;
	readonly #rest: RestClient;
	readonly #path: string;
	readonly #rtpCapabilities: types.RtpCapabilities;
	readonly #producerIds: string[];
	readonly #receivers = new Set<number>();
	readonly #srtp: types.SrtpCryptoSuite | undefined;

	static async create(
		server: ServerUnderTest,
		roomId: string,
		srtp: types.SrtpCryptoSuite | undefined,
	): Promise<ServerFanoutRoom> {
		const rest = new RestClient(server.baseUrl, server.ca);
		const path = `/rooms/${encodeURIComponent(roomId)}`;
		// From the router's capabilities: receivers can consume anything the room has.
		const rtpCapabilities = receiverRtpCapabilities(await rest.get<types.RtpCapabilities>(path));
		await rest.post(`${path}/broadcasters`, {
			id: 'bench-sender',
			displayName: 'bench sender',
			device: { name: 'bench' },
		});
		const transport = await rest.post<PlainTransportInfo>(`${path}/broadcasters/bench-sender/transports`, {
			type: 'plain',
			comedia: true,
			rtcpMux: true,
		});
		const producers = `${path}/broadcasters/bench-sender/transports/${transport.id}/producers`;
		const producerIds: string[] = [];
		for (const producer of SENDER_PRODUCERS) producerIds.push((await rest.post<IdResponse>(producers, producer)).id);
		const ingest = { ip: transport.ip, port: transport.port };
		return new ServerFanoutRoom(server, rest, path, rtpCapabilities, ingest, producerIds, srtp);
	}

	private constructor(
		server: ServerUnderTest,
		rest: RestClient,
		path: string,
		rtpCapabilities: types.RtpCapabilities,
		ingest: Endpoint,
		producerIds: string[],
		srtp: types.SrtpCryptoSuite | undefined,
	) {
		this.#server = server;
		this.#rest = rest;
		this.#path = path;
		this.#rtpCapabilities = rtpCapabilities;
		this.ingest = ingest;
		this.#producerIds = producerIds;
		this.#srtp = srtp;
		this.nodePid = server.nodePid;
	}

	async addReceiver(index: number, target: ReceiverTarget): Promise<number[]> {
		const id = receiverId(index);
		await this.#rest.post(`${this.#path}/broadcasters`, {
			id,
			displayName: `bench receiver ${index}`,
			device: { name: 'bench' },
			rtpCapabilities: this.#rtpCapabilities,
		});
		this.#receivers.add(index);
		const transport = await this.#rest.post<PlainTransportInfo>(`${this.#path}/broadcasters/${id}/transports`, {
			type: 'plain',
			comedia: false,
			rtcpMux: false,
			...(this.#srtp === undefined ? {} : { srtp: true, srtpCryptoSuite: this.#srtp }),
		});
		// A server that does not know srtpCryptoSuite would quietly use its default suite.
		if (transport.srtpParameters?.cryptoSuite !== this.#srtp) {
			throw new Error(
				`receiver ${index}: asked for ${describeReceivers(this.#srtp)}, the server made ${describeReceivers(transport.srtpParameters?.cryptoSuite)}`,
			);
		}
		const transportPath = `${this.#path}/broadcasters/${id}/transports/${transport.id}`;
		await this.#rest.post(`${transportPath}/connect`, receiverConnectParameters(target, this.#srtp));
		const ssrcs: number[] = [];
		for (const producerId of this.#producerIds) {
			const consumer = await this.#rest.post<BroadcasterConsumeResponse>(
				`${transportPath}/consume?producerId=${encodeURIComponent(producerId)}`,
			);
			ssrcs.push(consumerSsrc(consumer.rtpParameters));
		}
		return ssrcs;
	}

	async removeReceiver(index: number): Promise<void> {
		this.#receivers.delete(index);
		await this.#rest.delete(`${this.#path}/broadcasters/${receiverId(index)}`);
	}

	/** Leaves the room as found: receivers first, so the sender's producers close last. */
	async removeAll(): Promise<void> {
		await inPool([...this.#receivers].reverse(), 8, (index) => this.removeReceiver(index));
		await this.#rest.delete(`${this.#path}/broadcasters/bench-sender`);
	}

	workerPids(): number[] {
		return this.#server.workerPids();
	}

	close(): void {
		this.#rest.close();
	}
}

function receiverId(index: number): string {
	return `bench-receiver-${index}`;
}
