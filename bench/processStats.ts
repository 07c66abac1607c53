// CPU time and memory of a process from /proc, so the bench can say what the
// server's node process and its mediasoup workers cost while it measures them.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessStats {
	/** User + system CPU time since the process started, all threads. */
	cpuMs: number;
	/** Resident set size. */
	rssBytes: number;
}

// USER_HZ: what /proc/<pid>/stat counts CPU time in. Fixed at 100 on Linux
// whatever the kernel's tick rate (sysconf(_SC_CLK_TCK)).
const TICKS_PER_SECOND = 100;
const MS_PER_TICK = 1000 / TICKS_PER_SECOND;

/** Undefined when the process is gone (or /proc is not there). */
export function readProcessStats(pid: number): ProcessStats | undefined {
	try {
		return {
			cpuMs: schedCpuMs(pid) ?? cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * MS_PER_TICK,
			rssBytes: rss(pid),
		};
	} catch {
		return undefined;
	}
}

/**
 * On-CPU time of the process's live threads, in nanoseconds from the
 * scheduler (first field of /proc/<pid>/task/<tid>/schedstat). /proc/<pid>/stat
 * counts in 10 ms ticks: a worker forwarding to a few receivers uses less
 * than a tick per second and read as 0% CPU. Threads that ended are not
 * counted, which the workers' and the server's long-lived threads never do
 * within a measurement. Undefined without schedstat (kernels without
 * CONFIG_SCHED_INFO): the ticks are used then.
 */
function schedCpuMs(pid: number): number | undefined {
	let tasks: string[];
	try {
		tasks = readdirSync(`/proc/${pid}/task`);
	} catch {
		return undefined;
	}
	let ns = 0;
	for (const task of tasks) {
		try {
			ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
		} catch (error) {
			// A thread that ended between listing and reading counts as 0; no schedstat at all: ticks.
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || task === String(pid)) return undefined;
		}
	}
	return Number.isFinite(ns) ? ns / 1e6 : undefined;
}

/** The sum over several processes; missing ones count as 0. */
export function readProcessGroupStats(pids: readonly number[]): ProcessStats {
	let cpuMs = 0;
	let rssBytes = 0;
	for (const pid of pids) {
		const stats = readProcessStats(pid);
		if (!stats) continue;
		cpuMs += stats.cpuMs;
		rssBytes += stats.rssBytes;
	}
	return { cpuMs, rssBytes };
}

/** CPU use between two samples taken `intervalMs` apart, in % of one core. */
export function cpuPercent(before: ProcessStats, after: ProcessStats, intervalMs: number): number {
	if (intervalMs <= 0) return 0;
	return ((after.cpuMs - before.cpuMs) / intervalMs) * 100;
}

/** utime + stime: fields 14 and 15, counted after the command name, which may contain spaces and parentheses. */
function cpuTicks(stat: string): number {
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
	return Number(fields[11]) + Number(fields[12]);
}

function rss(pid: number): number {
	const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) * 1024 : 0;
}
