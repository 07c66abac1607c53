// One of the routers a room spans: a mediasoup Router on one worker, the
// worker's WebRtcServer (which every WebRTC transport on this router uses),
// and the counts RoomRouters places members by. RoomRouters owns it; closing
// the router closes everything on it, including its ends of pipe transports.
import type { types } from 'mediasoup';
import type { PooledWorker } from '../media/WorkerPool.ts';

export class RoomRouter {
	readonly router: types.Router;
	readonly webRtcServer: types.WebRtcServer;
	readonly workerIndex: number;
	/** Room members (peers, broadcasters) whose transports live on this router. */
	members = 0;
	#consumers = 0;

	constructor(router: types.Router, pooled: PooledWorker) {
		this.router = router;
		this.webRtcServer = pooled.webRtcServer;
		this.workerIndex = pooled.index;
		// Every consumer on the router, whoever made it (peers, broadcasters,
		// recording, pipes): the load a new member would add to.
		// One listener function for all of them, and on() not once(), which
		// would add a wrapper and its state to each consumer (a big room has
		// 80,000): the observer emits 'close' once.
		const onConsumerClose = () => {
			this.#consumers--;
		};
		router.observer.on('newtransport', (transport) => {
			transport.observer.on('newconsumer', (consumer) => {
				this.#consumers++;
				consumer.observer.on('close', onConsumerClose);
			});
		});
	}

	get id(): string {
		return this.router.id;
	}

	get consumers(): number {
		return this.#consumers;
	}

	get closed(): boolean {
		return this.router.closed;
	}
}
