// A room's coordination held by this node: a lease in Redis with a fencing
// token, renewed every leaseMs / 3 while held.
//
// Why two nodes never both believe they own a room: this node counts its
// lease from the moment it *sent* the command that took or renewed it, on its
// own monotonic clock, minus a safety margin for the two clocks' rates; Redis
// counts the same lease from when it *ran* the command, which is later. So
// this node's belief (`valid`) ends before Redis lets the lease go, and only
// then can another node take it. A renewal that fails (Redis unreachable,
// partitioned, slow) does not extend the belief, and a renewal Redis refuses
// (the key holds another token) ends it at once. Either way 'lost' is
// emitted, once, and the ownership closes: the holder must stop acting as
// owner when `valid` turns false, and acquire again to come back, with a new,
// higher token.
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import { errorMessage } from '../errorMessage.ts';
import type { AcquireResult, RoomDirectory } from './RoomDirectory.ts';

export type RoomOwnershipEvents = { close: []; lost: [] };

/** The part of a lease this node does not count on: clock rate differences, with a floor for short leases. */
export function safetyMarginMs(leaseMs: number): number {
	return Math.max(50, Math.ceil(leaseMs * 0.02));
}

export class RoomOwnership extends Closable<RoomOwnershipEvents> {
	readonly roomId: string;
	readonly nodeId: string;
	readonly token: number;
	readonly #directory: RoomDirectory;
	readonly #log: Logger;
	/** performance.now() until which this node may act as owner. */
	#validUntil: number;
	#renewTimer: NodeJS.Timeout | undefined;
	#expiryTimer: NodeJS.Timeout | undefined;
	#lost = false;
	#released: Promise<void> = Promise.resolve();

	/** Takes the room's ownership if it is free; otherwise says who holds it. */
	static async acquire(
		directory: RoomDirectory,
		roomId: string,
		nodeId: string,
		log: Logger,
	): Promise<RoomOwnership | Extract<AcquireResult, { acquired: false }>> {
		const sentAt = performance.now();
		const result = await directory.tryAcquire(roomId, nodeId);
		if (!result.acquired) return result;
		return new RoomOwnership(directory, roomId, nodeId, result.token, sentAt, log);
	}

	private constructor(
		directory: RoomDirectory,
		roomId: string,
		nodeId: string,
		token: number,
		sentAt: number,
		log: Logger,
	) {
		super();
		this.#directory = directory;
		this.roomId = roomId;
		this.nodeId = nodeId;
		this.token = token;
		this.#log = log;
		this.#validUntil = sentAt + this.#believedLeaseMs;
		this.#armExpiry();
		this.#scheduleRenewal();
	}

	/** Whether this node may act as the room's owner now. */
	get valid(): boolean {
		return !this.closed && performance.now() < this.#validUntil;
	}

	/** Resolves once close() has given the lease back (or failed to: it then lapses). */
	whenReleased(): Promise<void> {
		return this.#released;
	}

	protected closing(): void {
		clearTimeout(this.#renewTimer);
		clearTimeout(this.#expiryTimer);
		if (this.#lost) return;
		this.#validUntil = 0;
		this.#released = this.#directory
			.releaseOwnership(this.roomId, this.nodeId, this.token)
			.then(() => {})
			.catch((error: unknown) => {
				this.#log.debug({ roomId: this.roomId, error: errorMessage(error) }, 'ownership not released: it lapses');
			});
	}

	get #believedLeaseMs(): number {
		const { leaseMs } = this.#directory;
		return leaseMs - safetyMarginMs(leaseMs);
	}

	#scheduleRenewal(): void {
		this.#renewTimer = setTimeout(() => void this.#renew(), Math.max(1, Math.floor(this.#directory.leaseMs / 3)));
	}

	async #renew(): Promise<void> {
		const sentAt = performance.now();
		let renewed: boolean;
		try {
			renewed = await this.#directory.renewOwnership(this.roomId, this.nodeId, this.token);
		} catch (error) {
			// Unreachable or slow: the belief runs out by itself if this goes on.
			if (!this.closed)
				this.#log.debug({ roomId: this.roomId, error: errorMessage(error) }, 'ownership renewal failed');
			if (!this.closed) this.#scheduleRenewal();
			return;
		}
		if (this.closed) return;
		if (!renewed) {
			this.#lose('refused');
			return;
		}
		// A renewal sent before the belief ran out extends it; one sent after cannot
		// resurrect it (the lease may have passed to another node meanwhile).
		if (sentAt < this.#validUntil) {
			this.#validUntil = sentAt + this.#believedLeaseMs;
			this.#armExpiry();
		}
		this.#scheduleRenewal();
	}

	#armExpiry(): void {
		clearTimeout(this.#expiryTimer);
		this.#expiryTimer = setTimeout(
			() => {
				if (!this.closed && performance.now() >= this.#validUntil) this.#lose('expired');
			},
			Math.max(0, this.#validUntil - performance.now()) + 1,
		);
	}

	#lose(why: 'refused' | 'expired'): void {
		if (this.#lost || this.closed) return;
		this.#lost = true;
		this.#validUntil = 0;
		this.#log.warn({ roomId: this.roomId, token: this.token, why }, 'room ownership lost');
		this.observer.emit('lost');
		this.close();
	}
}
