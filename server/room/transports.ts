// Creating transports with the configured options, connecting them, and what
// a failed transport of a peer means (its session cannot go on).
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { WebRtcTransportInfo } from '../../protocol/clientResponses.ts';
import type { SctpCapabilities } from '../../protocol/rtp.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { plainTransportListenInfo } from '../config/network.ts';
import { createHttpError } from '../errors.ts';
import { parseBweTrace } from './mediaEvents.ts';
import type { Peer } from './Peer.ts';

export interface WebRtcTransportRequest {
	forceTcp: boolean;
	producing: boolean;
	consuming: boolean;
	/** Present when the client does data channels: the transport then gets SCTP. */
	sctpCapabilities: SctpCapabilities | undefined;
}

export interface TransportAppData extends types.AppData {
	ownerId: string;
	/** WebRTC transports: set once connect() was called (see connectWebRtcTransportOnce). */
	connectCalled?: boolean;
	producing: boolean;
	consuming: boolean;
	/** Whether SCTP (data channels) is enabled on it. */
	sctp: boolean;
	/** Plain transports: whether it learns where to send from what it receives. */
	comedia?: boolean;
}

export async function createWebRtcTransport(
	router: types.Router,
	webRtcServer: types.WebRtcServer,
	config: ResolvedConfig,
	ownerId: string,
	request: WebRtcTransportRequest,
): Promise<types.WebRtcTransport<TransportAppData>> {
	const options = config.mediasoup.webRtcTransportOptions;
	const transport = await router.createWebRtcTransport<TransportAppData>({
		webRtcServer,
		// forceTcp: a client behind a UDP-hostile network asks for TCP only.
		enableUdp: !request.forceTcp,
		enableTcp: true,
		preferUdp: !request.forceTcp,
		iceConsentTimeout: 20,
		initialAvailableOutgoingBitrate: options.initialAvailableOutgoingBitrate,
		enableSctp: request.sctpCapabilities !== undefined,
		maxSendMessageSize: options.maxSctpMessageSize,
		maxReceiveMessageSize: options.maxSctpMessageSize,
		appData: {
			ownerId,
			producing: request.producing,
			consuming: request.consuming,
			sctp: request.sctpCapabilities !== undefined,
		},
	});
	await applyBitrateLimits(transport, config);
	return transport;
}

/** What a client needs of a new WebRTC transport to build its own end (createWebRtcTransport's answer). */
export function webRtcTransportInfo(transport: types.WebRtcTransport): WebRtcTransportInfo {
	return {
		id: transport.id,
		iceParameters: transport.iceParameters,
		iceCandidates: transport.iceCandidates,
		dtlsParameters: transport.dtlsParameters,
		sctpParameters: transport.sctpParameters,
	};
}

export interface PlainTransportRequest {
	rtcpMux: boolean;
	comedia: boolean;
	/** Encrypt what it sends with this suite (connect() then needs the remote's key). */
	srtpCryptoSuite?: types.SrtpCryptoSuite | undefined;
	/** Present when the client does data channels: the transport then gets SCTP. */
	sctpCapabilities: SctpCapabilities | undefined;
}

export async function createPlainTransport(
	router: types.Router,
	config: ResolvedConfig,
	ownerId: string,
	request: PlainTransportRequest,
): Promise<types.PlainTransport<TransportAppData>> {
	return router.createPlainTransport<TransportAppData>({
		listenInfo: plainTransportListenInfo(config),
		rtcpMux: request.rtcpMux,
		comedia: request.comedia,
		enableSrtp: request.srtpCryptoSuite !== undefined,
		...(request.srtpCryptoSuite ? { srtpCryptoSuite: request.srtpCryptoSuite } : {}),
		enableSctp: request.sctpCapabilities !== undefined,
		maxSendMessageSize: config.mediasoup.plainTransportOptions.maxSctpMessageSize,
		maxReceiveMessageSize: config.mediasoup.plainTransportOptions.maxSctpMessageSize,
		// A plain transport both sends and receives: a broadcaster may consume on it.
		appData: {
			ownerId,
			producing: true,
			consuming: true,
			sctp: request.sctpCapabilities !== undefined,
			comedia: request.comedia,
		},
	});
}

/**
 * DTLS is set up once per transport; a second connect is the client's mistake
 * (409), not a server failure. The mark is set before the await so that two
 * connects sent together are caught too, and dropped when mediasoup refused the
 * parameters, so the client can try again with good ones.
 */
export async function connectWebRtcTransportOnce(
	transport: types.WebRtcTransport,
	dtlsParameters: types.DtlsParameters,
): Promise<void> {
	if (transport.appData.connectCalled === true) {
		throw createHttpError(409, `transport "${transport.id}" is already connected`);
	}
	transport.appData.connectCalled = true;
	try {
		await transport.connect({ dtlsParameters });
	} catch (error) {
		transport.appData.connectCalled = false;
		throw error;
	}
}

/**
 * A failed transport ends the peer's session: it is closed (transportFailed),
 * and its client may join again. Failed means DTLS failed (a handshake that
 * did not complete) or closed (the client closed its side): either way no
 * media flows on it again. ICE going `disconnected` is no failure: it is
 * what a network that went away looks like (no consent for 20 s, or the TCP
 * connection gone), and a client that resumes its session restarts ICE on the
 * same transport. So a reconnecting peer keeps its transports for its grace
 * period. (mediasoup never reports ICE `closed`: that is only the state of a
 * transport closed on this side.)
 */
export function watchPeerTransport(peer: Peer, transport: types.WebRtcTransport, log: Logger): void {
	const fail = (why: string) => {
		if (peer.closed) return;
		log.warn({ peerId: peer.id, transportId: transport.id, why }, 'transport failed');
		peer.closeFor('transportFailed');
	};
	transport.on('icestatechange', (state) => {
		log.debug({ peerId: peer.id, transportId: transport.id, state }, 'ICE state');
	});
	transport.on('dtlsstatechange', (state) => {
		if (state === 'failed' || state === 'closed') fail(`DTLS ${state}`);
	});
	transport.on('sctpstatechange', (state) => {
		log.debug({ peerId: peer.id, transportId: transport.id, state }, 'SCTP state');
	});
	// Downlink bandwidth estimation for the client's stats.
	void transport.enableTraceEvent(['bwe']).catch(() => {});
	transport.on('trace', (trace) => {
		const bwe = parseBweTrace(trace);
		if (bwe) peer.notify('downlinkBwe', bwe);
	});
}

async function applyBitrateLimits(transport: types.WebRtcTransport, config: ResolvedConfig): Promise<void> {
	const { maxIncomingBitrate, minimumAvailableOutgoingBitrate } = config.mediasoup.webRtcTransportOptions;
	await transport.setMaxIncomingBitrate(maxIncomingBitrate);
	await transport.setMinOutgoingBitrate(minimumAvailableOutgoingBitrate);
}
