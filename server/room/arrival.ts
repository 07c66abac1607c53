// When the others get a newcomer's producers: once the newcomer has its own
// consumers (each accepted, refused or failed), and at most ARRIVAL_WAIT_MS
// after its join whatever its client does.
//
// Why: a newcomer's own consumers and the fan-out of its producers to the
// others share Node's one thread, the workers and (in the bench) the clients'
// CPU. Made at the same time, the fan-out's round trips (consume, newConsumer
// to each of the others, their answers, resume) slowed the newcomer's: its
// `produce` answers and last consumers came late. Waiting about halved the
// join p95 for peers 41-50 of a 200-peer room; the others see the newcomer a
// join's time later (bench/RESULTS.md, Join, item 6).

/**
 * The longest the fan-out waits for a newcomer's own consumers. A client that
 * never answers its newConsumer requests would otherwise hide its media from
 * everyone until protoo's request timeout (30 s and more).
 */
export const ARRIVAL_WAIT_MS = 1000;

/** Settles when every one of ownConsumers has settled, or after waitMs. Never rejects. */
export function arrival(ownConsumers: readonly Promise<unknown>[], waitMs = ARRIVAL_WAIT_MS): Promise<void> {
	return new Promise<void>((resolve) => {
		const timer = setTimeout(resolve, waitMs);
		void Promise.allSettled(ownConsumers).then(() => {
			clearTimeout(timer);
			resolve();
		});
	});
}
