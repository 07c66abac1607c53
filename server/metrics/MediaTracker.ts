// The mediasoup objects of the server's workers, as the metrics read them:
// every transport of every router (peers', broadcasters', recording's, pipes)
// and the producers on each, followed through mediasoup's observers from the
// moment the workers start (a replacement worker too). Consumers and data
// channels are not followed: a 200-peer room has 80,000 consumers, and a
// listener on each costs memory (bench/HISTORY.md, Join); they are read from
// their transports when counted (transportConsumers.ts). Producers have to be
// followed: mediasoup keeps a transport's producers in a private field.
//
// It also counts what a WebRTC transport's connection goes through (ICE
// disconnections and failures, DTLS failures), which is only told as events.
import type { types } from 'mediasoup';
import { Closable } from '../../lifecycle/Closable.ts';
import type { WorkerPool, WorkerReplacedEvent } from '../media/WorkerPool.ts';

export interface TrackedTransport {
	readonly transport: types.Transport;
	readonly producers: Set<types.Producer>;
	/** WebRTC: whether ICE ever connected. */
	iceConnected: boolean;
}

/** What the tracker reports of WebRTC transports' connections; the metrics count them. */
export interface ConnectionEvents {
	/** ICE went `disconnected`: consent lost (no answer for 20 s) or its TCP connection gone. */
	iceDisconnected(): void;
	/** A WebRTC transport closed without ICE ever connecting, although its client had connected it (sent DTLS parameters). */
	iceFailed(): void;
	/** DTLS went `failed`: the handshake did not complete. */
	dtlsFailed(): void;
}

export class MediaTracker extends Closable {
	readonly #transports = new Map<types.Transport, TrackedTransport>();
	readonly #events: ConnectionEvents;
	readonly #pool: WorkerPool;
	readonly #followed = new Set<types.Worker>();
	readonly #onNewRouter = (router: types.Router) => this.#followRouter(router);
	readonly #onWorkerReplaced = ({ index }: WorkerReplacedEvent) => {
		const pooled = this.#pool.workers.find((worker) => worker.index === index);
		if (pooled) this.#followWorker(pooled.worker);
	};

	/** Before any router exists: routers made earlier would not be seen. */
	constructor(pool: WorkerPool, events: ConnectionEvents) {
		super();
		this.#pool = pool;
		this.#events = events;
		for (const pooled of pool.workers) this.#followWorker(pooled.worker);
		pool.on('workerreplaced', this.#onWorkerReplaced);
	}

	/** Every live transport on the workers, with its producers. */
	get transports(): Iterable<TrackedTransport> {
		return this.#transports.values();
	}

	#followWorker(worker: types.Worker): void {
		this.#followed.add(worker);
		worker.observer.on('newrouter', this.#onNewRouter);
		worker.observer.once('close', () => this.#followed.delete(worker));
	}

	#followRouter(router: types.Router): void {
		if (this.closed) return;
		router.observer.on('newtransport', (transport) => this.#followTransport(transport));
	}

	#followTransport(transport: types.Transport): void {
		if (this.closed) return;
		const tracked: TrackedTransport = { transport, producers: new Set(), iceConnected: false };
		this.#transports.set(transport, tracked);
		transport.observer.on('newproducer', (producer) => {
			tracked.producers.add(producer);
			producer.observer.once('close', () => tracked.producers.delete(producer));
		});
		transport.observer.once('close', () => {
			this.#transports.delete(transport);
			if (this.closed || transport.type !== 'webrtc') return;
			// A client that sent its DTLS parameters meant to connect; ICE never did.
			if (!tracked.iceConnected && transport.appData.connectCalled === true) this.#events.iceFailed();
		});
		if (transport.type === 'webrtc') this.#followConnection(transport as types.WebRtcTransport, tracked);
	}

	#followConnection(transport: types.WebRtcTransport, tracked: TrackedTransport): void {
		transport.observer.on('icestatechange', (state) => {
			if (this.closed) return;
			if (state === 'connected' || state === 'completed') tracked.iceConnected = true;
			else if (state === 'disconnected') this.#events.iceDisconnected();
		});
		transport.observer.on('dtlsstatechange', (state) => {
			if (!this.closed && state === 'failed') this.#events.dtlsFailed();
		});
	}

	/** Stops following: the server is closing (its workers close right after). */
	protected closing(): void {
		this.#pool.off('workerreplaced', this.#onWorkerReplaced);
		for (const worker of this.#followed) worker.observer.off('newrouter', this.#onNewRouter);
		this.#followed.clear();
		this.#transports.clear();
	}
}
