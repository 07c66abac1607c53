// The sender's two streams as producers see them: the same RTP parameters for
// the server (sent as JSON to the REST API) and for bare mediasoup, so both
// forward byte-identical traffic.
import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import type { ReceiverTarget } from './FanoutRoom.ts';
import type { RtpStreamSpec } from './RtpSender.ts';

export const AUDIO_STREAM: RtpStreamSpec = { ssrc: 11111111, payloadType: 100 };
export const VIDEO_STREAM: RtpStreamSpec = { ssrc: 22222222, payloadType: 101 };

const AUDIO_RTP_PARAMETERS: types.RtpParameters = {
	codecs: [
		{
			mimeType: 'audio/opus',
			payloadType: AUDIO_STREAM.payloadType,
			clockRate: 48000,
			channels: 2,
			parameters: { useinbandfec: 1 },
		},
	],
	encodings: [{ ssrc: AUDIO_STREAM.ssrc }],
	rtcp: { cname: 'bench', reducedSize: true },
};

const VIDEO_RTP_PARAMETERS: types.RtpParameters = {
	codecs: [
		{
			mimeType: 'video/VP8',
			payloadType: VIDEO_STREAM.payloadType,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
		},
	],
	encodings: [{ ssrc: VIDEO_STREAM.ssrc }],
	rtcp: { cname: 'bench', reducedSize: true },
};

/** The sender's producers: audio, then video (the order of the SSRCs a FanoutRoom's addReceiver answers). */
export const SENDER_PRODUCERS: { kind: types.MediaKind; rtpParameters: types.RtpParameters }[] = [
	{ kind: 'audio', rtpParameters: AUDIO_RTP_PARAMETERS },
	{ kind: 'video', rtpParameters: VIDEO_RTP_PARAMETERS },
];

/** A consumer's SSRC, from the rtpParameters mediasoup (or the REST API) answered with. */
export function consumerSsrc(rtpParameters: { encodings?: { ssrc?: number | undefined }[] | undefined }): number {
	const ssrc = rtpParameters.encodings?.[0]?.ssrc;
	if (ssrc === undefined) throw new Error('consumer has no SSRC');
	return ssrc;
}

// Bandwidth estimation needs feedback that plain receivers never send; with it
// on, mediasoup sends them bandwidth probes (RTP padding) the sinks would count
// as media. Plain receivers (ffmpeg, GStreamer) do not negotiate it either.
const BWE_HEADER_EXTENSIONS = new Set([
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);
const BWE_FEEDBACK = new Set(['transport-cc', 'goog-remb']);

/** The router's capabilities minus bandwidth estimation: what every receiver announces. */
export function receiverRtpCapabilities(routerCapabilities: types.RtpCapabilities): types.RtpCapabilities {
	return {
		codecs: routerCapabilities.codecs?.map((codec) => ({
			...codec,
			rtcpFeedback: codec.rtcpFeedback?.filter((feedback) => !BWE_FEEDBACK.has(feedback.type)),
		})),
		headerExtensions: routerCapabilities.headerExtensions?.filter(
			(extension) => !BWE_HEADER_EXTENSIONS.has(extension.uri),
		),
	};
}

/** Bytes of master key and salt per suite (RFC 3711, RFC 7714). */
const SRTP_KEY_BYTES: Record<types.SrtpCryptoSuite, number> = {
	AEAD_AES_256_GCM: 32 + 12,
	AEAD_AES_128_GCM: 16 + 12,
	AES_CM_128_HMAC_SHA1_80: 16 + 14,
	AES_CM_128_HMAC_SHA1_32: 16 + 14,
};

/**
 * A receiver's SRTP parameters: the suite of its transport, and a random key.
 * The bench never decrypts (it counts packets and reads their headers, which
 * SRTP leaves in the clear), so the key only has to be valid.
 */
function receiverSrtpParameters(cryptoSuite: types.SrtpCryptoSuite): types.SrtpParameters {
	return { cryptoSuite, keyBase64: randomBytes(SRTP_KEY_BYTES[cryptoSuite]).toString('base64') };
}

/**
 * How a receiver's plain transport is connected, the same through the REST
 * API (its connect body) and on bare mediasoup (PlainTransport.connect): where
 * it sends RTP and RTCP, and with an SRTP suite the receiver's key.
 */
export function receiverConnectParameters(
	target: ReceiverTarget,
	srtp: types.SrtpCryptoSuite | undefined,
): ReceiverTarget & { srtpParameters?: types.SrtpParameters } {
	return {
		ip: target.ip,
		port: target.port,
		rtcpPort: target.rtcpPort,
		...(srtp === undefined ? {} : { srtpParameters: receiverSrtpParameters(srtp) }),
	};
}
