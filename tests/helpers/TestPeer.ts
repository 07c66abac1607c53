// A headless client of our server for integration tests: protoo-client over a
// real WebSocket, and mediasoup-client's Device (FakeHandler for
// signaling-only peers) running the same join / produce / newConsumer
// protocol as the browser app. It records what a user's client would see.
import { Device, type types as msc } from 'mediasoup-client';
import * as fakeParameters from 'mediasoup-client/fakeParameters';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import * as protooClient from 'protoo-client';
import type { SctpCapabilities } from '../../protocol/rtp.ts';
import type { ClientRequestMethod, ClientResponses } from '../../protocol/signaling.ts';
import { fakeTrack } from './fakeTrack.ts';
import { waitFor } from './waitFor.ts';

export interface Notification {
	method: string;
	data: Record<string, unknown>;
}

export interface TestPeerOptions {
	url: string;
	/** PEM of the server's certificate, trusted for this connection only. */
	ca: string;
	/** Answer newConsumer / newDataConsumer requests (default true). */
	acceptConsumers?: boolean;
}

export class TestPeer {
	readonly protoo: protooClient.Peer;
	readonly notifications: Notification[] = [];
	readonly consumers = new Map<string, msc.Consumer>();
	readonly dataConsumers = new Map<string, msc.DataConsumer>();
	readonly device = new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) });
	sendTransport: msc.Transport | undefined;
	recvTransport: msc.Transport | undefined;
	closed = false;

	static async connect(options: TestPeerOptions): Promise<TestPeer> {
		const transport = new protooClient.WebSocketTransport(options.url, {
			retry: { retries: 0 },
			clientConfig: { tlsOptions: { ca: options.ca } },
		});
		const peer = new TestPeer(new protooClient.Peer(transport), options.acceptConsumers ?? true);
		await new Promise<void>((resolve, reject) => {
			peer.protoo.on('open', () => resolve());
			peer.protoo.on('failed', () => reject(new Error(`WebSocket to ${options.url} failed`)));
			peer.protoo.on('close', () => reject(new Error(`WebSocket to ${options.url} closed`)));
		});
		return peer;
	}

	private constructor(protoo: protooClient.Peer, acceptConsumers: boolean) {
		this.protoo = protoo;
		protoo.on('close', () => {
			this.closed = true;
		});
		protoo.on('notification', (notification) =>
			this.notifications.push({ method: notification.method, data: notification.data ?? {} }),
		);
		protoo.on('request', (request, accept, reject) => {
			if (!acceptConsumers) {
				reject(403, 'not accepting');
				return;
			}
			this.#onServerRequest({ method: request.method, data: request.data ?? {} }).then(
				() => accept(),
				(error: Error) => reject(500, error.message),
			);
		});
	}

	async #onServerRequest(request: { method: string; data: Record<string, unknown> }): Promise<void> {
		if (request.method === 'newConsumer') {
			const { id, producerId, kind, rtpParameters } = request.data as unknown as msc.ConsumerOptions;
			const transport = this.recvTransport;
			if (!transport) throw new Error('no receive transport');
			const consumer = await transport.consume({ id, producerId, kind, rtpParameters, appData: request.data });
			this.consumers.set(consumer.id, consumer);
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
		} else {
			throw new Error(`unexpected server request ${request.method}`);
		}
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
	async join({
		displayName = 'test peer',
		produce = true,
		consume = true,
		dataChannels = true,
	}: {
		displayName?: string;
		produce?: boolean;
		consume?: boolean;
		dataChannels?: boolean;
	} = {}) {
		const routerRtpCapabilities = await this.request('getRouterRtpCapabilities');
		await this.device.load({ routerRtpCapabilities: routerRtpCapabilities as msc.RtpCapabilities });
		// mediasoup-client 3.24 no longer reports SCTP capabilities; the server
		// only needs to know data channels are wanted, as the browser app says.
		const sctpCapabilities = dataChannels ? { numStreams: { OS: 1024, MIS: 1024 } } : undefined;
		if (produce) this.sendTransport = await this.#createTransport('send', sctpCapabilities);
		if (consume) this.recvTransport = await this.#createTransport('recv', sctpCapabilities);
		return this.request('join', {
			displayName,
			device: { flag: 'test', name: 'TestPeer', version: '1' },
			rtpCapabilities: consume ? this.device.rtpCapabilities : undefined,
			sctpCapabilities: consume ? sctpCapabilities : undefined,
		});
	}

	async #createTransport(direction: 'send' | 'recv', sctpCapabilities: SctpCapabilities | undefined) {
		const info = await this.request('createWebRtcTransport', {
			forceTcp: false,
			producing: direction === 'send',
			consuming: direction === 'recv',
			sctpCapabilities,
		});
		const options = info as unknown as msc.TransportOptions;
		const transport =
			direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters }).then(callback, errback);
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

	async produce(kind: 'audio' | 'video'): Promise<msc.Producer> {
		if (!this.sendTransport) throw new Error('joined without a send transport');
		return this.sendTransport.produce({ track: fakeTrack(kind) });
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
