// CPU time and memory of a process from /proc, so the bench can say what the
// server's node process and its mediasoup workers cost while it measures them.
import { readFileSync } from 'node:fs';

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
		return { cpuMs: cpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * MS_PER_TICK, rssBytes: rss(pid) };
	} catch {
		return undefined;
	}
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
