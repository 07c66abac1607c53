// One of the routers a room spans: a mediasoup Router on one worker, the
// worker's WebRtcServer (which every WebRTC transport on this router uses),
// and the counts RoomRouters places members by. RoomRouters owns it; closing
// it closes the router and everything on it, including its ends of pipe
// transports; the router closing by itself (its worker died) closes it too.
import type { types } from 'mediasoup';
import { Closable } from '../../lifecycle/Closable.ts';
import { transportConsumers } from '../media/transportConsumers.ts';
import type { PooledWorker } from '../media/WorkerPool.ts';

export class RoomRouter extends Closable {
	readonly router: types.Router;
	readonly webRtcServer: types.WebRtcServer;
	readonly workerIndex: number;
	/** Room members (peers, broadcasters) whose transports live on this router. */
	members = 0;
	/** Every transport on the router, whoever made it (peers, broadcasters, recording, pipes). */
	readonly #transports = new Set<types.Transport>();
	/** The worker the router is on (a WHEP session makes its own router there). */
	readonly worker: types.Worker;

	constructor(router: types.Router, pooled: PooledWorker) {
		super();
		this.router = router;
		this.webRtcServer = pooled.webRtcServer;
		this.workerIndex = pooled.index;
		this.worker = pooled.worker;
		// Transports, not consumers: a listener on each of a big room's 80,000
		// consumers costs memory, and the transports keep their consumers.
		router.observer.on('newtransport', (transport) => {
			this.#transports.add(transport);
			transport.observer.on('close', () => this.#transports.delete(transport));
		});
		router.observer.once('close', () => this.close());
	}

	get id(): string {
		return this.router.id;
	}

	/** Whether its worker died (rather than being closed, as at shutdown). */
	get workerDied(): boolean {
		return this.worker.died;
	}

	/** Consumers on the router: the load a new member would add to. Read when placing a member. */
	get consumers(): number {
		let count = 0;
		for (const transport of this.#transports) count += transportConsumers(transport).size;
		return count;
	}

	protected closing(): void {
		this.router.close();
	}
}
