// Which nodes host members of which rooms, and who coordinates each room.
//
// Membership: a node that hosts members of a room renews a lease on
// (room, node) at each heartbeat; the lease lapses within leaseMs of the
// node's death, and the room disappears from the directory with its last
// lease. Ownership: one node at a time holds a room's coordination, as a
// lease with a fencing token (RoomOwnership.ts); the tokens only grow, so
// whatever acts for the owner can refuse a deposed owner's stale token.
//
// The methods here are single Redis round trips without state; RoomOwnership
// and ClusterNode keep leases running.
import type { ClusterStore } from './ClusterStore.ts';
import { keys } from './keys.ts';
import { pairs } from './records.ts';

export interface RoomOwner {
	nodeId: string;
	token: number;
	leaseMsLeft: number;
}

export interface RoomEntry {
	roomId: string;
	/** The nodes hosting members, with the ms left on each membership. */
	nodes: { nodeId: string; leaseMsLeft: number }[];
	owner: RoomOwner | undefined;
}

/** An ownership as Redis holds it: "token nodeId". */
export function ownerValue(token: number, nodeId: string): string {
	return `${token} ${nodeId}`;
}

function parseOwner(value: string, leaseMsLeft: number): RoomOwner | undefined {
	const match = /^(\d+) (\S+)$/.exec(value);
	if (!match?.[1] || !match[2]) return undefined;
	return { token: Number(match[1]), nodeId: match[2], leaseMsLeft };
}

export type AcquireResult = { acquired: true; token: number } | { acquired: false; owner: RoomOwner | undefined };

export class RoomDirectory {
	readonly #store: ClusterStore;
	readonly #leaseMs: number;

	constructor(store: ClusterStore, leaseMs: number) {
		this.#store = store;
		this.#leaseMs = leaseMs;
	}

	get leaseMs(): number {
		return this.#leaseMs;
	}

	/** This node hosts members of the room for another lease. */
	async renewMembership(roomId: string, nodeId: string): Promise<void> {
		await this.#store.run('renewMembership', membershipKeys(roomId, nodeId), [nodeId, roomId, this.#leaseMs]);
	}

	/** This node hosts no member of the room any more; resolves true when it was the last node (the room is gone). */
	async releaseMembership(roomId: string, nodeId: string): Promise<boolean> {
		return (await this.#store.run('releaseMembership', membershipKeys(roomId, nodeId), [nodeId, roomId])) === 1;
	}

	/** The nodes hosting members of the room, with the ms left on each lease. */
	async members(roomId: string): Promise<{ nodeId: string; leaseMsLeft: number }[]> {
		const reply = await this.#store.run('roomMembers', [keys.roomNodes(roomId)]);
		return pairs(reply).map(([nodeId, leaseMsLeft]) => ({ nodeId, leaseMsLeft }));
	}

	/** The rooms a node hosts members of (its memberships that have not lapsed). */
	async roomsOf(nodeId: string): Promise<string[]> {
		const reply = await this.#store.redis.zrangebyscore(keys.nodeRooms(nodeId), `(${await this.#redisNow()}`, '+inf');
		return reply.sort();
	}

	/** Every room hosted anywhere, with its nodes and owner. */
	async rooms(): Promise<RoomEntry[]> {
		const now = await this.#redisNow();
		const roomIds = (await this.#store.redis.zrangebyscore(keys.rooms, `(${now}`, '+inf')).sort();
		return Promise.all(
			roomIds.map(async (roomId) => ({
				roomId,
				nodes: await this.members(roomId),
				owner: await this.owner(roomId),
			})),
		);
	}

	/** Takes the room's ownership if nobody holds it. */
	async tryAcquire(roomId: string, nodeId: string): Promise<AcquireResult> {
		const reply = await this.#store.run(
			'acquireOwnership',
			[keys.roomOwner(roomId), keys.fence],
			[nodeId, this.#leaseMs],
		);
		if (!Array.isArray(reply)) throw new Error(`unexpected reply to acquireOwnership: ${String(reply)}`);
		const [won, value] = reply as [unknown, unknown];
		if (won === 1) return { acquired: true, token: Number(value) };
		return { acquired: false, owner: parseOwner(String(value), this.#leaseMs) };
	}

	/** Renews the lease only if this node still holds it with this token: false means it was lost. */
	async renewOwnership(roomId: string, nodeId: string, token: number): Promise<boolean> {
		const reply = await this.#store.run(
			'renewOwnership',
			[keys.roomOwner(roomId)],
			[ownerValue(token, nodeId), this.#leaseMs],
		);
		return reply === 1;
	}

	/** Gives the ownership up, only if still held with this token. */
	async releaseOwnership(roomId: string, nodeId: string, token: number): Promise<boolean> {
		return (await this.#store.run('releaseOwnership', [keys.roomOwner(roomId)], [ownerValue(token, nodeId)])) === 1;
	}

	async owner(roomId: string): Promise<RoomOwner | undefined> {
		const reply = await this.#store.run('ownerOf', [keys.roomOwner(roomId)]);
		if (!Array.isArray(reply)) return undefined;
		const [value, leaseMsLeft] = reply as [unknown, unknown];
		return parseOwner(String(value), Number(leaseMsLeft));
	}

	/** Redis's clock in ms: lease expiries are in it. */
	async #redisNow(): Promise<number> {
		const [seconds, micros] = await this.#store.redis.time();
		return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
	}
}

function membershipKeys(roomId: string, nodeId: string): string[] {
	return [
		keys.roomNodes(roomId),
		keys.nodeRooms(nodeId),
		keys.rooms,
		keys.roomProducers(roomId),
		keys.roomProducerSet(roomId),
	];
}
