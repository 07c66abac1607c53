// A client of our server whose media really flows: mediasoup-client's
// Chrome111 handler on werift's WebRTC stack (see werift.ts), so its
// transports do ICE + DTLS + SRTP + SCTP with the server's WebRtcServer as a
// browser's would. The protocol is SignalingPeer's (the same as TestPeer);
// this adds what a user sees and hears: RTP received per consumer, text
// received per data consumer, and a microphone that sends real RTP.
import { Device, type types as msc } from 'mediasoup-client';
import type * as protooClient from 'protoo-client';
import type * as werift from 'werift';
import type { IceParameters } from '../../protocol/rtp.ts';
import { openProtoo, SignalingPeer, type SignalingPeerOptions } from './SignalingPeer.ts';
import { waitFor } from './waitFor.ts';
import {
	asWeriftTrack,
	audioLevelExtension,
	createRtpTrack,
	installWeriftGlobals,
	opusPayload,
	rtpPacket,
	vp8KeyFramePayload,
} from './werift.ts';

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

export interface WebRtcTestPeerOptions extends SignalingPeerOptions {
	/** Ask the server for TCP-only transports (the app's forceTcp flag); werift then connects over TCP. */
	forceTcp?: boolean;
	/** Send these DTLS parameters instead of the real ones in connectWebRtcTransport. */
	tamperDtls?: (dtlsParameters: msc.DtlsParameters) => msc.DtlsParameters;
	/** Reach the server's ICE candidates elsewhere (through a TcpProxy, to cut the media's network). */
	mediaVia?: (candidate: msc.IceCandidate) => msc.IceCandidate;
}

/** A source that sends real RTP on a producer until stopped. */
export interface RtpSender {
	readonly producer: msc.Producer;
	/** The negotiated ssrc-audio-level extension id (audio), if any. */
	readonly audioLevelId: number | undefined;
	/** RTP packets written so far. */
	readonly packetsSent: number;
	/** The level written in ssrc-audio-level (-dBov: 0 loudest, 127 silence). */
	audioLevel: number;
	stop(): void;
}

type Interval = ReturnType<typeof setInterval>;

export class WebRtcTestPeer extends SignalingPeer {
	/** RTP packets received (decrypted) on each consumer, by consumer id. */
	readonly rtpReceived = new Map<string, number>();
	/** Text received on each data consumer, by data consumer id. */
	readonly messages = new Map<string, string[]>();
	readonly #options: WebRtcTestPeerOptions;
	readonly #pumps = new Set<Interval>();
	readonly #dataProducers: msc.DataProducer[] = [];

	/** Connects to a room of a test server (see testServer.ts) as `peerId`. */
	static connectTo(
		server: { port: number; ca: string },
		roomId: string,
		peerId: string,
		options: Partial<WebRtcTestPeerOptions> = {},
	): Promise<WebRtcTestPeer> {
		const query = `roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(peerId)}`;
		return WebRtcTestPeer.connect({ url: `wss://127.0.0.1:${server.port}/?${query}`, ca: server.ca, ...options });
	}

	static async connect(options: WebRtcTestPeerOptions): Promise<WebRtcTestPeer> {
		// Idempotent; a browser's RTP header extensions, for activeSpeaker and downlinkBwe.
		installWeriftGlobals({ browserRtp: true });
		const peer = new WebRtcTestPeer(openProtoo(options), options);
		await peer.opened;
		return peer;
	}

	private constructor(protoo: protooClient.Peer, options: WebRtcTestPeerOptions) {
		super(protoo, new Device({ handlerName: 'Chrome111' }), options);
		this.#options = options;
	}

	protected override get forceTcp(): boolean {
		return this.#options.forceTcp ?? false;
	}

	protected override transportOptions(): Partial<msc.TransportOptions> {
		if (!this.forceTcp) return {};
		// werift's own RTCPeerConnection setting (not in the DOM's RTCConfiguration):
		// gather TCP candidates, so it can reach the server's passive TCP ones.
		const weriftSettings: Partial<werift.PeerConfig> = { iceUseTcp: true };
		return { additionalSettings: weriftSettings as unknown as Partial<RTCConfiguration> };
	}

	protected override remoteCandidate(candidate: msc.IceCandidate): msc.IceCandidate {
		return this.#options.mediaVia ? this.#options.mediaVia(candidate) : candidate;
	}

	protected override connectDtlsParameters(dtlsParameters: msc.DtlsParameters): msc.DtlsParameters {
		return this.#options.tamperDtls ? this.#options.tamperDtls(dtlsParameters) : dtlsParameters;
	}

	protected override onConsumer(consumer: msc.Consumer): void {
		this.rtpReceived.set(consumer.id, 0);
		asWeriftTrack(consumer.track).onReceiveRtp.subscribe(() => {
			this.rtpReceived.set(consumer.id, (this.rtpReceived.get(consumer.id) ?? 0) + 1);
		});
	}

	protected override onDataConsumer(dataConsumer: msc.DataConsumer): void {
		const received: string[] = [];
		this.messages.set(dataConsumer.id, received);
		dataConsumer.on('message', (data: unknown) => {
			received.push(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8'));
		});
	}

	/** RTP packets received so far on the consumer of a producer (0 if none). */
	rtpReceivedFrom(producerId: string): number {
		let total = 0;
		for (const consumer of this.consumers.values()) {
			if (consumer.producerId === producerId) total += this.rtpReceived.get(consumer.id) ?? 0;
		}
		return total;
	}

	/** Text received so far on the data consumers with this label (e.g. 'bot', 'chat'). */
	messagesOn(label: string): string[] {
		return [...this.dataConsumers.values()]
			.filter((dataConsumer) => dataConsumer.label === label)
			.flatMap((dataConsumer) => this.messages.get(dataConsumer.id) ?? []);
	}

	/**
	 * A microphone or camera: produces a track and writes RTP to it, 50 packets
	 * a second (audio: 20 ms opus frames; video: VP8 key frames), until stopped.
	 * Audio carries ssrc-audio-level when negotiated, at `audioLevel`.
	 */
	async produceRtp(kind: 'audio' | 'video', { audioLevel = 127 }: { audioLevel?: number } = {}): Promise<RtpSender> {
		if (!this.sendTransport) throw new Error('joined without a send transport');
		const { track, source } = createRtpTrack(kind);
		const producer = await this.sendTransport.produce({ track, stopTracks: false });
		const audioLevelId = producer.rtpParameters.headerExtensions?.find((ext) => ext.uri === AUDIO_LEVEL_URI)?.id;
		let sequenceNumber = 0;
		const sender = {
			producer,
			audioLevelId,
			packetsSent: 0,
			audioLevel,
			stop: () => {
				clearInterval(pump);
				this.#pumps.delete(pump);
			},
		};
		const pump = setInterval(() => {
			const extensions = audioLevelId === undefined ? [] : [audioLevelExtension(audioLevelId, sender.audioLevel)];
			const packet =
				kind === 'audio'
					? rtpPacket(sequenceNumber, sequenceNumber * 960, 160, { extensions, payload: opusPayload() })
					: rtpPacket(sequenceNumber, sequenceNumber * 1800, 0, { payload: vp8KeyFramePayload() });
			source.writeRtp(packet);
			sequenceNumber++;
			sender.packetsSent++;
		}, 20);
		this.#pumps.add(pump);
		return sender;
	}

	/** A data producer whose channel is open, ready to send. */
	override async produceData(label: string): Promise<msc.DataProducer> {
		const dataProducer = await super.produceData(label);
		this.#dataProducers.push(dataProducer);
		await waitFor(`data channel "${label}" open`, () => dataProducer.readyState === 'open');
		return dataProducer;
	}

	/** New ICE parameters from the server, handed to the local transport (the app's ICE restart). */
	async restartIce(transport: msc.Transport): Promise<IceParameters> {
		const iceParameters = await this.request('restartIce', { transportId: transport.id });
		await transport.restartIce({ iceParameters });
		return iceParameters;
	}

	/**
	 * Stops the sources and closes the WebSocket and both WebRTC transports.
	 * werift keeps retrying what it started (DTLS, SCTP INIT) for half a
	 * minute after an abrupt close, holding the test process open: handshakes
	 * under way are let finish, and the data channels of connected transports
	 * let open, as they would in a browser, before everything is closed
	 * (unless the server closed this peer: its transports are gone then).
	 */
	override async close(): Promise<void> {
		for (const pump of this.#pumps) clearInterval(pump);
		this.#pumps.clear();
		const transports = [this.sendTransport, this.recvTransport].filter((transport) => transport !== undefined);
		if (!this.closed) await this.#settle();
		super.close();
		for (const transport of transports) transport.close();
	}

	async #settle(): Promise<void> {
		const transports = [this.sendTransport, this.recvTransport].filter((transport) => transport !== undefined);
		await waitFor(
			'handshakes finished before closing',
			() => transports.every((transport) => transport.closed || transport.connectionState !== 'connecting'),
			{ timeoutMs: 5_000 },
		).catch(() => {});
		const channels = [
			...(this.sendTransport?.connectionState === 'connected' ? this.#dataProducers : []),
			...(this.recvTransport?.connectionState === 'connected' ? this.dataConsumers.values() : []),
		];
		await waitFor(
			'data channels open before closing',
			() => channels.every((channel) => channel.closed || channel.readyState !== 'connecting'),
			{ timeoutMs: 5_000 },
		).catch(() => {});
	}
}
