// Runs the attempts to get back into the room after the connection was lost
// for a transient reason: one at a time, each after its backoff wait
// (backoff.ts), until one succeeds or the attempts run out. It knows nothing
// of WebSockets: an attempt is whatever the owner says it is, and it resolves
// true when the page is back in (or the attempt ended in a way that settles
// it), false when it should be tried again.
import { Closable } from '../../lifecycle/Closable.ts';
import { MAX_RECONNECT_ATTEMPTS, reconnectDelay } from './backoff.ts';

export interface ReconnectorHandlers {
	/** One attempt, 0-based; resolves true when done (back in, or settled otherwise), false to try again. */
	attempt(attempt: number): Promise<boolean>;
	/** About to wait `delayMs` before attempt `attempt`: what the banner says. */
	waiting(attempt: number, delayMs: number): void;
	/** Every attempt failed. */
	gaveUp(): void;
}

export interface ReconnectorOptions {
	maxAttempts?: number;
	random?: () => number;
	setTimer?: (run: () => void, ms: number) => unknown;
	clearTimer?: (timer: unknown) => void;
}

export class Reconnector extends Closable {
	readonly #handlers: ReconnectorHandlers;
	readonly #maxAttempts: number;
	readonly #random: () => number;
	readonly #setTimer: (run: () => void, ms: number) => unknown;
	readonly #clearTimer: (timer: unknown) => void;
	#attempt = 0;
	#timer: unknown;

	constructor(handlers: ReconnectorHandlers, options: ReconnectorOptions = {}) {
		super();
		this.#handlers = handlers;
		this.#maxAttempts = options.maxAttempts ?? MAX_RECONNECT_ATTEMPTS;
		this.#random = options.random ?? Math.random;
		this.#setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
		this.#clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
		this.#scheduleNext();
	}

	/** Attempts made so far (including the one running). */
	get attempts(): number {
		return this.#attempt;
	}

	#scheduleNext(): void {
		if (this.closed) return;
		if (this.#attempt >= this.#maxAttempts) {
			this.close();
			this.#handlers.gaveUp();
			return;
		}
		const attempt = this.#attempt;
		const delay = reconnectDelay(attempt, this.#random);
		this.#handlers.waiting(attempt, delay);
		this.#timer = this.#setTimer(() => void this.#run(attempt), delay);
	}

	async #run(attempt: number): Promise<void> {
		this.#timer = undefined;
		if (this.closed) return;
		this.#attempt = attempt + 1;
		let done = false;
		try {
			done = await this.#handlers.attempt(attempt);
		} catch {
			done = false;
		}
		if (done) this.close();
		else this.#scheduleNext();
	}

	protected override closing(): void {
		if (this.#timer !== undefined) this.#clearTimer(this.#timer);
		this.#timer = undefined;
	}
}
