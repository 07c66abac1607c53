// What every headless client of our server in the tests shares: protoo-client
// over a real WebSocket and a mediasoup-client Device running the same join /
// produce / newConsumer protocol as the browser app, recording what a user's
// client would see. Subclasses choose the Device's handler: TestPeer a
// FakeHandler (signaling only), WebRtcTestPeer Chrome111 on werift (real ICE,
// DTLS, SRTP and SCTP). A peer can resume its session over a new connection
// (resume()), keeping its Device, transports, producers and consumers, as the
// app does after its network came back.
import type { Device, types as msc } from 'mediasoup-client';
import * as protooClient from 'protoo-client';
import type { SctpCapabilities } from '../../protocol/rtp.ts';
import type { ClientRequestMethod, ClientResponses } from '../../protocol/signaling.ts';
import { waitFor } from './waitFor.ts';

export interface Notification {
	method: string;
	data: Record<string, unknown>;
}

export interface SignalingPeerOptions {
	url: string;
	/** PEM of the server's certificate, trusted for this connection only. */
	ca: string;
	/**
	 * How to answer newConsumer / newDataConsumer requests: accept them (the
	 * default), refuse them, or ignore them (a client that never answers).
	 */
	consumerAnswer?: ConsumerAnswer;
}

export type ConsumerAnswer = 'accept' | 'refuse' | 'ignore';

export interface JoinOptions {
	displayName?: string;
	produce?: boolean;
	consume?: boolean;
	dataChannels?: boolean;
}

/** The protoo peer of a connection being opened (the WebSocket is not open yet). */
export function openProtoo({ url, ca }: Pick<SignalingPeerOptions, 'url' | 'ca'>): protooClient.Peer {
	const transport = new protooClient.WebSocketTransport(url, {
		retry: { retries: 0 },
		clientConfig: { tlsOptions: { ca } },
	});
	return new protooClient.Peer(transport);
}

export abstract class SignalingPeer {
	readonly notifications: Notification[] = [];
	readonly consumers = new Map<string, msc.Consumer>();
	readonly dataConsumers = new Map<string, msc.DataConsumer>();
	readonly device: Device;
	sendTransport: msc.Transport | undefined;
	recvTransport: msc.Transport | undefined;
	/** Whether the current connection closed. */
	closed = false;
	/** How it answers newConsumer / newDataConsumer requests; a test may change it between connections. */
	consumerAnswer: ConsumerAnswer;
	/** Settles when the WebSocket opens (or fails); subclasses' connect() awaits it. */
	protected readonly opened: Promise<void>;
	#protoo: protooClient.Peer;
	readonly #ca: string;

	protected constructor(
		protoo: protooClient.Peer,
		device: Device,
		{ url, ca, consumerAnswer = 'accept' }: SignalingPeerOptions,
	) {
		this.#protoo = protoo;
		this.#ca = ca;
		this.device = device;
		this.consumerAnswer = consumerAnswer;
		this.opened = this.#attach(protoo, url);
	}

	/** The current connection's protoo peer. */
	get protoo(): protooClient.Peer {
		return this.#protoo;
	}

	/**
	 * Takes the session up again over a new connection to `url` (the
	 * server's address with `resume=` and the join answer's secret), keeping
	 * everything else, as the app does when its network is back. The old
	 * connection is not closed from here: a clean close tells the server the
	 * client left (and ends the session); the server closes it when the new
	 * one takes over (`closing {reason: "resumed"}`), if it was still open.
	 * Resolves once the new WebSocket is open.
	 */
	async resume(url: string): Promise<void> {
		const protoo = openProtoo({ url, ca: this.#ca });
		this.#protoo = protoo;
		this.closed = false;
		await this.#attach(protoo, url);
	}

	/** Listens to a connection's protoo peer; settles when its WebSocket opens (or fails). */
	#attach(protoo: protooClient.Peer, url: string): Promise<void> {
		const opened = new Promise<void>((resolve, reject) => {
			protoo.on('open', () => resolve());
			protoo.on('failed', () => reject(new Error(`WebSocket to ${url} failed`)));
			protoo.on('close', () => reject(new Error(`WebSocket to ${url} closed`)));
		});
		// Not rejected into the void when nobody waits any more.
		opened.catch(() => {});
		protoo.on('close', () => {
			if (protoo === this.#protoo) this.closed = true;
		});
		// protoo-client reconnects by itself, to the same URL, after a dropped
		// connection: without the resume secret, a new session that would
		// replace this one. Stopped (the socket is gone: nothing is sent), as
		// the app does; a test resumes with resume().
		protoo.on('disconnected', () => protoo.close());
		protoo.on('notification', (notification) =>
			this.notifications.push({ method: notification.method, data: notification.data ?? {} }),
		);
		protoo.on('request', (request, accept, reject) => {
			if (this.consumerAnswer === 'ignore') return;
			if (this.consumerAnswer === 'refuse') {
				reject(403, 'not accepting');
				return;
			}
			this.#onServerRequest({ method: request.method, data: request.data ?? {} }).then(
				() => accept(),
				(error: Error) => reject(500, error.message),
			);
		});
		return opened;
	}

	async #onServerRequest(request: { method: string; data: Record<string, unknown> }): Promise<void> {
		// Sent again after a resume when the answer was lost: it exists already (the app's rule).
		const id = request.data.id;
		if (typeof id === 'string' && (this.consumers.has(id) || this.dataConsumers.has(id))) return;
		if (request.method === 'newConsumer') {
			const { id, producerId, kind, rtpParameters } = request.data as unknown as msc.ConsumerOptions;
			const transport = this.recvTransport;
			if (!transport) throw new Error('no receive transport');
			const consumer = await transport.consume({ id, producerId, kind, rtpParameters, appData: request.data });
			this.consumers.set(consumer.id, consumer);
			this.onConsumer(consumer);
		} else if (request.method === 'newDataConsumer') {
			const { id, dataProducerId, sctpStreamParameters, label, protocol } =
				request.data as unknown as msc.DataConsumerOptions;
			const transport = this.recvTransport;
			if (!transport) throw new Error('no receive transport');
			const dataConsumer = await transport.consumeData({
				id,
				dataProducerId,
				sctpStreamParameters,
				label,
				protocol,
				appData: request.data,
			});
			this.dataConsumers.set(dataConsumer.id, dataConsumer);
			this.onDataConsumer(dataConsumer);
		} else {
			throw new Error(`unexpected server request ${request.method}`);
		}
	}

	/** A consumer the server announced now exists locally (before the server is answered). */
	protected onConsumer(_consumer: msc.Consumer): void {}

	/** A data consumer the server announced now exists locally (before the server is answered). */
	protected onDataConsumer(_dataConsumer: msc.DataConsumer): void {}

	/** Whether createWebRtcTransport asks for TCP only. */
	protected get forceTcp(): boolean {
		return false;
	}

	/** Extra options for the local transports (e.g. the WebRTC stack's settings). */
	protected transportOptions(): Partial<msc.TransportOptions> {
		return {};
	}

	/** Where the local transports reach the server's candidate (a test may send media through a proxy). */
	protected remoteCandidate(candidate: msc.IceCandidate): msc.IceCandidate {
		return candidate;
	}

	/** The DTLS parameters connectWebRtcTransport sends (a test may tamper with them). */
	protected connectDtlsParameters(dtlsParameters: msc.DtlsParameters): msc.DtlsParameters {
		return dtlsParameters;
	}

	request<M extends ClientRequestMethod>(method: M, data: Record<string, unknown> = {}): Promise<ClientResponses[M]> {
		return this.protoo.request(method, data) as Promise<ClientResponses[M]>;
	}

	/** Requests that must fail: resolves with the protoo error (code and reason). */
	async requestError(method: string, data: unknown = {}): Promise<{ code: number; reason: string }> {
		try {
			await this.protoo.request(method, data);
		} catch (error) {
			const { code, message } = error as { code?: number; message: string };
			return { code: code ?? 0, reason: message };
		}
		throw new Error(`request ${method} was expected to fail`);
	}

	/** The classic client sequence: capabilities, transports, join. */
	async join({ displayName = 'test peer', produce = true, consume = true, dataChannels = true }: JoinOptions = {}) {
		const routerRtpCapabilities = await this.request('getRouterRtpCapabilities');
		await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as msc.RtpCapabilities });
		// mediasoup-client 3.24 no longer reports SCTP capabilities; the server
		// only needs to know data channels are wanted, as the browser app says.
		const sctpCapabilities = dataChannels ? { numStreams: { OS: 1024, MIS: 1024 } } : undefined;
		if (produce) this.sendTransport = await this.#createTransport('send', sctpCapabilities);
		if (consume) this.recvTransport = await this.#createTransport('recv', sctpCapabilities);
		return this.request('join', {
			displayName,
			device: { flag: 'test', name: this.constructor.name, version: '1' },
			rtpCapabilities: consume ? this.device.rtpCapabilities : undefined,
			sctpCapabilities: consume ? sctpCapabilities : undefined,
		});
	}

	async #createTransport(direction: 'send' | 'recv', sctpCapabilities: SctpCapabilities | undefined) {
		const info = await this.request('createWebRtcTransport', {
			forceTcp: this.forceTcp,
			producing: direction === 'send',
			consuming: direction === 'recv',
			sctpCapabilities,
		});
		const server = info as unknown as msc.TransportOptions;
		const options = {
			...server,
			iceCandidates: server.iceCandidates.map((candidate) => this.remoteCandidate(candidate)),
			...this.transportOptions(),
		};
		const transport =
			direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.request('connectWebRtcTransport', {
				transportId: transport.id,
				dtlsParameters: this.connectDtlsParameters(dtlsParameters),
			}).then(callback, errback);
		});
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			this.request('produce', { transportId: transport.id, kind, rtpParameters, appData }).then(
				(response) => callback(response as { id: string }),
				errback,
			);
		});
		transport.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
			this.request('produceData', { transportId: transport.id, sctpStreamParameters, label, protocol, appData }).then(
				(response) => callback(response as { id: string }),
				errback,
			);
		});
		return transport;
	}

	async produceData(label: string): Promise<msc.DataProducer> {
		if (!this.sendTransport) throw new Error('joined without a send transport');
		return this.sendTransport.produceData({ label });
	}

	notificationsOf(method: string): Record<string, unknown>[] {
		return this.notifications.filter((n) => n.method === method).map((n) => n.data);
	}

	waitForNotification(method: string, match: (data: Record<string, unknown>) => boolean = () => true) {
		return waitFor(`notification ${method}`, () => this.notificationsOf(method).find(match));
	}

	close(): void {
		this.protoo.close();
	}
}
