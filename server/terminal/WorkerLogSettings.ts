// The workers' log level and tags as the terminal changes them at runtime.
// mediasoup's updateSettings() always sends the tag list (an empty one when
// only logLevel is given), so setting the level alone would silently turn
// every tag off: this object remembers both and always sends both. A worker
// that replaces a dead one starts with the configured settings; it gets the
// current ones too. Owned by the TerminalServer, which closes it.
import type { types } from 'mediasoup';
import { Closable } from '../../lifecycle/Closable.ts';
import { WORKER_LOG_LEVELS, WORKER_LOG_TAGS } from '../config/Config.ts';
import type { WorkerPool, WorkerPoolLogger, WorkerReplacedEvent } from '../media/WorkerPool.ts';

export interface WorkerLogSettingsState {
	logLevel: types.WorkerLogLevel;
	logTags: types.WorkerLogTag[];
}

export interface AppliedLogSettings extends WorkerLogSettingsState {
	/** The workers that took the settings. */
	workers: { index: number; pid: number }[];
	/** Workers that refused them (or died meanwhile). */
	failed: { index: number; pid: number; error: string }[];
}

export class WorkerLogSettings extends Closable {
	readonly #pool: WorkerPool;
	readonly #log: WorkerPoolLogger;
	#state: WorkerLogSettingsState;
	readonly #onWorkerReplaced = (event: WorkerReplacedEvent) => this.#applyToReplacement(event);

	constructor(pool: WorkerPool, initial: WorkerLogSettingsState, log: WorkerPoolLogger) {
		super();
		this.#pool = pool;
		this.#log = log;
		this.#state = { logLevel: initial.logLevel, logTags: [...initial.logTags] };
		pool.on('workerreplaced', this.#onWorkerReplaced);
	}

	get state(): WorkerLogSettingsState {
		return { logLevel: this.#state.logLevel, logTags: [...this.#state.logTags] };
	}

	setLevel(logLevel: types.WorkerLogLevel): Promise<AppliedLogSettings> {
		return this.#apply({ ...this.#state, logLevel });
	}

	setTags(logTags: types.WorkerLogTag[]): Promise<AppliedLogSettings> {
		return this.#apply({ ...this.#state, logTags });
	}

	/** Replacement workers no longer get the settings. */
	protected closing(): void {
		this.#pool.off('workerreplaced', this.#onWorkerReplaced);
	}

	async #apply(state: WorkerLogSettingsState): Promise<AppliedLogSettings> {
		this.#state = state;
		const workers = this.#pool.workers;
		const results = await Promise.allSettled(workers.map((pooled) => pooled.worker.updateSettings(state)));
		const applied: AppliedLogSettings = { ...this.state, workers: [], failed: [] };
		results.forEach((result, i) => {
			const pooled = workers[i];
			if (!pooled) return;
			const { index, pid } = pooled;
			if (result.status === 'fulfilled') applied.workers.push({ index, pid });
			else applied.failed.push({ index, pid, error: String(result.reason) });
		});
		this.#log.info({ logLevel: state.logLevel, logTags: state.logTags }, 'terminal: worker log settings changed');
		return applied;
	}

	#applyToReplacement({ index, pid }: WorkerReplacedEvent): void {
		const pooled = this.#pool.workers.find((candidate) => candidate.index === index);
		pooled?.worker.updateSettings(this.state).catch((error: unknown) => {
			this.#log.warn({ err: error, index, pid }, 'terminal: could not apply log settings to the new worker');
		});
	}
}

export function parseLogLevel(word: string): types.WorkerLogLevel {
	const level = WORKER_LOG_LEVELS.find((candidate) => candidate === word.trim());
	if (level === undefined) throw new Error(`usage: .logLevel <${WORKER_LOG_LEVELS.join('|')}>`);
	return level;
}

/** 'ice,dtls' or 'ice dtls'; 'none' for no tags. */
export function parseLogTags(text: string): types.WorkerLogTag[] {
	const words = text.split(/[\s,]+/).filter(Boolean);
	if (words.length === 1 && words[0] === 'none') return [];
	const usage = `usage: .logTags <tag,...> or .logTags none; tags: ${WORKER_LOG_TAGS.join(', ')}`;
	if (words.length === 0) throw new Error(usage);
	return words.map((word) => {
		const tag = WORKER_LOG_TAGS.find((candidate) => candidate === word);
		if (tag === undefined) throw new Error(`unknown log tag '${word}'; ${usage}`);
		return tag;
	});
}
