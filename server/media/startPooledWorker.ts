// Starts one slot of the pool: a Worker, then its WebRtcServer. All or
// nothing: if the WebRtcServer cannot listen, the Worker is closed (and its
// process awaited) before the error is thrown, so a failed start leaves no
// process behind. Settings the worker reads from its environment (the
// DTLS-SRTP crypto suites) are given to its process only (workerEnvironment.ts).

import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { closeWorker } from './closeWorker.ts';
import { type PooledAppData, PooledWorker } from './PooledWorker.ts';
import { WebRtcServerStartError } from './WebRtcServerStartError.ts';
import { type WorkerEnvironmentSettings, withWorkerEnvironment, workerEnvironment } from './workerEnvironment.ts';

export async function startPooledWorker(
	index: number,
	workerSettings: types.WorkerSettings,
	listenInfos: types.WebRtcServerListenInfo[],
	environment: WorkerEnvironmentSettings,
): Promise<PooledWorker> {
	const appData: PooledAppData = { workerIndex: index };
	const worker = await withoutWorkerSignalHandlers(() =>
		withWorkerEnvironment(workerEnvironment(environment), () =>
			mediasoup.createWorker<PooledAppData>({ ...workerSettings, appData }),
		),
	);
	try {
		const webRtcServer = await worker.createWebRtcServer<PooledAppData>({ listenInfos, appData });
		return new PooledWorker(index, worker, webRtcServer);
	} catch (error) {
		await closeWorker(worker);
		throw new WebRtcServerStartError(index, listenInfos, error);
	}
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `create` and takes away the SIGTERM and SIGINT listeners it added:
 * mediasoup's Worker closes itself on either signal, and the process's
 * signals are server/main.ts's to handle (SIGTERM drains, and the workers
 * must carry the calls until the drain ends). A worker still goes with the
 * process: it exits when its channel to Node closes.
 */
async function withoutWorkerSignalHandlers<T>(create: () => Promise<T>): Promise<T> {
	const before = new Map(STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
	try {
		return await create();
	} finally {
		for (const signal of STOP_SIGNALS) {
			for (const listener of process.listeners(signal)) {
				if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
			}
		}
	}
}
