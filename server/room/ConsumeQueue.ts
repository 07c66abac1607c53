// How a room's consume() calls reach the worker: a few at a time, a
// newcomer's own consumers before the fan-out of its producers to the others
// (the policy is Subscriptions'; this is its mechanism, tested on its own).
//
// Why: the worker's channel and Node's event loop are both FIFO. When peer 200
// joins a room, its two producers fan out to 199 peers (398 consume() calls)
// while it still waits for its own 398 consumers and for the answers to its
// connectWebRtcTransport/produce requests. Unlimited, those queued behind every
// fan-out consume() issued before them, and join time grew with the room
// (bench/HISTORY.md, Join). With a window, a newcomer's requests and consumers pass
// the fan-out of earlier joiners; the others see the newcomer a little later.
import PQueue from 'p-queue';

/** Who a consumer is for: a joining peer's own, or an existing peer's view of a new producer. */
export type ConsumePriority = 'joiner' | 'fanOut';

const PRIORITY: Record<ConsumePriority, number> = { joiner: 1, fanOut: 0 };

/**
 * consume() calls in flight per room. Measured with `npm run bench -- join`
 * (200 peers, 2 workers, bench/HISTORY.md): 4 cost 10-15% more server CPU; 64
 * was a little faster at 191-200 peers but brought back most of the wait at
 * 41-50 peers; 16 was the best at both sizes taken together.
 */
export const CONSUMES_IN_FLIGHT = 16;

export class ConsumeQueue {
	readonly #queue: PQueue;

	constructor(inFlight = CONSUMES_IN_FLIGHT) {
		this.#queue = new PQueue({ concurrency: inFlight });
	}

	/** Runs task once a slot is free; equal priorities run in the order they came. */
	run<T>(priority: ConsumePriority, task: () => Promise<T>): Promise<T> {
		return this.#queue.add(task, { priority: PRIORITY[priority] });
	}
}
