// One slot of the WorkerPool: a mediasoup Worker and the WebRtcServer that
// every WebRtcTransport on it shares. The WorkerPool owns it and closes it
// (closing the Worker closes its WebRtcServer and Routers); the Worker dying
// closes it too. It counts its Routers so the pool can place new rooms on the
// least loaded core.
import type { types } from 'mediasoup';

/** What the pool puts in appData, so logs and handlers can tell the slots apart. */
export type PooledAppData = { workerIndex: number };

export class PooledWorker {
	/** Position in the pool, kept by a replacement (same ports, same index). */
	readonly index: number;
	readonly worker: types.Worker<PooledAppData>;
	readonly webRtcServer: types.WebRtcServer<PooledAppData>;
	#routers = 0;

	constructor(index: number, worker: types.Worker<PooledAppData>, webRtcServer: types.WebRtcServer<PooledAppData>) {
		this.index = index;
		this.worker = worker;
		this.webRtcServer = webRtcServer;
		// The observer sees every Router however it was created, and a Router's
		// observer 'close' fires whether the room closed it or the Worker went away.
		worker.observer.on('newrouter', (router) => {
			this.#routers++;
			router.observer.once('close', () => {
				this.#routers--;
			});
		});
	}

	get pid(): number {
		return this.worker.pid;
	}

	/** Routers currently on this Worker: the pool's measure of load. */
	get routers(): number {
		return this.#routers;
	}

	/** False once the Worker was closed or died; a dead slot never comes back, a new PooledWorker replaces it. */
	get alive(): boolean {
		return !this.worker.closed;
	}
}
