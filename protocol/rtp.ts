// The mediasoup objects that travel inside signaling messages (RTP, ICE, DTLS,
// SCTP parameters). These schemas check structure and primitive types only, so
// a malformed message is rejected with an error naming the bad field before it
// reaches mediasoup; mediasoup still validates the semantics (known codecs,
// valid payload types, ...). Objects are loose: a field that mediasoup or a
// browser adds in a later version passes through untouched instead of being
// rejected or silently dropped.
//
// The inferred types are structurally close to mediasoup's but not identical
// (e.g. header extension URIs are plain strings here); the server casts a
// validated wire object to mediasoup's type in one place.
import { z } from 'zod';

/** A non-negative integer: ports, payload types, SSRCs, stream ids. */
const uint = z.int().min(0);

/** Codec-specific parameters (fmtp): values are strings or numbers in practice. */
const codecParametersSchema = z.record(z.string(), z.unknown());

export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

export const rtcpFeedbackSchema = z.looseObject({
	type: z.string(),
	parameter: z.string().optional(),
});
export type RtcpFeedback = z.infer<typeof rtcpFeedbackSchema>;

// --- Capabilities (what a router or a device can send/receive) ---

export const rtpCodecCapabilitySchema = z.looseObject({
	kind: mediaKindSchema,
	mimeType: z.string(),
	preferredPayloadType: uint,
	clockRate: uint,
	channels: uint.optional(),
	parameters: codecParametersSchema.optional(),
	rtcpFeedback: z.array(rtcpFeedbackSchema).optional(),
});
export type RtpCodecCapability = z.infer<typeof rtpCodecCapabilitySchema>;

export const rtpHeaderExtensionDirectionSchema = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export const rtpHeaderExtensionSchema = z.looseObject({
	kind: mediaKindSchema,
	uri: z.string(),
	preferredId: uint,
	preferredEncrypt: z.boolean().optional(),
	direction: rtpHeaderExtensionDirectionSchema.optional(),
});
export type RtpHeaderExtension = z.infer<typeof rtpHeaderExtensionSchema>;

export const rtpCapabilitiesSchema = z.looseObject({
	codecs: z.array(rtpCodecCapabilitySchema).optional(),
	headerExtensions: z.array(rtpHeaderExtensionSchema).optional(),
});
export type RtpCapabilities = z.infer<typeof rtpCapabilitiesSchema>;

// --- Parameters (what one producer sends / one consumer receives) ---

export const rtpCodecParametersSchema = z.looseObject({
	mimeType: z.string(),
	payloadType: uint,
	clockRate: uint,
	channels: uint.optional(),
	parameters: codecParametersSchema.optional(),
	rtcpFeedback: z.array(rtcpFeedbackSchema).optional(),
});
export type RtpCodecParameters = z.infer<typeof rtpCodecParametersSchema>;

export const rtpHeaderExtensionParametersSchema = z.looseObject({
	uri: z.string(),
	id: uint,
	encrypt: z.boolean().optional(),
	parameters: codecParametersSchema.optional(),
});
export type RtpHeaderExtensionParameters = z.infer<typeof rtpHeaderExtensionParametersSchema>;

export const rtpEncodingParametersSchema = z.looseObject({
	ssrc: uint.optional(),
	rid: z.string().optional(),
	codecPayloadType: uint.optional(),
	rtx: z.looseObject({ ssrc: uint }).optional(),
	dtx: z.boolean().optional(),
	scalabilityMode: z.string().optional(),
	maxBitrate: z.number().min(0).optional(),
});
export type RtpEncodingParameters = z.infer<typeof rtpEncodingParametersSchema>;

export const rtcpParametersSchema = z.looseObject({
	cname: z.string().optional(),
	reducedSize: z.boolean().optional(),
});
export type RtcpParameters = z.infer<typeof rtcpParametersSchema>;

export const rtpParametersSchema = z.looseObject({
	mid: z.string().optional(),
	codecs: z.array(rtpCodecParametersSchema),
	headerExtensions: z.array(rtpHeaderExtensionParametersSchema).optional(),
	encodings: z.array(rtpEncodingParametersSchema).optional(),
	rtcp: rtcpParametersSchema.optional(),
	msid: z.string().optional(),
});
export type RtpParameters = z.infer<typeof rtpParametersSchema>;

/**
 * A refinement for what a producer sends, `{kind, rtpParameters}`: every codec
 * must be of that kind (an audio/opus codec in a video producer is refused;
 * mediasoup would accept it and forward nothing playable). RTX, RED and FEC
 * carry their kind in the MIME type too ("video/rtx").
 */
export function codecsOfKind(value: { kind: MediaKind; rtpParameters: RtpParameters }, ctx: z.RefinementCtx): void {
	value.rtpParameters.codecs.forEach((codec, index) => {
		if (!codec.mimeType.toLowerCase().startsWith(`${value.kind}/`)) {
			ctx.addIssue({
				code: 'custom',
				message: `${codec.mimeType} is not a ${value.kind} codec`,
				path: ['rtpParameters', 'codecs', index, 'mimeType'],
			});
		}
	});
}

// --- ICE and DTLS (WebRtcTransport) ---

export const iceParametersSchema = z.looseObject({
	usernameFragment: z.string(),
	password: z.string(),
	iceLite: z.boolean().optional(),
});
export type IceParameters = z.infer<typeof iceParametersSchema>;

export const iceCandidateSchema = z.looseObject({
	foundation: z.string(),
	priority: uint,
	// mediasoup sends both: `address` is current, `ip` the deprecated alias.
	address: z.string(),
	ip: z.string().optional(),
	protocol: z.enum(['udp', 'tcp']),
	port: uint,
	type: z.string(),
	tcpType: z.string().optional(),
});
export type IceCandidate = z.infer<typeof iceCandidateSchema>;

export const dtlsRoleSchema = z.enum(['auto', 'client', 'server']);
export type DtlsRole = z.infer<typeof dtlsRoleSchema>;

export const dtlsFingerprintSchema = z.looseObject({
	// mediasoup knows which hash algorithms it supports; a string is enough here.
	algorithm: z.string(),
	value: z.string(),
});
export type DtlsFingerprint = z.infer<typeof dtlsFingerprintSchema>;

export const dtlsParametersSchema = z.looseObject({
	role: dtlsRoleSchema.optional(),
	fingerprints: z.array(dtlsFingerprintSchema),
});
export type DtlsParameters = z.infer<typeof dtlsParametersSchema>;

// --- SRTP (plain transports, ours) ---

export const srtpCryptoSuiteSchema = z.enum([
	'AEAD_AES_256_GCM',
	'AEAD_AES_128_GCM',
	'AES_CM_128_HMAC_SHA1_80',
	'AES_CM_128_HMAC_SHA1_32',
]);

export const srtpParametersSchema = z.object({
	cryptoSuite: srtpCryptoSuiteSchema,
	keyBase64: z.base64().min(1),
});
export type SrtpParameters = z.infer<typeof srtpParametersSchema>;

// --- SCTP (DataChannels) ---

export const numSctpStreamsSchema = z.looseObject({
	OS: uint,
	MIS: uint,
});
export type NumSctpStreams = z.infer<typeof numSctpStreamsSchema>;

// Classic clients send these in join and createWebRtcTransport. mediasoup
// 3.27 and mediasoup-client 3.24 dropped the type (stream counts are no longer
// configurable), but the field stays in the dialect: its presence is what asks
// the server for an SCTP-enabled transport.
export const sctpCapabilitiesSchema = z.looseObject({
	numStreams: numSctpStreamsSchema,
});
export type SctpCapabilities = z.infer<typeof sctpCapabilitiesSchema>;

/**
 * SCTP stream ids are 16 bits, and WebRTC data channels reserve 65535 (RFC
 * 8831, section 6.5). mediasoup 3.27's transports have all 65535 streams.
 */
export const MAX_SCTP_STREAM_ID = 65534;

export const sctpStreamParametersSchema = z.looseObject({
	streamId: uint.max(MAX_SCTP_STREAM_ID),
	ordered: z.boolean().optional(),
	maxPacketLifeTime: uint.optional(),
	maxRetransmits: uint.optional(),
});
export type SctpStreamParameters = z.infer<typeof sctpStreamParametersSchema>;

// mediasoup 3.27 sends all of these; mediasoup-client 3.24 only needs the
// first three, and the classic demo's older mediasoup sent port, OS, MIS and
// maxMessageSize. Only the port is common to all of them.
export const sctpParametersSchema = z.looseObject({
	port: uint,
	maxSendMessageSize: uint.optional(),
	maxReceiveMessageSize: uint.optional(),
	OS: uint.optional(),
	MIS: uint.optional(),
	maxMessageSize: uint.optional(),
});
export type SctpParameters = z.infer<typeof sctpParametersSchema>;
