// The mediasoup Workers of this server: one per CPU core, each with a
// WebRtcServer on its own port (base + index), so every WebRtcTransport of a
// Worker shares one UDP and one TCP port. The pool owns the Workers: it starts
// them, replaces one that dies (same index, same ports) and closes them all
// on close(). It does not know about rooms: a room closes itself through its
// Router's 'workerclose' when its Worker dies.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import type { CloseEvents } from '../../lifecycle/Closable.ts';
import { closeWorker } from './closeWorker.ts';
import type { PooledWorker } from './PooledWorker.ts';
import { startPooledWorker } from './startPooledWorker.ts';

// Callers place Routers on what pick() returns; one import for both.
export type { PooledWorker } from './PooledWorker.ts';

/** The subset of pino the pool uses, so any pino logger (or a test double) fits. */
export interface WorkerPoolLogger {
	info(obj: object, msg?: string): void;
	warn(obj: object, msg?: string): void;
	error(obj: object, msg?: string): void;
}

export interface WorkerPoolOptions {
	numWorkers: number;
	/** logLevel, logTags, dtls files... appData is the pool's own (the worker index). */
	workerSettings: types.WorkerSettings;
	/** DTLS-SRTP crypto suites of the workers, most preferred first; undefined: mediasoup's own list. */
	dtlsSrtpCryptoSuites?: readonly types.SrtpCryptoSuite[] | undefined;
	/** The WebRtcServer's listen infos of worker `workerIndex`: udp + tcp on base port + index. */
	webRtcServerListenInfos: (workerIndex: number) => types.WebRtcServerListenInfo[];
	logger: WorkerPoolLogger;
	/** Attempts to replace a dead worker before giving up on its slot. Default 10. */
	replaceAttempts?: number;
	/** Wait after the first failed replacement attempt; doubles each time, up to 5 s. Default 250 ms. */
	replaceRetryDelayMs?: number;
}

export interface WorkerDiedEvent {
	index: number;
	pid: number;
	error: Error;
}

export interface WorkerReplacedEvent {
	index: number;
	pid: number;
}

export interface WorkerLostEvent {
	index: number;
	error: Error;
}

export type WorkerPoolEvents = {
	/** A worker died; its Routers already emitted 'workerclose'. A replacement is being started. */
	workerdied: [WorkerDiedEvent];
	/** A new worker (and WebRtcServer) serves the index again. */
	workerreplaced: [WorkerReplacedEvent];
	/** Replacing the worker failed `replaceAttempts` times: the slot stays empty. */
	workerlost: [WorkerLostEvent];
};

export interface WorkerUsage {
	index: number;
	pid: number;
	routers: number;
	resourceUsage: types.WorkerResourceUsage;
}

const DEFAULT_REPLACE_ATTEMPTS = 10;
const DEFAULT_REPLACE_RETRY_DELAY_MS = 250;
const MAX_REPLACE_RETRY_DELAY_MS = 5000;

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
	/**
	 * Emits `close` once every worker process has exited, like every owning
	 * class (lifecycle/Closable.ts); closing is asynchronous here because
	 * the processes take a moment to exit. Worker events are on the pool itself,
	 * as a mediasoup Worker emits 'died' on itself.
	 */
	readonly observer = new EventEmitter<CloseEvents>();
	readonly #options: WorkerPoolOptions;
	readonly #logger: WorkerPoolLogger;
	/** By index; undefined while a dead worker's replacement is starting (or was given up). */
	readonly #slots: (PooledWorker | undefined)[];
	/** Replacements in flight, so close() can wait for them and close what they started. */
	readonly #replacements = new Set<Promise<void>>();
	/** Cuts replacement backoff sleeps short on close(). */
	readonly #stopReplacing = new AbortController();
	/** Set by the first close(); later calls return it. */
	#closePromise: Promise<void> | undefined;

	/** Starts `numWorkers` workers with their WebRtcServers; if one fails, closes the others and rejects. */
	static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
		const { numWorkers } = options;
		if (!Number.isInteger(numWorkers) || numWorkers < 1) {
			throw new RangeError(`WorkerPool needs at least one worker, got numWorkers=${numWorkers}`);
		}
		// In parallel: a worker takes a few tens of ms to spawn, times the cores.
		const results = await Promise.allSettled(
			Array.from({ length: numWorkers }, (_, index) => startWorker(options, index)),
		);
		const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
		const failures: unknown[] = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
		if (failures.length > 0) {
			await Promise.all(started.map((pooled) => closeWorker(pooled.worker)));
			for (const failure of failures) options.logger.error({ err: failure }, 'mediasoup worker failed to start');
			throw failures[0];
		}
		return new WorkerPool(options, started);
	}

	private constructor(options: WorkerPoolOptions, started: PooledWorker[]) {
		super();
		this.#options = options;
		this.#logger = options.logger;
		this.#slots = [];
		for (const pooled of started) this.#adopt(pooled);
		this.#logger.info(
			{ workers: started.map((pooled) => ({ index: pooled.index, pid: pooled.pid })) },
			'mediasoup workers started',
		);
	}

	/** The live workers, by index (a slot whose replacement is starting is missing). */
	get workers(): readonly PooledWorker[] {
		return this.#slots.filter((pooled): pooled is PooledWorker => pooled?.alive === true);
	}

	get closed(): boolean {
		return this.#closePromise !== undefined;
	}

	/** The live worker with the fewest Routers; ties go to the lowest index. */
	pick(): PooledWorker {
		let best: PooledWorker | undefined;
		for (const pooled of this.workers) {
			if (best === undefined || pooled.routers < best.routers) best = pooled;
		}
		if (best === undefined) {
			throw new Error(this.closed ? 'WorkerPool is closed' : 'no live mediasoup worker (all are being replaced)');
		}
		return best;
	}

	/**
	 * For spreading one room over several cores: the least loaded live worker
	 * whose index is not in `taken` (the workers the room already uses), or
	 * undefined when the room is on every live worker.
	 */
	pickOther(taken: ReadonlySet<number>): PooledWorker | undefined {
		let best: PooledWorker | undefined;
		for (const pooled of this.workers) {
			if (taken.has(pooled.index)) continue;
			if (best === undefined || pooled.routers < best.routers) best = pooled;
		}
		return best;
	}

	/** Per live worker: Routers and the subprocess's rusage. A worker that dies meanwhile is left out. */
	async usage(): Promise<WorkerUsage[]> {
		const results = await Promise.allSettled(
			this.workers.map(async (pooled) => ({
				index: pooled.index,
				pid: pooled.pid,
				routers: pooled.routers,
				resourceUsage: await pooled.worker.getResourceUsage(),
			})),
		);
		return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
	}

	/** Stops replacing, closes every worker and waits for their processes to exit. Idempotent. */
	close(): Promise<void> {
		this.#closePromise ??= this.#close();
		return this.#closePromise;
	}

	async #close(): Promise<void> {
		this.#stopReplacing.abort();
		const live = this.#slots.filter((pooled) => pooled !== undefined);
		this.#slots.length = 0;
		// A replacement in flight sees the pool closed and closes what it started.
		await Promise.all([...live.map((pooled) => closeWorker(pooled.worker)), ...this.#replacements]);
		this.#logger.info({}, 'mediasoup workers closed');
		this.observer.emit('close');
	}

	#adopt(pooled: PooledWorker): void {
		this.#slots[pooled.index] = pooled;
		pooled.worker.once('died', (error) => this.#onWorkerDied(pooled, error));
		// It may have died before the listener was there ('died' is not replayed).
		if (pooled.worker.died) this.#onWorkerDied(pooled, new Error(`worker ${pooled.pid} died while starting`));
	}

	/** Runs inside mediasoup's 'died' emit: must not throw, and leaves the slow part to #replace(). */
	#onWorkerDied(pooled: PooledWorker, error: Error): void {
		if (this.closed || this.#slots[pooled.index] !== pooled) return;
		const { index, pid } = pooled;
		this.#slots[index] = undefined;
		this.#logger.error({ err: error, index, pid }, 'mediasoup worker died, replacing it');
		this.#emitSafely('workerdied', () => this.emit('workerdied', { index, pid, error }));
		const replacement: Promise<void> = this.#replace(index)
			.catch((unexpected: unknown) => {
				this.#logger.error({ err: unexpected, index }, 'replacing mediasoup worker failed unexpectedly');
			})
			.finally(() => this.#replacements.delete(replacement));
		this.#replacements.add(replacement);
	}

	/**
	 * Starts a worker on the same index and ports. The dead process has exited,
	 * but a port can stay busy for a moment (or be taken by someone else), so
	 * it retries with exponential backoff, a bounded number of times.
	 */
	async #replace(index: number): Promise<void> {
		const attempts = this.#options.replaceAttempts ?? DEFAULT_REPLACE_ATTEMPTS;
		let delayMs = this.#options.replaceRetryDelayMs ?? DEFAULT_REPLACE_RETRY_DELAY_MS;
		let lastError: Error = new Error('no attempt made');
		for (let attempt = 1; attempt <= attempts; attempt++) {
			if (this.closed) return;
			try {
				const pooled = await startWorker(this.#options, index);
				if (this.closed) {
					await closeWorker(pooled.worker);
					return;
				}
				this.#adopt(pooled);
				this.#logger.info({ index, pid: pooled.pid, attempt }, 'mediasoup worker replaced');
				this.#emitSafely('workerreplaced', () => this.emit('workerreplaced', { index, pid: pooled.pid }));
				return;
			} catch (error) {
				lastError = error instanceof Error ? error : new Error(String(error));
				this.#logger.warn({ err: lastError, index, attempt, attempts }, 'replacement mediasoup worker failed to start');
			}
			if (attempt < attempts && !(await this.#backoff(delayMs))) return;
			delayMs = Math.min(delayMs * 2, MAX_REPLACE_RETRY_DELAY_MS);
		}
		this.#logger.error({ err: lastError, index, attempts }, 'giving up replacing mediasoup worker');
		this.#emitSafely('workerlost', () => this.emit('workerlost', { index, error: lastError }));
	}

	/** Sleeps unless the pool closes first; false means closed. */
	async #backoff(delayMs: number): Promise<boolean> {
		try {
			await sleep(delayMs, undefined, { signal: this.#stopReplacing.signal });
			return true;
		} catch {
			return false;
		}
	}

	/** Nothing after close(); and a throwing listener is logged, not thrown into mediasoup's emit. */
	#emitSafely(event: keyof WorkerPoolEvents, emit: () => void): void {
		if (this.closed) return;
		try {
			emit();
		} catch (error) {
			this.#logger.error({ err: error, event }, 'WorkerPool event listener threw');
		}
	}
}

function startWorker(options: WorkerPoolOptions, index: number): Promise<PooledWorker> {
	return startPooledWorker(index, options.workerSettings, options.webRtcServerListenInfos(index), {
		dtlsSrtpCryptoSuites: options.dtlsSrtpCryptoSuites,
	});
}
