// The REST API for broadcasters (PROTOCOL.md section 2): request bodies,
// query strings and answers. Bodies use the same field schemas and the same
// error wording as the WebSocket protocol.
import { z } from 'zod';
import { type WebRtcTransportInfo, webRtcTransportInfoSchema } from './clientResponses.ts';
import { appDataSchema, displayNameSchema, idSchema, labelSchema } from './fields.ts';
import { MAX_DEVICE_FIELD_LENGTH } from './limits.ts';
import type { ParseFailure } from './methodMap.ts';
import { peerInfoSchema } from './peer.ts';
import {
	codecsOfKind,
	dtlsParametersSchema,
	mediaKindSchema,
	rtpCapabilitiesSchema,
	rtpParametersSchema,
	sctpCapabilitiesSchema,
	sctpStreamParametersSchema,
	srtpCryptoSuiteSchema,
	srtpParametersSchema,
} from './rtp.ts';
import { consumerTypeSchema } from './serverRequests.ts';
import { invalidReason } from './validationReason.ts';

// producers and produce/data answer {id}, like their WebSocket counterparts.
export { type IdResponse, idResponseSchema } from './clientResponses.ts';

// --- Request bodies ---

/** POST /rooms/:roomId/broadcasters */
export const createBroadcasterBodySchema = z.object({
	id: idSchema,
	// Unlike a browser peer, a broadcaster has nothing else to be recognised by.
	displayName: displayNameSchema.min(1),
	device: z.object({
		name: z.string().min(1).max(MAX_DEVICE_FIELD_LENGTH),
		version: z.string().max(MAX_DEVICE_FIELD_LENGTH).optional(),
	}),
	// Without them the broadcaster only sends: the answer lists no producers.
	rtpCapabilities: rtpCapabilitiesSchema.optional(),
});
export type CreateBroadcasterBody = z.output<typeof createBroadcasterBodySchema>;

// The classic demo's defaults for a PlainTransport: RTP and RTCP on separate
// ports (what ffmpeg's rtp output expects) and comedia on, so the sender's
// address is learnt from its first packet and no connect call is needed.
export const DEFAULT_PLAIN_RTCP_MUX = false;
export const DEFAULT_PLAIN_COMEDIA = true;

/**
 * Ours: `srtp: true` makes a plain transport encrypt what it sends with this
 * suite (what WebRTC with Chrome uses), or with the one `srtpCryptoSuite`
 * names; the answer carries the transport's key, and connect must give the
 * receiver's. Only with comedia false, since connect is where the receiver's
 * key comes in.
 */
export const PLAIN_SRTP_CRYPTO_SUITE = 'AEAD_AES_256_GCM';

const createPlainTransportBodySchema = z.object({
	type: z.literal('plain'),
	rtcpMux: z.boolean().default(DEFAULT_PLAIN_RTCP_MUX),
	comedia: z.boolean().default(DEFAULT_PLAIN_COMEDIA),
	srtp: z.boolean().optional(),
	/** Ours: with srtp, the suite instead of PLAIN_SRTP_CRYPTO_SUITE (e.g. AES_CM_128_HMAC_SHA1_80). */
	srtpCryptoSuite: srtpCryptoSuiteSchema.optional(),
	sctpCapabilities: sctpCapabilitiesSchema.optional(),
});

const createWebRtcTransportBodySchema = z.object({
	type: z.literal('webrtc'),
	sctpCapabilities: sctpCapabilitiesSchema.optional(),
});

/** POST .../broadcasters/:broadcasterId/transports */
export const createBroadcasterTransportBodySchema = z.discriminatedUnion('type', [
	createPlainTransportBodySchema,
	createWebRtcTransportBodySchema,
]);
export type CreateBroadcasterTransportBody = z.output<typeof createBroadcasterTransportBodySchema>;

/** POST .../transports/:transportId/connect (WebRTC transports only). */
export const connectBroadcasterTransportBodySchema = z.object({ dtlsParameters: dtlsParametersSchema });
export type ConnectBroadcasterTransportBody = z.output<typeof connectBroadcasterTransportBodySchema>;

const portSchema = z.int().min(1).max(65535);

/**
 * Ours: POST .../transports/:transportId/connect on a plain transport made
 * with comedia false: where it sends RTP (and RTCP, on rtcpPort unless the
 * transport multiplexes them). Receivers (ffmpeg-receiver.sh, the load
 * tester) need it; the classic API could only learn the address by comedia.
 */
export const connectPlainTransportBodySchema = z.object({
	ip: z.union([z.ipv4(), z.ipv6()]),
	port: portSchema,
	rtcpPort: portSchema.optional(),
	/** Ours: required for a transport made with srtp (the receiver's suite and key). */
	srtpParameters: srtpParametersSchema.optional(),
});
export type ConnectPlainTransportBody = z.output<typeof connectPlainTransportBodySchema>;

/** POST .../transports/:transportId/producers */
export const createBroadcasterProducerBodySchema = z
	.object({
		kind: mediaKindSchema,
		rtpParameters: rtpParametersSchema,
		appData: appDataSchema,
	})
	.superRefine(codecsOfKind);
export type CreateBroadcasterProducerBody = z.output<typeof createBroadcasterProducerBodySchema>;

/** The query string of POST .../transports/:transportId/consume?producerId=ID */
export const broadcasterConsumeQuerySchema = z.object({ producerId: idSchema });
export type BroadcasterConsumeQuery = z.output<typeof broadcasterConsumeQuerySchema>;

/** POST .../transports/:transportId/consume/data */
export const broadcasterConsumeDataBodySchema = z.object({ dataProducerId: idSchema });
export type BroadcasterConsumeDataBody = z.output<typeof broadcasterConsumeDataBodySchema>;

/** POST .../transports/:transportId/produce/data */
export const broadcasterProduceDataBodySchema = z.object({
	label: labelSchema,
	protocol: labelSchema,
	sctpStreamParameters: sctpStreamParametersSchema,
	appData: appDataSchema,
});
export type BroadcasterProduceDataBody = z.output<typeof broadcasterProduceDataBodySchema>;

// --- Answers ---

/** Another peer as a broadcaster sees it: with the producers it can consume. */
export const broadcasterPeerInfoSchema = peerInfoSchema.extend({
	producers: z.array(z.object({ id: idSchema, kind: mediaKindSchema })),
});
export type BroadcasterPeerInfo = z.infer<typeof broadcasterPeerInfoSchema>;

export const createBroadcasterResponseSchema = z.object({ peers: z.array(broadcasterPeerInfoSchema) });
export type CreateBroadcasterResponse = z.infer<typeof createBroadcasterResponseSchema>;

/** Where to send RTP to; rtcpPort is absent when rtcpMux is on; srtpParameters only with srtp. */
export const plainTransportInfoSchema = z.object({
	id: idSchema,
	ip: z.string(),
	port: z.int().min(0),
	rtcpPort: z.int().min(0).optional(),
	srtpParameters: srtpParametersSchema.optional(),
});
export type PlainTransportInfo = z.infer<typeof plainTransportInfoSchema>;

export const createBroadcasterTransportResponseSchema = z.union([plainTransportInfoSchema, webRtcTransportInfoSchema]);
export type CreateBroadcasterTransportResponse = PlainTransportInfo | WebRtcTransportInfo;

export const broadcasterConsumeResponseSchema = z.object({
	id: idSchema,
	producerId: idSchema,
	kind: mediaKindSchema,
	rtpParameters: rtpParametersSchema,
	type: consumerTypeSchema,
});
export type BroadcasterConsumeResponse = z.infer<typeof broadcasterConsumeResponseSchema>;

export const broadcasterConsumeDataResponseSchema = z.object({ id: idSchema, streamId: z.int().min(0) });
export type BroadcasterConsumeDataResponse = z.infer<typeof broadcasterConsumeDataResponseSchema>;

// --- Parsing ---

export type ParseBodyResult<T> = { ok: true; data: T } | ParseFailure;

/**
 * Validates a request body (or query) against one of the schemas above. A
 * missing body (express leaves req.body undefined without a JSON body) counts
 * as {}, so the reason names the first missing field.
 */
export function parseBody<S extends z.ZodType>(
	schema: S,
	body: unknown,
	subject = 'request body',
): ParseBodyResult<z.output<S>> {
	const result = schema.safeParse(body ?? {}, { reportInput: true });
	if (result.success) return { ok: true, data: result.data };
	return { ok: false, code: 400, reason: invalidReason(subject, result.error) };
}
