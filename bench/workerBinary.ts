// Which mediasoup-worker binary a run measures (--worker-bin): the server the
// bench starts gets it as MEDIASOUP_WORKER_BIN, raw passes it to createWorker.
// Before a run measures anything, its worker processes are checked to be
// running that very file, so a comparison of two binaries can never compare a
// binary with itself.
import { readlinkSync, realpathSync } from 'node:fs';
import type { WorkerBinary } from './FanoutOptions.ts';

/** The environment that makes a server (or any mediasoup user) start this binary. */
export function workerBinaryEnv(workerBin: WorkerBinary | undefined): Record<string, string> {
	return workerBin === undefined ? {} : { MEDIASOUP_WORKER_BIN: workerBin.path };
}

/** Throws unless every process runs the binary (nothing to check without one). */
export function checkWorkerBinary(pids: readonly number[], workerBin: WorkerBinary | undefined): void {
	if (workerBin === undefined) return;
	if (pids.length === 0) throw new Error(`no worker processes to check against ${workerBin.label}`);
	const expected = realpathSync(workerBin.path);
	for (const pid of pids) {
		const running = readlinkSync(`/proc/${pid}/exe`);
		if (running !== expected) {
			throw new Error(`worker ${pid} runs ${running}, not ${workerBin.label} (${expected})`);
		}
	}
}
