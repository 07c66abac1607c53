// worker.close() only asks the subprocess to exit. Callers that promise "no
// process left behind" (pool close, a failed start) wait for it to be gone,
// and kill it if it does not go in time.
import { once } from 'node:events';
import type { types } from 'mediasoup';

const EXIT_TIMEOUT_MS = 3000;

export async function closeWorker(worker: types.Worker, timeoutMs = EXIT_TIMEOUT_MS): Promise<void> {
	// Listen before closing: a subprocess that exits at once must not be missed.
	const exited = worker.subprocessClosed ? undefined : waitForSubprocessClose(worker, timeoutMs);
	worker.close();
	if (exited === undefined || (await exited)) return;
	killHard(worker.pid);
	await waitForSubprocessClose(worker, timeoutMs);
}

/** Resolves true when the subprocess closed, false on timeout. */
async function waitForSubprocessClose(worker: types.Worker, timeoutMs: number): Promise<boolean> {
	if (worker.subprocessClosed) return true;
	try {
		await once(worker, 'subprocessclose', { signal: AbortSignal.timeout(timeoutMs) });
		return true;
	} catch {
		return worker.subprocessClosed;
	}
}

function killHard(pid: number): void {
	try {
		process.kill(pid, 'SIGKILL');
	} catch {
		// Already gone between the timeout and now: that is what we wanted.
	}
}
