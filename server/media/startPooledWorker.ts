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
	const worker = await withWorkerEnvironment(workerEnvironment(environment), () =>
		mediasoup.createWorker<PooledAppData>({ ...workerSettings, appData }),
	);
	try {
		const webRtcServer = await worker.createWebRtcServer<PooledAppData>({ listenInfos, appData });
		return new PooledWorker(index, worker, webRtcServer);
	} catch (error) {
		await closeWorker(worker);
		throw new WebRtcServerStartError(index, listenInfos, error);
	}
}
