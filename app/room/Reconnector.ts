// Runs the attempts to get back into the room after the connection was lost
// for a transient reason: one at a time, each after its backoff wait
// (backoff.ts), until one succeeds or the attempts run out. It knows nothing
// of WebSockets: an attempt is whatever the owner says it is, and it resolves
// true when the page is back in (or the attempt ended in a way that settles
// it), false when it should be tried again.
//
// The backoff is for a server that is down or overloaded; a page whose own
// network went away learns when it is back (NetworkWatch), and then must not
// sit out a wait of seconds, nor wait on an attempt that is stuck in the dead
// network (a request whose packets went nowhere is retried by the browser
// after 1, 3, 7 s): hurry() aborts the attempt stuck (its signal) and starts
// the schedule over, the first attempt at once. Over: a network that was
// just said to be back may not route yet (an interface comes up before its
// routes), and the attempt right after it then fails; the next one must
// follow in 300 ms, not after the 7 s the schedule had got to.
import { Closable } from '../../lifecycle/Closable.ts';
import { MAX_RECONNECT_ATTEMPTS, reconnectDelay } from './backoff.ts';

export interface ReconnectorHandlers {
	/**
	 * One attempt, 0-based; resolves true when done (back in, or settled
	 * otherwise), false to try again. `signal` aborts when hurry() gives up on
	 * it: what it still waits for on the network may stop (and the attempt
	 * resolve false).
	 */
	attempt(attempt: number, signal: AbortSignal): Promise<boolean>;
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
	/** Attempts made, and the place in the backoff schedule (hurry() starts it over). */
	#attempt = 0;
	#step = 0;
	#timer: unknown;
	/** The attempt running, if one is. */
	#running: AbortController | undefined;

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

	/**
	 * The network seems to be back: the backoff schedule starts over. The
	 * attempt waiting for its turn runs now; one running is aborted where it
	 * waits on the network, and the next one follows at once.
	 */
	hurry(): void {
		if (this.closed) return;
		this.#step = 0;
		if (this.#running) {
			this.#running.abort();
			return;
		}
		if (this.#timer === undefined) return;
		this.#clearTimer(this.#timer);
		this.#timer = undefined;
		this.#scheduleNext();
	}

	#scheduleNext(): void {
		if (this.closed) return;
		if (this.#attempt >= this.#maxAttempts) {
			this.close();
			this.#handlers.gaveUp();
			return;
		}
		const attempt = this.#attempt;
		const delay = reconnectDelay(this.#step, this.#random);
		this.#step += 1;
		this.#handlers.waiting(attempt, delay);
		this.#timer = this.#setTimer(() => void this.#run(attempt), delay);
	}

	async #run(attempt: number): Promise<void> {
		this.#timer = undefined;
		if (this.closed) return;
		this.#attempt = attempt + 1;
		const running = new AbortController();
		this.#running = running;
		let done = false;
		try {
			done = await this.#handlers.attempt(attempt, running.signal);
		} catch {
			done = false;
		} finally {
			this.#running = undefined;
		}
		if (done) this.close();
		else this.#scheduleNext();
	}

	protected override closing(): void {
		if (this.#timer !== undefined) this.#clearTimer(this.#timer);
		this.#timer = undefined;
		this.#running?.abort();
		this.#running = undefined;
	}
}
