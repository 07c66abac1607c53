// Whether this server should be sent new calls (GET /readyz, the msconf_ready
// gauge): the answer of a list of checks, each naming why it fails. The
// server starts with the check that every worker is up; others plug in with
// one line, `readiness.add(check)`: a drain adds notDraining(state), a
// cluster store a check that it is reachable. Reading it creates nothing.
import type { WorkerPool } from '../media/WorkerPool.ts';

/** One condition of readiness: a name, and why it fails now (undefined: it holds). */
export interface ReadinessCheck {
	readonly name: string;
	failure(): string | undefined;
}

export interface ReadinessFailure {
	check: string;
	reason: string;
}

export interface ReadinessState {
	ready: boolean;
	/** The checks that fail, in the order they were added; empty when ready. */
	failing: ReadinessFailure[];
}

export class Readiness {
	readonly #checks: ReadinessCheck[] = [];

	constructor(checks: readonly ReadinessCheck[] = []) {
		for (const check of checks) this.add(check);
	}

	add(check: ReadinessCheck): void {
		if (this.#checks.some((existing) => existing.name === check.name)) {
			throw new Error(`a readiness check named "${check.name}" is already there`);
		}
		this.#checks.push(check);
	}

	get checks(): readonly string[] {
		return this.#checks.map((check) => check.name);
	}

	state(): ReadinessState {
		const failing: ReadinessFailure[] = [];
		for (const check of this.#checks) {
			const reason = check.failure();
			if (reason !== undefined) failing.push({ check: check.name, reason });
		}
		return { ready: failing.length === 0, failing };
	}
}

/**
 * Every worker the server was started with is up: a dead one's rooms closed,
 * and until its replacement serves the slot again the server has less room
 * than it should (or none, with one worker).
 */
export function workersUp(pool: Pick<WorkerPool, 'workers' | 'closed'>, numWorkers: number): ReadinessCheck {
	return {
		name: 'workers',
		failure: () => {
			if (pool.closed) return 'the workers are closed (shutting down)';
			const up = pool.workers.length;
			if (up >= numWorkers) return undefined;
			const missing = Array.from({ length: numWorkers }, (_, index) => index).filter(
				(index) => !pool.workers.some((worker) => worker.index === index),
			);
			return `${up} of ${numWorkers} workers up (worker ${missing.join(', ')} died and is not replaced yet)`;
		},
	};
}

/** What a drain sets: true once the server takes no new calls. */
export interface DrainState {
	readonly draining: boolean;
}

/** Not draining: a server that is being emptied for a restart takes no new calls. */
export function notDraining(state: DrainState): ReadinessCheck {
	return { name: 'draining', failure: () => (state.draining ? 'draining: this server takes no new calls' : undefined) };
}
