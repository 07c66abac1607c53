// One conference room: who is in it (peers over a PeerChannel, broadcasters
// over REST) and who watches them from outside (viewers: WHEP players),
// their transports, and the parts that do the rest: RoomRouters (the routers
// the room spans, one per worker for a big room), Subscriptions (who
// consumes what), Speakers, the Bot, the RoomRecorder and the live HLS stream
// (RoomHls). The Room owns them all, its members and viewers; closing it
// closes them, and closing the routers (or a worker dying) closes every
// transport, producer and consumer in it.
import { version as mediasoupVersion, type types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable, type CloseEvents } from '../../lifecycle/Closable.ts';
import type { Grants } from '../../protocol/access.ts';
import type {
	CloseReason,
	JoinResponse,
	RoomPeer,
	ServerNotificationData,
	ServerNotificationMethod,
	SessionResumed,
} from '../../protocol/signaling.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { createHttpError } from '../errors.ts';
import { RoomHls } from '../hls/RoomHls.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import { type RecordedRoom, RoomRecorder } from '../recording/RoomRecorder.ts';
import { Bot } from './Bot.ts';
import type { Broadcaster } from './Broadcaster.ts';
import { Lobby } from './Lobby.ts';
import { ModerationRecord } from './ModerationRecord.ts';
import type { MemberDescription, Participant } from './Participant.ts';
import { Peer } from './Peer.ts';
import type { PeerChannel } from './PeerChannel.ts';
import type { RoomRouter } from './RoomRouter.ts';
import { RoomRouters } from './RoomRouters.ts';
import { Speakers } from './Speakers.ts';
import { Subscriptions } from './Subscriptions.ts';
import {
	createPlainTransport,
	createWebRtcTransport,
	type PlainTransportRequest,
	type TransportAppData,
	type WebRtcTransportRequest,
	watchPeerTransport,
} from './transports.ts';
import type { Viewer } from './Viewer.ts';

/** What a room's observer emits besides `close`: how its peers come and go (the metrics count them). */
export type RoomEvents = CloseEvents & {
	/** A peer's join was answered: it is in the room. */
	peerjoined: [Peer];
	/** A peer that joined has every consumer it was owed at its join (each accepted, refused or failed). */
	peerwelcomed: [Peer];
	/** A peer that had joined closed; its closeReason says why (undefined: its client left). */
	peerleft: [Peer];
};

export class Room extends Closable<RoomEvents> {
	readonly id: string;
	readonly routers: RoomRouters;
	readonly bot: Bot;
	readonly config: ResolvedConfig;
	readonly log: Logger;
	readonly peers = new Map<string, Peer>();
	readonly broadcasters = new Map<string, Broadcaster>();
	/** Who watches a member from outside the room (Viewer.ts): not members, not announced. */
	readonly viewers = new Map<string, Viewer>();
	readonly recorder: RoomRecorder;
	/** The room's live HLS stream (off until POST /rooms/:roomId/hls). */
	readonly hls: RoomHls;
	/** The lock and who waits for a moderator (config.auth.lobby: rooms start locked). */
	readonly lobby: Lobby;
	/** Removed identities and changed grants, for the room's lifetime (server/room/Moderation.ts). */
	readonly moderation = new ModerationRecord();
	readonly #speakers: Speakers;
	readonly #subscriptions: Subscriptions;
	/** endRoom was asked: the room closes on the next turn and admits nobody meanwhile. */
	#ending = false;
	/** The server is draining (server/Drain.ts): the members here stay, nobody new comes in. */
	#draining = false;
	/** What its peers are told when it closes (closeFor); the operator's close otherwise. */
	#closeReason: CloseReason = 'roomClosed';

	static async create(id: string, pool: WorkerPool, config: ResolvedConfig, log: Logger): Promise<Room> {
		const routers = await RoomRouters.create({ roomId: id, pool, config, log });
		try {
			const router = routers.home.router;
			// The room does not exist yet: its speakers are told once it does.
			let room: Room | undefined;
			const speakers = await Speakers.create(router, {
				onActiveSpeaker: (speaker) => {
					if (!room) return;
					room.#tellJoined('activeSpeaker', speaker);
					if (speaker.peerId !== null) room.hls.speaker(speaker.peerId);
				},
				log: log.child({ roomId: id }),
			});
			const bot = await Bot.create(router, log);
			room = new Room({ id, routers, speakers, bot, config, log });
			return room;
		} catch (error) {
			routers.close();
			throw error;
		}
	}

	private constructor(parts: {
		id: string;
		routers: RoomRouters;
		speakers: Speakers;
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
		this.#speakers = parts.speakers;
		this.#subscriptions = new Subscriptions(this.routers, this.log);
		this.lobby = new Lobby(this.config.auth.lobby, () => this.joinedPeers().filter((peer) => peer.grants.roomAdmin));
		const media: RecordedRoom = {
			id: this.id,
			router: this.router,
			producers: () =>
				this.joinedMembers().flatMap((member) =>
					[...member.producers.values()].map((producer) => ({ ownerId: member.id, producer })),
				),
			toHome: (producerId) => this.routers.pipeTo(this.routers.home, 'producer', producerId),
			tellAll: (method, data) => this.#tellJoined(method, data),
		};
		this.recorder = new RoomRecorder(media, this.config.recording.directory, this.log);
		this.hls = new RoomHls(media, this.config.hls, this.log);
		this.routers.trackOrigin(this.bot.dataProducer, this.routers.home);
		// A worker of the room died or was closed: this room cannot go on; its
		// peers are disconnected and can rejoin (they get a room on live workers).
		// A worker closed without dying means the server is stopping: mediasoup
		// closes its workers on SIGTERM and SIGINT by itself, maybe before the
		// server's own handler closed the rooms.
		this.routers.observer.once('close', () => {
			if (this.closed) return;
			const reason = this.routers.workerDied ? 'workerDied' : 'shutdown';
			this.log.warn({ roomId: this.id, reason }, 'room: worker closed, closing room');
			this.closeFor(reason);
		});
		this.log.info({ roomId: this.id, worker: this.workerIndex }, 'room created');
	}

	/** The room's first router: the bot, the speaker observers and the recorder are on it. */
	get router(): types.Router {
		return this.routers.home.router;
	}

	get workerIndex(): number {
		return this.routers.home.workerIndex;
	}

	/** Joined peers and broadcasters (a broadcaster is a member from its creation). */
	joinedMembers(except?: Participant): Participant[] {
		return [...this.joinedPeers(except), ...this.broadcasters.values()].filter((member) => member !== except);
	}

	joinedPeers(except?: Participant): Peer[] {
		return [...this.peers.values()].filter((peer) => peer.joined && peer !== except);
	}

	#tellJoined<M extends ServerNotificationMethod>(
		method: M,
		data: ServerNotificationData<M>,
		except?: Participant,
	): void {
		for (const peer of this.joinedPeers(except)) peer.notify(method, data);
	}

	// --- members ---------------------------------------------------------------

	/**
	 * A new connection, a new session. A second connection with a peerId
	 * already in the room replaces the first: the old one is closed (a
	 * reconnecting peer is not replaced: see checkReplaceable).
	 */
	addPeer(peerId: string, channel: PeerChannel, access: { consumerReplicas: number; grants: Grants }): Peer {
		const existing = this.peers.get(peerId);
		if (existing) {
			this.log.info({ roomId: this.id, peerId }, 'peer replaced by a new connection');
			existing.replace();
		}
		const grants = this.moderation.grantsFor(peerId, access.grants);
		const peer = new Peer(peerId, channel, {
			consumerReplicas: access.consumerReplicas,
			grants,
			graceMs: this.config.reconnect.graceMs,
		});
		this.peers.set(peerId, peer);
		peer.observer.once('close', () => this.#peerClosed(peer));
		peer.session.on('reconnecting', () => this.#peerReconnecting(peer));
		peer.session.on('reconnected', () => this.#peerReconnected(peer));
		peer.notify('mediasoup-version', { version: mediasoupVersion });
		this.log.info({ roomId: this.id, peerId }, 'peer connected');
		return peer;
	}

	/**
	 * The room's checks of a connection of `peerId`, the WebSocket handshake's
	 * and GET /access's: throws its refusal. With a resume secret, answers the
	 * session it takes up; without, undefined (a new session).
	 */
	checkConnection(peerId: string, resume: string | undefined): Peer | undefined {
		this.checkAdmission(peerId);
		if (resume !== undefined) return this.resumable(peerId, resume);
		this.checkReplaceable(peerId);
		this.checkCapacity(peerId);
		return undefined;
	}

	/**
	 * A 403 when a connection without the resume secret would replace a
	 * reconnecting peer: only its own client may take its session up again
	 * (a new session of the same identity can join once the grace period ends).
	 */
	checkReplaceable(peerId: string): void {
		const peer = this.peers.get(peerId);
		if (peer?.reconnecting) {
			throw createHttpError(
				403,
				`peer "${peerId}" is reconnecting: only its session's resume secret takes it up; a new session can join when its grace period ends in ${peer.graceSecondsLeft} s`,
			);
		}
	}

	/**
	 * The session `secret` resumes: a joined peer of this id with that secret,
	 * reconnecting or still connected (its client may notice a dead connection
	 * before the server does). 410 when there is no such session (its grace
	 * period ended, it left, or the server restarted): the client joins again.
	 * 403 when the peer's session is another one (a newer session replaced the
	 * one the secret was for): it is not taken over.
	 */
	resumable(peerId: string, secret: string): Peer {
		const peer = this.peers.get(peerId);
		if (!peer?.joined) throw sessionExpired(this.id, peerId);
		if (!peer.holdsSecret(secret)) {
			throw createHttpError(
				403,
				`resume secret does not match the session of peer "${peerId}" (a newer session took its place): join again`,
			);
		}
		return peer;
	}

	/** The client of a peer is back on a new channel: it is told how things are now, the others that it is back. */
	resumePeer(peer: Peer, channel: PeerChannel): void {
		peer.resume(channel, this.#resumed(peer));
		this.log.info({ roomId: this.id, peerId: peer.id }, 'peer resumed its session');
	}

	/** What a resumed client reconciles its state with (protocol/session.ts). */
	#resumed(peer: Peer): SessionResumed {
		return {
			peers: this.#roomPeers(peer),
			grants: peer.grants,
			locked: this.lobby.locked,
			producers: [...peer.producers.values()].map(({ id, paused }) => ({ id, paused })),
			consumers: [...peer.consumers.values()].map(({ id, producerId, paused, producerPaused }) => ({
				id,
				producerId,
				paused,
				producerPaused,
			})),
			dataConsumers: [...peer.dataConsumers.values()].map(({ id, dataProducerId }) => ({ id, dataProducerId })),
			...(peer.grants.roomAdmin ? { lobby: this.lobby.waiting() } : {}),
		};
	}

	/** The others as a peer is told of them: hidden ones left out, reconnecting ones marked. */
	#roomPeers(peer: Peer): RoomPeer[] {
		return this.joinedMembers(peer)
			.filter((member) => !isHidden(member))
			.map((member) =>
				member instanceof Peer && member.reconnecting ? { ...member.info, reconnecting: true } : member.info,
			);
	}

	#peerReconnecting(peer: Peer): void {
		this.log.info(
			{ roomId: this.id, peerId: peer.id, graceMs: this.config.reconnect.graceMs },
			'peer connection lost: waiting for it to resume',
		);
		if (!peer.hidden) this.#tellJoined('peerReconnecting', { peerId: peer.id }, peer);
	}

	#peerReconnected(peer: Peer): void {
		if (!peer.hidden) this.#tellJoined('peerReconnected', { peerId: peer.id }, peer);
	}

	/** A 403 naming the limit when one more member (peer or broadcaster; not a replacing connection) would be too many. */
	checkCapacity(memberId: string): void {
		const { peersPerRoom } = this.config.limits;
		const members = this.peers.size + this.broadcasters.size;
		if (members >= peersPerRoom && !this.peers.has(memberId)) {
			throw createHttpError(403, `room "${this.id}" is full: limits.peersPerRoom is ${peersPerRoom}`);
		}
	}

	/**
	 * A 403 when the room is ending or a moderator removed this identity from
	 * it; a 503 when the server is draining and this is not a member already
	 * here (its new connection, or its resume, still comes in).
	 */
	checkAdmission(memberId: string): void {
		if (this.#ending) throw createHttpError(403, `room "${this.id}" was ended by a moderator`);
		if (this.#draining && !this.peers.has(memberId)) throw serverDraining('no new peers');
		this.moderation.checkNotRemoved(memberId);
	}

	/** The server drains: no new member from now on, and the room closes once empty (now, if it is). */
	drain(): void {
		this.#draining = true;
		this.closeIfEmpty();
	}

	#peerClosed(peer: Peer): void {
		if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
		this.lobby.left(peer);
		// Also when replaced: the others drop the old tile; the new connection
		// announces itself with newPeer when it joins.
		if (peer.joined && !peer.hidden) this.#tellJoined('peerClosed', { peerId: peer.id }, peer);
		this.routers.releaseMember(peer);
		this.log.info({ roomId: this.id, peerId: peer.id, reason: peer.closeReason ?? 'client closed' }, 'peer left');
		if (peer.joined) this.observer.emit('peerleft', peer);
		// A replaced peer's successor is about to be added: the room stays.
		if (!peer.replaced) this.closeIfEmpty();
	}

	/**
	 * join: answers with the members already here; then the new peer gets a
	 * consumer of every producer, and everyone else is told about it. In a
	 * locked room a peer that may not pass waits in the lobby instead (403).
	 * A moderator learns who waits after its join answer.
	 */
	join(peer: Peer, description: MemberDescription): JoinResponse {
		if (description.rtpCapabilities) checkRtpCapabilities(description.rtpCapabilities);
		if (!peer.joined && this.lobby.mustWait(peer)) this.lobby.enter(peer, description.displayName);
		const resumeSecret = peer.join(description);
		this.lobby.joined(peer);
		const others = this.joinedMembers(peer);
		this.log.info({ roomId: this.id, peerId: peer.id, displayName: peer.displayName }, 'peer joined');
		const welcomed = this.#subscriptions.welcome(peer, others, this.bot.dataProducer, () => {
			if (!peer.hidden) this.#tellJoined('newPeer', peer.info, peer);
			if (peer.grants.roomAdmin) this.lobby.tellWaiting(peer);
		});
		this.observer.emit('peerjoined', peer);
		void welcomed.then(() => {
			if (!peer.closed) this.observer.emit('peerwelcomed', peer);
		});
		return { peers: this.#roomPeers(peer), grants: peer.grants, locked: this.lobby.locked, resumeSecret };
	}

	/** A peer allowed to subscribe again gets a consumer of every producer of the others. */
	subscribeToAll(peer: Peer): void {
		this.#subscriptions.consumeAll(peer, this.joinedMembers(peer), 'joiner');
	}

	/** A peer allowed DataChannels again gets the others' chat and the bot. */
	subscribeToAllData(peer: Peer): void {
		this.#subscriptions.consumeAllData(peer, this.joinedMembers(peer), this.bot.dataProducer);
	}

	rename(member: Participant, displayName: string): void {
		const oldDisplayName = member.rename(displayName);
		if (isHidden(member)) return;
		this.#tellJoined('peerDisplayNameChanged', { peerId: member.id, displayName, oldDisplayName }, member);
	}

	addBroadcaster(broadcaster: Broadcaster): void {
		if (this.broadcasters.has(broadcaster.id) || this.peers.has(broadcaster.id)) {
			throw createHttpError(409, `a member with id "${broadcaster.id}" already exists`);
		}
		this.checkAdmission(broadcaster.id);
		this.checkCapacity(broadcaster.id);
		if (broadcaster.rtpCapabilities) checkRtpCapabilities(broadcaster.rtpCapabilities);
		this.broadcasters.set(broadcaster.id, broadcaster);
		broadcaster.observer.once('close', () => this.#broadcasterClosed(broadcaster));
		this.#tellJoined('newPeer', broadcaster.info);
		this.log.info({ roomId: this.id, broadcasterId: broadcaster.id }, 'broadcaster joined');
	}

	/**
	 * A member the others see, to watch from outside: a joined peer that is
	 * not hidden, or a broadcaster.
	 */
	visibleMember(id: string): Participant | undefined {
		const peer = this.peers.get(id);
		if (peer) return peer.joined && !peer.hidden ? peer : undefined;
		return this.broadcasters.get(id);
	}

	/**
	 * A viewer starts watching. Refused as a newcomer is (403 while the room
	 * ends or for an identity a moderator removed, 503 while the server
	 * drains): `identity` is the token's (undefined in open mode). It closes
	 * with the room.
	 */
	addViewer(viewer: Viewer, identity: string | undefined): void {
		this.checkAdmission(identity ?? viewer.id);
		this.viewers.set(viewer.id, viewer);
		viewer.observer.once('close', () => this.viewers.delete(viewer.id));
	}

	broadcaster(id: string): Broadcaster {
		const broadcaster = this.broadcasters.get(id);
		if (!broadcaster) throw createHttpError(404, `broadcaster with id "${id}" not found`);
		return broadcaster;
	}

	#broadcasterClosed(broadcaster: Broadcaster): void {
		this.broadcasters.delete(broadcaster.id);
		this.routers.releaseMember(broadcaster);
		this.#tellJoined('peerClosed', { peerId: broadcaster.id });
		this.log.info({ roomId: this.id, broadcasterId: broadcaster.id }, 'broadcaster left');
		this.closeIfEmpty();
	}

	// --- media -----------------------------------------------------------------

	async createWebRtcTransport(
		owner: Participant,
		request: WebRtcTransportRequest,
	): Promise<types.WebRtcTransport<TransportAppData>> {
		const place = await this.routers.placeMember(owner);
		const transport = await createWebRtcTransport(place.router, place.webRtcServer, this.config, owner.id, request);
		owner.addTransport(transport);
		if (owner instanceof Peer) watchPeerTransport(owner, transport, this.log.child({ roomId: this.id }));
		return transport;
	}

	async createPlainTransport(
		owner: Participant,
		request: PlainTransportRequest,
	): Promise<types.PlainTransport<TransportAppData>> {
		const place = await this.routers.placeMember(owner);
		const transport = await createPlainTransport(place.router, this.config, owner.id, request);
		owner.addTransport(transport);
		return transport;
	}

	/** A new producer: every other member that can receive gets a consumer. */
	addProducer(owner: Participant, producer: types.Producer): void {
		owner.addProducer(producer);
		this.routers.trackOrigin(producer, this.#placeOrHome(owner));
		if (owner instanceof Peer) {
			producer.on('score', (score) => owner.notify('producerScore', { producerId: producer.id, score }));
		}
		if (producer.kind === 'audio') {
			void this.routers
				.pipeTo(this.routers.home, 'producer', producer.id)
				.then(() => this.#speakers.add(producer.id))
				.catch(() => {});
		}
		// Who is in the room now: a peer joining later gets the producer with
		// everything else there at its own join.
		this.#subscriptions.fanOut(owner, producer, this.joinedPeers(owner));
		void this.recorder.add(owner.id, producer);
		this.hls.add(owner.id, producer);
	}

	addDataProducer(owner: Participant, dataProducer: types.DataProducer): void {
		owner.addDataProducer(dataProducer);
		this.routers.trackOrigin(dataProducer, this.#placeOrHome(owner));
		if (dataProducer.label === 'chat') {
			for (const peer of this.joinedPeers(owner)) void this.#subscriptions.consumeData(peer, owner.id, dataProducer);
		} else if (dataProducer.label === 'bot') {
			// The bot lives on the home router: a peer placed elsewhere is piped to it.
			void this.routers
				.pipeTo(this.routers.home, 'dataProducer', dataProducer.id)
				.then(() => this.bot.listenTo(dataProducer.id, () => owner.displayName))
				.catch((error: unknown) => this.log.warn({ dataProducerId: dataProducer.id, error }, 'bot cannot listen'));
		}
	}

	/** A member's objects live where it was placed (it has a transport, so it was). */
	#placeOrHome(member: Participant): RoomRouter {
		return this.routers.memberRouter(member) ?? this.routers.home;
	}

	// --- lifetime --------------------------------------------------------------

	/**
	 * endRoom: every peer is told, then the room closes with everyone in it.
	 * It closes on the next turn, so that the moderator's answer (sent when
	 * its request's handler resolves) goes out before its connection closes;
	 * meanwhile nobody is admitted.
	 */
	end(): void {
		if (this.#ending || this.closed) return;
		this.#ending = true;
		for (const peer of this.peers.values()) peer.notify('removedFromRoom', { reason: '', ended: true });
		this.log.info({ roomId: this.id }, 'room ended by a moderator');
		setImmediate(() => this.closeFor('roomEnded'));
	}

	/** A room closes when no peer and no broadcaster is left. */
	closeIfEmpty(): void {
		if (this.peers.size === 0 && this.broadcasters.size === 0) this.close();
	}

	/** Closes the room, telling its peers why (without a reason: the operator closed it). */
	closeFor(reason: CloseReason): void {
		if (this.closed) return;
		this.#closeReason = reason;
		this.close();
	}

	protected closing(): void {
		for (const peer of [...this.peers.values()]) peer.closeFor(this.#closeReason);
		for (const broadcaster of [...this.broadcasters.values()]) broadcaster.close();
		for (const viewer of [...this.viewers.values()]) viewer.close();
		// Finalise the files before the routers go: GStreamer ends its files cleanly on its own.
		this.recorder.close();
		this.hls.close();
		this.#speakers.close();
		this.bot.close();
		this.routers.close();
		this.log.info({ roomId: this.id }, 'room closed');
	}
}

/** The 503 of what a draining server no longer takes: `what` it refuses. */
export function serverDraining(what: string): Error {
	return createHttpError(
		503,
		`server is draining (shutting down): it takes ${what}; try again on another server or later`,
	);
}

/** The 410 of a resume that finds no session: the client joins again. */
export function sessionExpired(roomId: string, peerId: string): Error {
	return createHttpError(
		410,
		`session of peer "${peerId}" in room "${roomId}" expired (its grace period ended, or the server restarted): join again`,
	);
}

function isHidden(member: Participant): boolean {
	return member instanceof Peer && member.hidden;
}

function checkRtpCapabilities(rtpCapabilities: types.RtpCapabilities): void {
	if (!Array.isArray(rtpCapabilities.codecs) || rtpCapabilities.codecs.length === 0) {
		throw createHttpError(400, 'rtpCapabilities.codecs must list at least one codec');
	}
}
