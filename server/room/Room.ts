// One conference room: its routers (one, or several on different workers for
// a big room; see RoomRouters), its peers (protoo) and broadcasters (REST),
// the bot, and the observers that drive `activeSpeaker`. The Room owns the
// routers; closing them (or a worker dying) closes every transport, producer
// and consumer in it.
//
// The Room decides who consumes what: on join, a peer gets consumers of every
// producer already there; a new producer gets a consumer on every joined peer,
// a newcomer's once the newcomer has its own (arrival.ts).
// Consumers are created paused and resumed only once the client accepted them.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { errors, version as mediasoupVersion, type types } from 'mediasoup';
import type { Logger } from 'pino';
import * as protoo from 'protoo-server';
import type { RecordedFile as WireRecordedFile } from '../../protocol/recording.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import { RoomRecorder } from '../recording/RoomRecorder.ts';
import { RequestError } from '../signaling/RequestError.ts';
import { arrival } from './arrival.ts';
import { Bot } from './Bot.ts';
import type { Broadcaster } from './Broadcaster.ts';
import { type ConsumePriority, ConsumeQueue } from './ConsumeQueue.ts';
import { parseBweTrace } from './mediaEvents.ts';
import type { Participant } from './Participant.ts';
import { Peer } from './Peer.ts';
import { forwardConsumerEvents, type PeerConsumer, type PeerConsumerAppData } from './PeerConsumer.ts';
import type { RoomRouter } from './RoomRouter.ts';
import { RoomRouters } from './RoomRouters.ts';
import {
	createPlainTransport,
	createWebRtcTransport,
	type PlainTransportRequest,
	type TransportAppData,
	type WebRtcTransportRequest,
} from './transports.ts';

export interface RoomEvents {
	close: [];
}

export class Room extends EventEmitter<RoomEvents> {
	readonly id: string;
	readonly routers: RoomRouters;
	readonly bot: Bot;
	readonly config: ResolvedConfig;
	readonly log: Logger;
	readonly peers = new Map<string, Peer>();
	readonly broadcasters = new Map<string, Broadcaster>();
	readonly #protooRoom = new protoo.Room();
	readonly recorder: RoomRecorder;
	readonly #audioLevelObserver: types.AudioLevelObserver;
	readonly #consumes = new ConsumeQueue();
	#closed = false;

	static async create(id: string, pool: WorkerPool, config: ResolvedConfig, log: Logger): Promise<Room> {
		const routers = await RoomRouters.create({ roomId: id, pool, config, log });
		const router = routers.home.router;
		try {
			const audioLevelObserver = await router.createAudioLevelObserver({
				maxEntries: 1,
				threshold: -80,
				interval: 800,
			});
			const activeSpeakerObserver = await router.createActiveSpeakerObserver();
			const bot = await Bot.create(router, log);
			return new Room({ id, routers, audioLevelObserver, activeSpeakerObserver, bot, config, log });
		} catch (error) {
			routers.close();
			throw error;
		}
	}

	private constructor(parts: {
		id: string;
		routers: RoomRouters;
		audioLevelObserver: types.AudioLevelObserver;
		activeSpeakerObserver: types.ActiveSpeakerObserver;
		bot: Bot;
		config: ResolvedConfig;
		log: Logger;
	}) {
		super();
		this.id = parts.id;
		this.routers = parts.routers;
		this.bot = parts.bot;
		this.config = parts.config;
		this.log = parts.log;
		this.#audioLevelObserver = parts.audioLevelObserver;
		this.recorder = new RoomRecorder(
			this.router,
			{ directory: path.join(parts.config.recording.directory, recordingFolderName(parts.id)), roomId: parts.id },
			this.log,
		);

		this.routers.adopt(this.bot.dataProducer, this.routers.home);
		// A worker of the room died or was closed: this room cannot go on; its
		// peers are disconnected and can rejoin (they get a room on live workers).
		this.routers.onWorkerClose = () => {
			this.log.warn({ roomId: this.id }, 'room: worker closed, closing room');
			this.close();
		};
		this.#watchSpeakers(parts.audioLevelObserver, parts.activeSpeakerObserver);
		this.log.info({ roomId: this.id, worker: this.workerIndex }, 'room created');
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** The room's first router: the bot, the speaker observers and the recorder are on it. */
	get router(): types.Router {
		return this.routers.home.router;
	}

	get workerIndex(): number {
		return this.routers.home.workerIndex;
	}

	/** Joined peers and broadcasters (broadcasters are members from creation). */
	members(except?: Participant): Participant[] {
		const joined: Participant[] = [...this.peers.values()].filter((peer) => peer.joined);
		return [...joined, ...this.broadcasters.values()].filter((member) => member !== except);
	}

	joinedPeers(except?: Participant): Peer[] {
		return [...this.peers.values()].filter((peer) => peer.joined && peer !== except);
	}

	// --- protoo peers --------------------------------------------------------

	/**
	 * Accepts a protoo connection. A second connection with a peerId already
	 * in the room replaces the first: the old one is closed.
	 */
	addPeer(peerId: string, transport: protoo.WebSocketTransport, consumerReplicas: number): Peer {
		const existing = this.peers.get(peerId);
		if (existing) {
			this.log.info({ roomId: this.id, peerId }, 'peer replaced by a new connection');
			existing.replaced = true;
			existing.close();
		}
		const peer = new Peer(this.#protooRoom.createPeer(peerId, transport), consumerReplicas);
		this.peers.set(peerId, peer);
		peer.protoo.on('close', () => this.#onPeerClose(peer));
		peer.notify('mediasoup-version', { version: mediasoupVersion });
		this.log.info({ roomId: this.id, peerId }, 'peer connected');
		return peer;
	}

	#onPeerClose(peer: Peer): void {
		if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
		// Also when replaced: the others drop the old tile; the new connection
		// announces itself with newPeer when it joins.
		if (peer.joined) {
			for (const other of this.joinedPeers(peer)) other.notify('peerClosed', { peerId: peer.id });
		}
		peer.closeTransports();
		this.routers.release(peer);
		this.log.info({ roomId: this.id, peerId: peer.id, replaced: peer.replaced }, 'peer left');
		// A replaced peer's successor is about to be added: the room stays.
		if (!peer.replaced) this.closeIfEmpty();
	}

	/**
	 * join: answer with the members already here, then give the new peer a
	 * consumer of every producer (and the chat and bot data producers), and
	 * tell everyone else about it.
	 */
	async join(
		peer: Peer,
		data: {
			displayName: string;
			device: Participant['device'];
			rtpCapabilities: types.RtpCapabilities | undefined;
			sctpCapabilities: Participant['sctpCapabilities'];
		},
	): Promise<{ peers: Participant['info'][] }> {
		if (peer.joined) throw new RequestError(403, 'peer already joined');
		if (data.rtpCapabilities) this.#checkRtpCapabilities(data.rtpCapabilities);
		peer.displayName = data.displayName;
		peer.device = data.device;
		peer.rtpCapabilities = data.rtpCapabilities;
		peer.sctpCapabilities = data.sctpCapabilities;
		const others = this.members(peer);
		peer.joined = true;
		this.log.info({ roomId: this.id, peerId: peer.id, displayName: peer.displayName }, 'peer joined');

		// The response goes out before the newConsumer requests (the client
		// must know the peers first), hence the deferred fan-out.
		peer.arrived = new Promise<void>((resolve) => {
			setImmediate(() => resolve(this.#fanOutToNewPeer(peer, others)));
		});
		return { peers: others.map((member) => member.info) };
	}

	/** Makes the newcomer's consumers; settles as arrival() says. */
	#fanOutToNewPeer(peer: Peer, others: Participant[]): Promise<void> {
		const own: Promise<void>[] = [];
		for (const other of others) {
			for (const producer of other.producers.values()) own.push(this.createConsumer(peer, other, producer, 'joiner'));
			for (const dataProducer of other.dataProducers.values()) {
				if (dataProducer.label === 'chat') void this.createDataConsumer(peer, other.id, dataProducer);
			}
		}
		void this.createDataConsumer(peer, null, this.bot.dataProducer);
		for (const other of this.joinedPeers(peer)) other.notify('newPeer', peer.info);
		return arrival(own);
	}

	changeDisplayName(peer: Participant, displayName: string): void {
		const oldDisplayName = peer.displayName;
		peer.displayName = displayName;
		for (const other of this.joinedPeers(peer)) {
			other.notify('peerDisplayNameChanged', { peerId: peer.id, displayName, oldDisplayName });
		}
	}

	// --- transports ----------------------------------------------------------

	async createWebRtcTransport(
		owner: Participant,
		request: WebRtcTransportRequest,
	): Promise<types.WebRtcTransport<TransportAppData>> {
		const place = await this.routers.placeOf(owner);
		const transport = await createWebRtcTransport(place.router, place.webRtcServer, this.config, owner.id, request);
		owner.addTransport(transport);
		if (owner instanceof Peer) this.#watchPeerTransport(owner, transport);
		return transport;
	}

	async createPlainTransport(
		owner: Participant,
		request: PlainTransportRequest,
	): Promise<types.PlainTransport<TransportAppData>> {
		const place = await this.routers.placeOf(owner);
		const transport = await createPlainTransport(place.router, this.config, owner.id, request);
		owner.addTransport(transport);
		return transport;
	}

	/**
	 * Makes a producer (or data producer) of the room consumable on a
	 * member's router: pipes it there if it lives on another one.
	 */
	async bringTo(member: Participant, kind: 'producer' | 'dataProducer', id: string): Promise<RoomRouter> {
		const place = await this.routers.placeOf(member);
		await this.routers.bring(kind, id, place);
		return place;
	}

	/** A failed transport means a dead peer: close it, the client may rejoin. */
	#watchPeerTransport(peer: Peer, transport: types.WebRtcTransport): void {
		const fail = (why: string) => {
			if (peer.closed) return;
			this.log.warn({ roomId: this.id, peerId: peer.id, transportId: transport.id, why }, 'transport failed');
			peer.close();
		};
		transport.on('icestatechange', (state) => {
			if (state === 'closed') fail('ICE closed');
		});
		transport.on('dtlsstatechange', (state) => {
			if (state === 'failed' || state === 'closed') fail(`DTLS ${state}`);
		});
		transport.on('sctpstatechange', (state) => {
			this.log.debug({ peerId: peer.id, transportId: transport.id, state }, 'SCTP state');
		});
		// Downlink bandwidth estimation for the client's stats.
		void transport.enableTraceEvent(['bwe']).catch(() => {});
		transport.on('trace', (trace) => {
			const bwe = parseBweTrace(trace);
			if (bwe) peer.notify('downlinkBwe', bwe);
		});
	}

	// --- media ---------------------------------------------------------------

	/** A new producer: every other member that can receive gets a consumer. */
	addProducer(owner: Participant, producer: types.Producer): void {
		owner.addProducer(producer);
		this.routers.adopt(producer, this.#placeOrHome(owner));
		if (owner instanceof Peer) {
			producer.on('score', (score) => owner.notify('producerScore', { producerId: producer.id, score }));
		}
		if (producer.kind === 'audio') {
			void this.#onHome('producer', producer.id)
				.then(() => this.#audioLevelObserver.addProducer({ producerId: producer.id }))
				.catch(() => {});
		}
		// Who is in the room now: a peer joining later gets the producer with
		// everything else there at its own join.
		const audience = this.joinedPeers(owner);
		const fanOut = (): void => {
			if (producer.closed) return;
			for (const peer of audience) void this.createConsumer(peer, owner, producer, 'fanOut');
		};
		if (owner instanceof Peer) void owner.arrived.then(fanOut);
		else fanOut();
		if (this.recorder.active) {
			void this.#onHome('producer', producer.id)
				.then(() => this.recorder.add(owner.id, producer))
				.catch(() => {});
		}
	}

	addDataProducer(owner: Participant, dataProducer: types.DataProducer): void {
		owner.addDataProducer(dataProducer);
		this.routers.adopt(dataProducer, this.#placeOrHome(owner));
		if (dataProducer.label === 'chat') {
			for (const peer of this.joinedPeers(owner)) void this.createDataConsumer(peer, owner.id, dataProducer);
		} else if (dataProducer.label === 'bot') {
			// The bot lives on the home router: a peer placed elsewhere is piped to it.
			void this.#onHome('dataProducer', dataProducer.id)
				.then(() => this.bot.listenTo(dataProducer.id, () => owner.displayName))
				.catch((error: unknown) => this.log.warn({ dataProducerId: dataProducer.id, error }, 'bot cannot listen'));
		}
	}

	/** A member's objects live where it was placed (it has a transport, so it was). */
	#placeOrHome(member: Participant): RoomRouter {
		return this.routers.placed(member) ?? this.routers.home;
	}

	#onHome(kind: 'producer' | 'dataProducer', id: string): Promise<void> {
		return this.routers.bring(kind, id, this.routers.home);
	}

	/**
	 * Creates `1 + consumerReplicas` consumers of a producer for a peer, paused,
	 * announces each with `newConsumer` and resumes it once accepted. A consumer
	 * the client refuses (or cannot be asked about) is closed: nothing leaks.
	 * The worker calls wait in the room's ConsumeQueue, a joiner's own first.
	 */
	async createConsumer(
		peer: Peer,
		owner: Participant,
		producer: types.Producer,
		priority: ConsumePriority,
	): Promise<void> {
		const transport = peer.consumingTransport();
		const origin = this.routers.originOf(producer.id);
		if (!peer.rtpCapabilities || !transport || !origin) return;
		try {
			await this.bringTo(peer, 'producer', producer.id);
		} catch (error) {
			this.log.warn({ peerId: peer.id, producerId: producer.id, error }, 'could not pipe producer to peer');
			return;
		}

		for (let replica = 0; replica <= peer.consumerReplicas; replica++) {
			let consumer: PeerConsumer | undefined;
			try {
				const rtpCapabilities = peer.rtpCapabilities;
				// By the time a slot is free the peer may have left or the producer closed.
				consumer = await this.#consumes.run(priority, async () =>
					transport.closed || producer.closed
						? undefined
						: transport.consume<PeerConsumerAppData>({
								producerId: producer.id,
								rtpCapabilities,
								enableRtx: true,
								paused: true,
								ignoreDtx: true,
								appData: { peer },
							}),
				);
			} catch (error) {
				// No router.canConsume() first: consume() checks the same, and each
				// check clones the peer's capabilities and the producer's parameters
				// (5% of the server's CPU in a 200-peer join, bench/RESULTS.md). In a
				// spread room the producer is then piped before this finds out; rare.
				if (error instanceof errors.UnsupportedError) {
					this.log.debug({ peerId: peer.id, producerId: producer.id }, 'peer cannot consume the codec');
				} else this.log.warn({ peerId: peer.id, producerId: producer.id, error }, 'consume failed');
				return;
			}
			if (!consumer) return;
			forwardConsumerEvents(consumer);
			try {
				await peer.request('newConsumer', {
					peerId: owner.id,
					producerId: producer.id,
					id: consumer.id,
					kind: consumer.kind,
					rtpParameters: consumer.rtpParameters,
					type: consumer.type,
					appData: producer.appData,
					producerPaused: consumer.producerPaused,
				});
				await consumer.resume();
				peer.notify('consumerScore', { consumerId: consumer.id, score: consumer.score });
			} catch (error) {
				this.log.warn({ peerId: peer.id, consumerId: consumer.id, error }, 'newConsumer not accepted');
				consumer.close();
			}
		}
	}

	/** ownerId null: the bot's data producer. */
	async createDataConsumer(peer: Peer, ownerId: string | null, dataProducer: types.DataProducer): Promise<void> {
		const transport = peer.consumingTransport();
		if (!peer.sctpCapabilities || !transport || transport.appData.sctp !== true) return;
		let dataConsumer: types.DataConsumer;
		try {
			await this.bringTo(peer, 'dataProducer', dataProducer.id);
			dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		} catch (error) {
			this.log.warn({ peerId: peer.id, dataProducerId: dataProducer.id, error }, 'consumeData failed');
			return;
		}
		peer.addDataConsumer(dataConsumer);
		dataConsumer.on('dataproducerclose', () => {
			dataConsumer.close();
			peer.notify('dataConsumerClosed', { dataConsumerId: dataConsumer.id });
		});
		try {
			await peer.request('newDataConsumer', {
				peerId: ownerId,
				dataProducerId: dataProducer.id,
				id: dataConsumer.id,
				sctpStreamParameters: dataConsumer.sctpStreamParameters ?? { streamId: 0 },
				label: dataConsumer.label,
				protocol: dataConsumer.protocol,
				appData: dataProducer.appData,
			});
		} catch (error) {
			this.log.warn({ peerId: peer.id, dataConsumerId: dataConsumer.id, error }, 'newDataConsumer not accepted');
			dataConsumer.close();
		}
	}

	// --- broadcasters --------------------------------------------------------

	addBroadcaster(broadcaster: Broadcaster): void {
		if (this.broadcasters.has(broadcaster.id) || this.peers.has(broadcaster.id)) {
			throw new RequestError(409, `a member with id "${broadcaster.id}" already exists`);
		}
		if (broadcaster.rtpCapabilities) this.#checkRtpCapabilities(broadcaster.rtpCapabilities);
		this.broadcasters.set(broadcaster.id, broadcaster);
		for (const peer of this.joinedPeers()) peer.notify('newPeer', broadcaster.info);
		this.log.info({ roomId: this.id, broadcasterId: broadcaster.id }, 'broadcaster joined');
	}

	broadcaster(id: string): Broadcaster {
		const broadcaster = this.broadcasters.get(id);
		if (!broadcaster) throw new RequestError(404, `broadcaster with id "${id}" not found`);
		return broadcaster;
	}

	removeBroadcaster(id: string): void {
		const broadcaster = this.broadcaster(id);
		this.broadcasters.delete(id);
		broadcaster.closeTransports();
		this.routers.release(broadcaster);
		for (const peer of this.joinedPeers()) peer.notify('peerClosed', { peerId: id });
		this.log.info({ roomId: this.id, broadcasterId: id }, 'broadcaster left');
		this.closeIfEmpty();
	}

	// --- recording (ours) -----------------------------------------------------

	/** Records every producer, present and future; every peer is told. */
	async startRecording(): Promise<{ startedAt: number }> {
		const producers = this.members().flatMap((member) =>
			[...member.producers.values()].map((producer) => ({ ownerId: member.id, producer })),
		);
		// The recorder consumes on the home router.
		await Promise.all(producers.map(({ producer }) => this.#onHome('producer', producer.id).catch(() => {})));
		const startedAt = await this.recorder.start(producers);
		for (const peer of this.joinedPeers()) peer.notify('recordingStarted', { startedAt });
		return { startedAt };
	}

	/** Finalises every file; every peer is told which files were written. */
	async stopRecording(): Promise<{ files: WireRecordedFile[] }> {
		const files = (await this.recorder.stop()).map((file) => ({
			name: path.basename(file.file),
			producerId: file.producerId,
			peerId: file.ownerId,
			kind: file.kind,
			bytes: file.bytes,
		}));
		for (const peer of this.joinedPeers()) peer.notify('recordingStopped', { files });
		return { files };
	}

	// --- lifecycle -----------------------------------------------------------

	#checkRtpCapabilities(rtpCapabilities: types.RtpCapabilities): void {
		if (!Array.isArray(rtpCapabilities.codecs) || rtpCapabilities.codecs.length === 0) {
			throw new RequestError(400, 'rtpCapabilities.codecs must list at least one codec');
		}
	}

	#watchSpeakers(audioLevel: types.AudioLevelObserver, activeSpeaker: types.ActiveSpeakerObserver): void {
		audioLevel.on('volumes', (volumes) => {
			const loudest = volumes[0];
			if (!loudest) return;
			const peerId = loudest.producer.appData.peerId;
			if (typeof peerId !== 'string') return;
			for (const peer of this.joinedPeers()) peer.notify('activeSpeaker', { peerId, volume: loudest.volume });
		});
		audioLevel.on('silence', () => {
			for (const peer of this.joinedPeers()) peer.notify('activeSpeaker', { peerId: null });
		});
		activeSpeaker.on('dominantspeaker', ({ producer }) => {
			this.log.debug({ roomId: this.id, peerId: producer.appData.peerId }, 'dominant speaker');
		});
	}

	/** A room closes when no peer and no broadcaster is left. */
	closeIfEmpty(): void {
		if (this.peers.size === 0 && this.broadcasters.size === 0) this.close();
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		// Finalise the files before the routers go: GStreamer ends its files cleanly on its own.
		if (this.recorder.active) void this.recorder.stop();
		this.#protooRoom.close();
		this.routers.close();
		this.log.info({ roomId: this.id }, 'room closed');
		this.emit('close');
	}
}

/**
 * A folder name for a room id that cannot escape the recordings folder
 * ("../x") or collide after sanitising: safe characters plus a short hash.
 */
export function recordingFolderName(roomId: string): string {
	const safe = roomId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
	const hash = createHash('sha256').update(roomId).digest('hex').slice(0, 8);
	return `${safe}-${hash}`;
}
