// Whether the server's event loop is stuck, for GET /healthz. A request that
// is answered at all proves the loop turns now; what it cannot prove is that
// it is not spending most of its time blocked (a runaway loop over 80,000
// consumers, a synchronous read of a huge file). So a timer ticks every
// TICK_MS and notes how late it fires: a tick later than `stuckMs` means the
// loop was blocked that long, and the check fails until the loop keeps time
// again. A probe that fails several times in a row (Kubernetes' default is 3)
// then means a loop that keeps getting stuck, not one long pause.
import { Closable } from '../../lifecycle/Closable.ts';

const TICK_MS = 500;

export interface EventLoopHealth {
	healthy: boolean;
	/** How late the last tick fired: how long the loop was blocked before it. */
	lagMs: number;
	/** Why it is unhealthy; undefined when healthy. */
	reason: string | undefined;
}

export class EventLoopWatch extends Closable {
	readonly #stuckMs: number;
	readonly #timer: NodeJS.Timeout;
	#lastTick = performance.now();
	#lagMs = 0;

	constructor(stuckMs: number) {
		super();
		this.#stuckMs = stuckMs;
		// unref: a watch alone must not keep the process alive.
		this.#timer = setInterval(() => this.#tick(), TICK_MS).unref();
	}

	health(): EventLoopHealth {
		// A tick overdue counts too: the loop was blocked just before this
		// request, in the same turn, and the timer has not had its turn yet.
		const lagMs = Math.max(this.#lagMs, performance.now() - this.#lastTick - TICK_MS);
		if (lagMs <= this.#stuckMs) return { healthy: true, lagMs: Math.round(lagMs), reason: undefined };
		return {
			healthy: false,
			lagMs: Math.round(lagMs),
			reason: `the event loop was blocked for ${Math.round(lagMs)} ms (more than ${this.#stuckMs} ms)`,
		};
	}

	#tick(): void {
		const now = performance.now();
		this.#lagMs = Math.max(0, now - this.#lastTick - TICK_MS);
		this.#lastTick = now;
	}

	protected closing(): void {
		clearInterval(this.#timer);
	}
}
