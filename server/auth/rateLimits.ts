// Rates a client may not exceed: requests per peer (a token bucket, so a
// join's burst of a dozen requests passes while a flood does not) and new
// WebSocket connections per IP address (a one-minute fixed window).
import { createHttpError } from '../errors.ts';

/** Holds up to `burst` tokens, refilled at `perSecond`; each request takes one. */
export class TokenBucket {
	readonly #perSecond: number;
	readonly #burst: number;
	#tokens: number;
	#refilledAt: number;

	constructor(perSecond: number, burst: number, now = performance.now()) {
		this.#perSecond = perSecond;
		this.#burst = burst;
		this.#tokens = burst;
		this.#refilledAt = now;
	}

	/** Takes a token; false when none is left. */
	take(now = performance.now()): boolean {
		this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#perSecond);
		this.#refilledAt = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}

const WINDOW_MS = 60_000;

/** Counts new connections per address in the current minute. */
export class ConnectionRateLimit {
	readonly #perMinute: number;
	#windowStart = 0;
	#counts = new Map<string, number>();

	constructor(perMinute: number) {
		this.#perMinute = perMinute;
	}

	/** Counts a connection from `address`; a 429 naming the limit when it is one too many. */
	admit(address: string, now = Date.now()): void {
		if (now - this.#windowStart >= WINDOW_MS) {
			// A new window forgets every address: the map never outgrows one minute's clients.
			this.#windowStart = now;
			this.#counts = new Map();
		}
		const count = (this.#counts.get(address) ?? 0) + 1;
		this.#counts.set(address, count);
		if (count > this.#perMinute) {
			throw createHttpError(
				429,
				`too many connections from ${address}: limits.connectionsPerIpPerMinute is ${this.#perMinute}`,
			);
		}
	}
}
