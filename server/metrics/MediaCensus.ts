// What the gauges show, counted from the live objects at the moment of a
// scrape rather than kept up to date by events: a count that is recomputed
// cannot drift. One walk over the rooms and over the workers' transports
// (MediaTracker) serves every gauge of one scrape (oncePerTurn.ts).
import type { types } from 'mediasoup';
import { transportConsumers } from '../media/transportConsumers.ts';
import { transportDataConsumers, transportDataProducers } from '../media/transportDataChannels.ts';
import type { Peer } from '../room/Peer.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import type { MediaTracker } from './MediaTracker.ts';
import type { TransportType } from './TrafficSampler.ts';

/** Where a peer is: connected but not joined, waiting in the lobby, in the room, or in the room with its connection lost. */
export const PEER_STATES = ['connecting', 'lobby', 'joined', 'reconnecting'] as const;
export type PeerState = (typeof PEER_STATES)[number];

export const MEDIA_KINDS = ['audio', 'video'] as const satisfies readonly types.MediaKind[];

type PerType = Record<TransportType, number>;
type PerKindAndType = Record<types.MediaKind, PerType>;

export interface MediaCensus {
	rooms: number;
	/** Rooms whose members are on more than one worker. */
	spreadRooms: number;
	/** Rooms being recorded. */
	recordings: number;
	broadcasters: number;
	peers: Record<PeerState, number>;
	transports: PerType;
	producers: PerKindAndType;
	consumers: PerKindAndType;
	dataProducers: PerType;
	dataConsumers: PerType;
}

export function takeCensus(rooms: RoomRegistry, tracker: MediaTracker): MediaCensus {
	const census: MediaCensus = {
		rooms: 0,
		spreadRooms: 0,
		recordings: 0,
		broadcasters: 0,
		peers: { connecting: 0, lobby: 0, joined: 0, reconnecting: 0 },
		transports: perType(),
		producers: { audio: perType(), video: perType() },
		consumers: { audio: perType(), video: perType() },
		dataProducers: perType(),
		dataConsumers: perType(),
	};
	for (const room of rooms.live) countRoom(census, room);
	for (const { transport, producers } of tracker.transports) {
		const { type } = transport;
		census.transports[type]++;
		for (const producer of producers) census.producers[producer.kind][type]++;
		// Counted in locals: a 200-peer room has 80,000 consumers, and a keyed
		// increment into the census objects per consumer made a scrape take
		// 30 ms where this takes a few (bench/RESULTS.md, Metrics).
		let audio = 0;
		let video = 0;
		for (const consumer of transportConsumers(transport).values()) {
			if (consumer.kind === 'audio') audio++;
			else video++;
		}
		census.consumers.audio[type] += audio;
		census.consumers.video[type] += video;
		census.dataProducers[type] += transportDataProducers(transport).size;
		census.dataConsumers[type] += transportDataConsumers(transport).size;
	}
	return census;
}

function countRoom(census: MediaCensus, room: Room): void {
	census.rooms++;
	if (room.routers.all.length > 1) census.spreadRooms++;
	if (room.recorder.active) census.recordings++;
	census.broadcasters += room.broadcasters.size;
	for (const peer of room.peers.values()) census.peers[peerState(room, peer)]++;
}

export function peerState(room: Room, peer: Peer): PeerState {
	if (peer.joined) return peer.reconnecting ? 'reconnecting' : 'joined';
	return room.lobby.isWaiting(peer) ? 'lobby' : 'connecting';
}

function perType(): PerType {
	return { webrtc: 0, plain: 0, pipe: 0, direct: 0 };
}
