// How long to wait before each attempt to get back into the room, LiveKit's
// schedule: the first try at once (most drops are a blip), then 300, 1200,
// 2700, 4800 ms, then every 7 s. Every wait after the first two gets up to
// a second of jitter, so that the pages of a room a server restart dropped do
// not all knock at the same instant.

/** The waits before attempts 0, 1, 2, ...; from the last one on it stays the same. */
export const RECONNECT_DELAYS_MS: readonly number[] = [0, 300, 1200, 2700, 4800, 7000];

/** The most jitter added to a wait, in ms. */
export const MAX_JITTER_MS = 1000;

/** Attempts before the page gives up and says so (about a minute and a half of trying). */
export const MAX_RECONNECT_ATTEMPTS = 16;

/**
 * The wait before attempt `attempt` (0-based), with jitter from `random`
 * (0 <= random() < 1). The first two attempts go without jitter: they are
 * the fast path of a single page that lost its network for a moment.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
	const last = RECONNECT_DELAYS_MS.length - 1;
	const base = RECONNECT_DELAYS_MS[Math.min(Math.max(attempt, 0), last)] ?? 0;
	if (attempt < 2) return base;
	return base + Math.floor(random() * MAX_JITTER_MS);
}
