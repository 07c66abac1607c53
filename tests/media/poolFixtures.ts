// What every WorkerPool test needs: options for a pool on 127.0.0.1 at a
// given base port, a logger that remembers what it was told, and a way to
// ask the OS whether a process still exists.
import type { types } from 'mediasoup';
import type { WorkerPoolLogger, WorkerPoolOptions } from '../../server/media/WorkerPool.ts';

export interface LogEntry {
	level: 'info' | 'warn' | 'error';
	obj: object;
	msg: string | undefined;
}

export class RecordingLogger implements WorkerPoolLogger {
	readonly entries: LogEntry[] = [];

	info(obj: object, msg?: string): void {
		this.entries.push({ level: 'info', obj, msg });
	}

	warn(obj: object, msg?: string): void {
		this.entries.push({ level: 'warn', obj, msg });
	}

	error(obj: object, msg?: string): void {
		this.entries.push({ level: 'error', obj, msg });
	}

	at(level: LogEntry['level']): LogEntry[] {
		return this.entries.filter((entry) => entry.level === level);
	}
}

export function listenInfosAt(basePort: number): (workerIndex: number) => types.WebRtcServerListenInfo[] {
	return (workerIndex) => [
		{ protocol: 'udp', ip: '127.0.0.1', port: basePort + workerIndex },
		{ protocol: 'tcp', ip: '127.0.0.1', port: basePort + workerIndex },
	];
}

export function poolOptions(
	basePort: number,
	logger: RecordingLogger,
	overrides: Partial<WorkerPoolOptions> = {},
): WorkerPoolOptions {
	return {
		numWorkers: 2,
		workerSettings: { logLevel: 'none' },
		webRtcServerListenInfos: listenInfosAt(basePort),
		logger,
		replaceRetryDelayMs: 50,
		...overrides,
	};
}

/** Signal 0 checks existence only; it throws ESRCH once the process is gone (and reaped). */
export function processExists(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
