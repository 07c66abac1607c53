// A bench peer: protoo-client over a real WebSocket and a mediasoup-client
// Device with the FakeHandler (no media, only signaling), running the browser
// app's sequence (app/RoomClient.ts): getRouterRtpCapabilities, a send and a
// receive transport, join, then produce audio and video, and accept every
// newConsumer the server sends.
//
// Two hundred of these run in the bench process while it times the server, so
// a LoadPeer keeps as little as it can: no notification log (they are
// dropped), no consumer objects of its own (the mediasoup-client transport
// holds them), only counters and which peers it consumes (a bit mask each).
import { performance } from 'node:perf_hooks';
import { Device, type types as msc } from 'mediasoup-client';
import * as fakeParameters from 'mediasoup-client/fakeParameters';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import * as protooClient from 'protoo-client';
import { fakeTrack } from '../tests/helpers/fakeTrack.ts';

export interface LoadPeerOptions {
	/** wss://HOST:PORT */
	wsBaseUrl: string;
	/** PEM of the server's certificate; undefined: the system's trust store decides. */
	ca: string | undefined;
	roomId: string;
	peerId: string;
	/** An access token, for a server in token mode. */
	token?: string | undefined;
}

/** performance.now() milestones of a join, in ms since the WebSocket opened. */
export interface JoinMarks {
	capabilitiesMs: number;
	transportsMs: number;
	joinedMs: number;
	producedMs: number;
}

/** Bit per kind in consumedFrom: a peer is fully consumed at BOTH_KINDS. */
const KIND_BIT = { audio: 1, video: 2 } as const;
const BOTH_KINDS = KIND_BIT.audio | KIND_BIT.video;

interface ConsumerWaiter {
	count: number;
	resolve: (at: number) => void;
	reject: (error: Error) => void;
}

interface NewConsumerData {
	peerId: string;
	producerId: string;
	id: string;
	kind: 'audio' | 'video';
	rtpParameters: msc.RtpParameters;
}

export class LoadPeer {
	readonly id: string;
	/** performance.now() when protoo reported the WebSocket open: every mark is relative to it. */
	readonly openedAt: number;
	/** From creating the WebSocket to its open: TLS and the server's admission (token check included). */
	readonly connectMs: number;
	/** Consumers accepted so far (answered to the server). */
	consumerCount = 0;
	/** performance.now() of the last accepted consumer (openedAt before the first). */
	lastConsumerAt: number;
	readonly #protoo: protooClient.Peer;
	readonly #device = new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) });
	readonly #consumedFrom = new Map<string, number>();
	#waiters: ConsumerWaiter[] = [];
	#sendTransport: msc.Transport | undefined;
	#recvTransport: msc.Transport | undefined;
	#failure: Error | undefined;

	/** Resolves when the WebSocket is open (the start of every measured interval). */
	static connect(options: LoadPeerOptions): Promise<LoadPeer> {
		const token = options.token === undefined ? '' : `&token=${encodeURIComponent(options.token)}`;
		const url = `${options.wsBaseUrl}/?roomId=${encodeURIComponent(options.roomId)}&peerId=${encodeURIComponent(options.peerId)}${token}`;
		const startedAt = performance.now();
		const transport = new protooClient.WebSocketTransport(url, {
			retry: { retries: 0 },
			clientConfig: { tlsOptions: options.ca === undefined ? {} : { ca: options.ca } },
		});
		const protoo = new protooClient.Peer(transport);
		return new Promise<LoadPeer>((resolve, reject) => {
			protoo.on('open', () => {
				const openedAt = performance.now();
				resolve(new LoadPeer(options.peerId, protoo, openedAt, openedAt - startedAt));
			});
			protoo.on('failed', () => reject(new Error(`peer ${options.peerId}: WebSocket to ${url} failed`)));
			protoo.on('close', () => reject(new Error(`peer ${options.peerId}: WebSocket to ${url} closed`)));
		});
	}

	private constructor(id: string, protoo: protooClient.Peer, openedAt: number, connectMs: number) {
		this.id = id;
		this.#protoo = protoo;
		this.openedAt = openedAt;
		this.connectMs = connectMs;
		this.lastConsumerAt = openedAt;
		protoo.on('request', (request, accept, reject) => {
			if (request.method !== 'newConsumer') {
				reject(403, `a bench peer does not accept ${request.method}`);
				return;
			}
			this.#consume(request.data as NewConsumerData).then(
				() => {
					accept();
					this.#counted(request.data as NewConsumerData);
				},
				(error: Error) => reject(500, error.message),
			);
		});
		protoo.on('close', () => this.#fail(new Error(`peer ${id}: connection closed`)));
	}

	/** The browser app's join: capabilities, send and receive transports, join, produce audio and video. */
	async join(displayName = this.id): Promise<JoinMarks> {
		const since = (): number => performance.now() - this.openedAt;
		const routerRtpCapabilities = (await this.#protoo.request('getRouterRtpCapabilities')) as msc.RtpCapabilities;
		await this.#device.load({ routerRtpCapabilities });
		const capabilitiesMs = since();
		this.#sendTransport = await this.#createTransport('send');
		this.#recvTransport = await this.#createTransport('recv');
		const transportsMs = since();
		await this.#protoo.request('join', {
			displayName,
			device: { flag: 'bench', name: 'LoadPeer', version: '1' },
			rtpCapabilities: this.#device.rtpCapabilities,
		});
		const joinedMs = since();
		const send = this.#sendTransport;
		await Promise.all([send.produce({ track: fakeTrack('audio') }), send.produce({ track: fakeTrack('video') })]);
		return { capabilitiesMs, transportsMs, joinedMs, producedMs: since() };
	}

	/** Whether both the audio and the video of that peer are consumed. */
	consumesAllOf(peerId: string): boolean {
		return this.#consumedFrom.get(peerId) === BOTH_KINDS;
	}

	/** Resolves with performance.now() of the moment `count` consumers were accepted. */
	whenConsumers(count: number, timeoutMs = 60_000): Promise<number> {
		if (this.consumerCount >= count) return Promise.resolve(this.lastConsumerAt);
		if (this.#failure) return Promise.reject(this.#failure);
		return new Promise<number>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiters = this.#waiters.filter((waiter) => waiter.resolve !== done);
				reject(new Error(`peer ${this.id}: ${this.consumerCount} of ${count} consumers after ${timeoutMs} ms`));
			}, timeoutMs);
			const done = (at: number): void => {
				clearTimeout(timer);
				resolve(at);
			};
			const failed = (error: Error): void => {
				clearTimeout(timer);
				reject(error);
			};
			this.#waiters.push({ count, resolve: done, reject: failed });
		});
	}

	close(): void {
		this.#protoo.close();
	}

	async #createTransport(direction: 'send' | 'recv'): Promise<msc.Transport> {
		const info = (await this.#protoo.request('createWebRtcTransport', {
			forceTcp: false,
			producing: direction === 'send',
			consuming: direction === 'recv',
		})) as msc.TransportOptions;
		const options = {
			id: info.id,
			iceParameters: info.iceParameters,
			iceCandidates: info.iceCandidates,
			dtlsParameters: info.dtlsParameters,
		};
		const transport =
			direction === 'send' ? this.#device.createSendTransport(options) : this.#device.createRecvTransport(options);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.#protoo
				.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
				.then(callback, errback);
		});
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			this.#protoo
				.request('produce', { transportId: transport.id, kind, rtpParameters, appData })
				.then((response) => callback(response as { id: string }), errback);
		});
		return transport;
	}

	async #consume({ id, producerId, kind, rtpParameters }: NewConsumerData): Promise<void> {
		const transport = this.#recvTransport;
		if (!transport) throw new Error('no receive transport');
		await transport.consume({ id, producerId, kind, rtpParameters });
	}

	#counted({ peerId, kind }: NewConsumerData): void {
		this.#consumedFrom.set(peerId, (this.#consumedFrom.get(peerId) ?? 0) | KIND_BIT[kind]);
		this.consumerCount++;
		this.lastConsumerAt = performance.now();
		if (!this.#waiters.some((waiter) => waiter.count <= this.consumerCount)) return;
		const due = this.#waiters.filter((waiter) => waiter.count <= this.consumerCount);
		this.#waiters = this.#waiters.filter((waiter) => waiter.count > this.consumerCount);
		for (const waiter of due) waiter.resolve(this.lastConsumerAt);
	}

	#fail(error: Error): void {
		this.#failure ??= error;
		const waiters = this.#waiters;
		this.#waiters = [];
		for (const waiter of waiters) waiter.reject(error);
	}
}
