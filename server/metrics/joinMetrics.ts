// Joins, leaves and how long a join takes, from the rooms' events. Join
// latency is the bench's definition (bench/scenarios/join.ts), seen from the
// server: from the WebSocket connection being accepted until every consumer
// the newcomer was owed at its join (one per producer already in the room)
// was accepted by its client (or refused, or failed). A peer that waited in
// the lobby is left out: its wait was a moderator's, not the server's.
import { Counter, Histogram, type Registry } from 'prom-client';
import { Closable } from '../../lifecycle/Closable.ts';
import type { Peer } from '../room/Peer.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

/** The targets a join is measured against (bench/RESULTS.md): 50 ms at 50 peers, 200 ms at 200. */
export const JOIN_BUCKETS = [0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10];

export class JoinMetrics extends Closable {
	readonly #rooms: RoomRegistry;
	readonly #joins: Counter;
	readonly #leaves: Counter<'reason'>;
	readonly #latency: Histogram;
	readonly #onNewRoom = (room: Room) => this.#follow(room);

	constructor(registry: Registry, rooms: RoomRegistry) {
		super();
		const registers = [registry];
		this.#rooms = rooms;
		this.#joins = new Counter({ name: 'msconf_joins_total', help: 'Peers that joined a room', registers });
		this.#leaves = new Counter({
			name: 'msconf_leaves_total',
			help: 'Peers that left a room after joining, by why they closed (clientLeft: their client closed the connection)',
			labelNames: ['reason'],
			registers,
		});
		this.#latency = new Histogram({
			name: 'msconf_join_duration_seconds',
			help: 'Join latency: WebSocket accepted until every consumer owed at the join was accepted by the client (lobby waits left out)',
			buckets: JOIN_BUCKETS,
			registers,
		});
		for (const room of rooms.live) this.#follow(room);
		rooms.observer.on('newroom', this.#onNewRoom);
	}

	#follow(room: Room): void {
		room.observer.on('peerjoined', () => {
			if (!this.closed) this.#joins.inc();
		});
		room.observer.on('peerwelcomed', (peer: Peer) => {
			if (this.closed || room.lobby.waited(peer)) return;
			this.#latency.observe((performance.now() - peer.connectedAt) / 1000);
		});
		room.observer.on('peerleft', (peer: Peer) => {
			if (!this.closed) this.#leaves.inc({ reason: peer.closeReason ?? 'clientLeft' });
		});
	}

	protected closing(): void {
		this.#rooms.observer.off('newroom', this.#onNewRoom);
	}
}
