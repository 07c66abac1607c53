// Client -> server protoo requests (PROTOCOL.md section 1): the schema of the
// `data` of every method. Request objects strip unknown top-level fields (the
// server never needs them); the RTP objects inside stay loose (see rtp.ts).
import { z } from 'zod';
import { appDataSchema, displayNameSchema, idSchema, labelSchema, secretSchema } from './fields.ts';
import { MAX_CONSUMER_PRIORITY, MIN_CONSUMER_PRIORITY } from './limits.ts';
import { type MessageOf, parseMessage } from './methodMap.ts';
import { moderationRequests } from './moderation.ts';
import { deviceInfoSchema } from './peer.ts';
import {
	codecsOfKind,
	dtlsParametersSchema,
	mediaKindSchema,
	rtpCapabilitiesSchema,
	rtpParametersSchema,
	sctpCapabilitiesSchema,
	sctpStreamParametersSchema,
} from './rtp.ts';

/** protoo sends `data: {}` for a request without data; anything else in it is ignored. */
const noData = z.object({});

const transportRef = z.object({ transportId: idSchema });
const producerRef = z.object({ producerId: idSchema });
const consumerRef = z.object({ consumerId: idSchema });
const dataProducerRef = z.object({ dataProducerId: idSchema });
const dataConsumerRef = z.object({ dataConsumerId: idSchema });

const layerSchema = z.int().min(0);

/** A throttle setting in the units of the classic demo (bps, ms, %). */
const throttleValue = z.number().min(0).optional();

const join = z.object({
	// The contract names both, and every client of the dialect sends them; the
	// name may be empty (the server falls back to a default one), and each field
	// of device is optional.
	displayName: displayNameSchema,
	device: deviceInfoSchema,
	// A peer that joins without rtpCapabilities never consumes (PROTOCOL.md).
	rtpCapabilities: rtpCapabilitiesSchema.optional(),
	sctpCapabilities: sctpCapabilitiesSchema.optional(),
});

const createWebRtcTransport = z.object({
	forceTcp: z.boolean().default(false),
	producing: z.boolean().default(false),
	consuming: z.boolean().default(false),
	sctpCapabilities: sctpCapabilitiesSchema.optional(),
});

const connectWebRtcTransport = transportRef.extend({ dtlsParameters: dtlsParametersSchema });

const produce = transportRef
	.extend({
		kind: mediaKindSchema,
		rtpParameters: rtpParametersSchema,
		appData: appDataSchema,
	})
	.superRefine(codecsOfKind);

const setConsumerPreferredLayers = consumerRef.extend({
	spatialLayer: layerSchema,
	// Omitted: mediasoup picks the highest temporal layer of that spatial layer.
	temporalLayer: layerSchema.optional(),
});

const setConsumerPriority = consumerRef.extend({
	priority: z.int().min(MIN_CONSUMER_PRIORITY).max(MAX_CONSUMER_PRIORITY),
});

const produceData = transportRef.extend({
	sctpStreamParameters: sctpStreamParametersSchema,
	label: labelSchema,
	protocol: labelSchema,
	appData: appDataSchema,
});

// The secret is optional on the wire so that a missing one is answered like a
// wrong one (403), not as malformed input (400).
const applyNetworkThrottle = z.object({
	secret: secretSchema.optional(),
	uplink: throttleValue,
	downlink: throttleValue,
	rtt: throttleValue,
	packetLoss: z.number().min(0).max(100).optional(),
});

const resetNetworkThrottle = z.object({ secret: secretSchema.optional() });

export const clientRequests = {
	getRouterRtpCapabilities: noData,
	join,
	createWebRtcTransport,
	connectWebRtcTransport,
	restartIce: transportRef,
	produce,
	closeProducer: producerRef,
	pauseProducer: producerRef,
	resumeProducer: producerRef,
	pauseConsumer: consumerRef,
	resumeConsumer: consumerRef,
	setConsumerPreferredLayers,
	setConsumerPriority,
	requestConsumerKeyFrame: consumerRef,
	produceData,
	changeDisplayName: z.object({ displayName: displayNameSchema }),
	getTransportStats: transportRef,
	getProducerStats: producerRef,
	getConsumerStats: consumerRef,
	getDataProducerStats: dataProducerRef,
	getDataConsumerStats: dataConsumerRef,
	applyNetworkThrottle,
	resetNetworkThrottle,
	// Ours: TURN servers with short-lived credentials (protocol/iceServers.ts).
	getIceServers: noData,
	// Ours: recording (protocol/recording.ts).
	startRecording: noData,
	stopRecording: noData,
	// Ours: moderation and the lobby (protocol/moderation.ts).
	...moderationRequests,
};

export type ClientRequestMethod = keyof typeof clientRequests;

/** The data of a request after validation (defaults applied). */
export type ClientRequestData<M extends ClientRequestMethod> = z.output<(typeof clientRequests)[M]>;

/** What a client may send (defaulted fields optional): for typed senders. */
export type ClientRequestInput<M extends ClientRequestMethod> = z.input<(typeof clientRequests)[M]>;

/** A validated request, narrowed by `method` in a switch. */
export type ClientRequest = MessageOf<typeof clientRequests>;

/** Validates an incoming protoo request; on failure gives the 400 reason to reject with. */
export const parseClientRequest = (method: unknown, data: unknown) =>
	parseMessage(clientRequests, 'request', method, data);
