// The mediasoup workers, one series per worker labelled by its index in the
// pool (a replacement keeps the index; a pid or object id would make a new
// series per process): whether it is up, its routers, its CPU time and
// memory from getResourceUsage() (ru_utime, ru_stime, ru_maxrss) and its
// resident memory now (/proc), and how often workers died and were replaced.
import { readFile } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Closable } from '../../lifecycle/Closable.ts';
import type { WorkerDiedEvent, WorkerLostEvent, WorkerPool, WorkerReplacedEvent } from '../media/WorkerPool.ts';
import { oncePerTurn } from './oncePerTurn.ts';

export class WorkerMetrics extends Closable {
	readonly #pool: WorkerPool;
	readonly #deaths: Counter<'worker'>;
	readonly #replacements: Counter<'worker'>;
	readonly #lost: Counter<'worker'>;
	readonly #onDied = ({ index }: WorkerDiedEvent) => this.#deaths.inc({ worker: String(index) });
	readonly #onReplaced = ({ index }: WorkerReplacedEvent) => this.#replacements.inc({ worker: String(index) });
	readonly #onLost = ({ index }: WorkerLostEvent) => this.#lost.inc({ worker: String(index) });

	constructor(registry: Registry, pool: WorkerPool, numWorkers: number) {
		super();
		this.#pool = pool;
		const registers = [registry];
		const workerLabels = Array.from({ length: numWorkers }, (_, index) => String(index));
		new Gauge({
			name: 'msconf_worker_up',
			help: 'Whether the worker of this index runs (0 from its death until its replacement serves again)',
			labelNames: ['worker'],
			registers,
			collect() {
				const up = new Set(pool.workers.map((pooled) => String(pooled.index)));
				for (const worker of workerLabels) this.set({ worker }, up.has(worker) ? 1 : 0);
			},
		});
		new Gauge({
			name: 'msconf_routers',
			help: 'mediasoup routers on the worker (one per room it serves; a room spread over workers has one on each)',
			labelNames: ['worker'],
			registers,
			collect() {
				this.reset();
				for (const pooled of pool.workers) this.set({ worker: String(pooled.index) }, pooled.routers);
			},
		});
		// One getResourceUsage() per worker and scrape, shared by the three families below.
		const usage = oncePerTurn(() => pool.usage());
		new Counter({
			name: 'msconf_worker_cpu_seconds_total',
			help: "CPU time of the worker's process, by mode (user, system); starts again from 0 in a replacement",
			labelNames: ['worker', 'mode'],
			registers,
			async collect() {
				this.reset();
				for (const { index, resourceUsage } of await usage()) {
					this.inc({ worker: String(index), mode: 'user' }, resourceUsage.ru_utime / 1000);
					this.inc({ worker: String(index), mode: 'system' }, resourceUsage.ru_stime / 1000);
				}
			},
		});
		new Gauge({
			name: 'msconf_worker_max_resident_memory_bytes',
			help: "Peak resident memory of the worker's process (ru_maxrss)",
			labelNames: ['worker'],
			registers,
			async collect() {
				this.reset();
				for (const { index, resourceUsage } of await usage()) {
					this.set({ worker: String(index) }, resourceUsage.ru_maxrss * 1024);
				}
			},
		});
		new Gauge({
			name: 'msconf_worker_resident_memory_bytes',
			help: "Resident memory of the worker's process now (VmRSS of /proc/PID/status; Linux only)",
			labelNames: ['worker'],
			registers,
			async collect() {
				this.reset();
				const readings = await Promise.all(
					pool.workers.map(async ({ index, pid }) => ({ index, bytes: await residentBytes(pid) })),
				);
				for (const { index, bytes } of readings) if (bytes !== undefined) this.set({ worker: String(index) }, bytes);
			},
		});
		this.#deaths = new Counter({
			name: 'msconf_worker_deaths_total',
			help: 'Workers that died (their rooms closed; a replacement is started on the same index)',
			labelNames: ['worker'],
			registers,
		});
		this.#replacements = new Counter({
			name: 'msconf_worker_replacements_total',
			help: 'Replacement workers that started after a death',
			labelNames: ['worker'],
			registers,
		});
		this.#lost = new Counter({
			name: 'msconf_worker_replacement_failures_total',
			help: 'Dead workers whose replacement failed every attempt: the index stays empty',
			labelNames: ['worker'],
			registers,
		});
		pool.on('workerdied', this.#onDied);
		pool.on('workerreplaced', this.#onReplaced);
		pool.on('workerlost', this.#onLost);
	}

	protected closing(): void {
		this.#pool.off('workerdied', this.#onDied);
		this.#pool.off('workerreplaced', this.#onReplaced);
		this.#pool.off('workerlost', this.#onLost);
	}
}

async function residentBytes(pid: number): Promise<number | undefined> {
	try {
		const status = await readFile(`/proc/${pid}/status`, 'utf8');
		const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
		return kb === undefined ? undefined : Number(kb) * 1024;
	} catch {
		return undefined;
	}
}
