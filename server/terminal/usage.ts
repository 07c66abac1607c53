// `.usage`: what this server costs the machine: the Node process (memory,
// CPU, uptime) and each mediasoup worker's rusage as the worker reports it.
import type { WorkerPool, WorkerUsage } from '../media/WorkerPool.ts';

export interface UsageReport {
	process: {
		pid: number;
		node: string;
		uptimeSeconds: number;
		/** process.memoryUsage(), in MiB. */
		memoryMiB: Record<keyof NodeJS.MemoryUsage, number>;
		/** User and system CPU time since start, in seconds. */
		cpuSeconds: { user: number; system: number };
	};
	/** worker.getResourceUsage() of each live worker (times in ms, ru_maxrss in KiB). */
	workers: WorkerUsage[];
}

export async function usageReport(pool: WorkerPool): Promise<UsageReport> {
	const memory = process.memoryUsage();
	const cpu = process.cpuUsage();
	return {
		process: {
			pid: process.pid,
			node: process.version,
			uptimeSeconds: Math.round(process.uptime()),
			memoryMiB: {
				rss: mebibytes(memory.rss),
				heapTotal: mebibytes(memory.heapTotal),
				heapUsed: mebibytes(memory.heapUsed),
				external: mebibytes(memory.external),
				arrayBuffers: mebibytes(memory.arrayBuffers),
			},
			cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
		},
		workers: await pool.usage(),
	};
}

function mebibytes(bytes: number): number {
	return Math.round((bytes / 2 ** 20) * 10) / 10;
}
