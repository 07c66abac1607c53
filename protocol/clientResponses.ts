// What the server answers to each client request (the `data` of a protoo
// success response). The interface is what the server must produce and what
// the app receives; the schemas let the app and the tests check a response.
import { z } from 'zod';
import { grantsSchema } from './access.ts';
import type { ClientRequestMethod } from './clientRequests.ts';
import { idSchema } from './fields.ts';
import { type IceServersResponse, iceServersResponseSchema } from './iceServers.ts';
import {
	type RecordingStarted,
	type RecordingStopped,
	recordingStartedSchema,
	recordingStoppedSchema,
} from './recording.ts';
import {
	dtlsParametersSchema,
	type IceParameters,
	iceCandidateSchema,
	iceParametersSchema,
	type RtpCapabilities,
	rtpCapabilitiesSchema,
	sctpParametersSchema,
} from './rtp.ts';
import { roomPeerSchema } from './session.ts';

export const idResponseSchema = z.object({ id: idSchema });
export type IdResponse = z.infer<typeof idResponseSchema>;

export const joinResponseSchema = z.object({
	// Ours: a peer in its grace period carries reconnecting: true.
	peers: z.array(roomPeerSchema),
	// Ours (optional: a classic server sends none): what this peer may do,
	// whether the room is locked, and the secret that resumes this session
	// (protocol/session.ts).
	grants: grantsSchema.optional(),
	locked: z.boolean().optional(),
	resumeSecret: z.string().optional(),
});
export type JoinResponse = z.infer<typeof joinResponseSchema>;

/** What a client needs to create its local transport (also used by the REST API). */
export const webRtcTransportInfoSchema = z.object({
	id: idSchema,
	iceParameters: iceParametersSchema,
	iceCandidates: z.array(iceCandidateSchema),
	dtlsParameters: dtlsParametersSchema,
	// Present only when the transport was created with sctpCapabilities.
	sctpParameters: sctpParametersSchema.optional(),
});
export type WebRtcTransportInfo = z.infer<typeof webRtcTransportInfoSchema>;

/** mediasoup's getStats() array, passed through as is. */
export const statsResponseSchema = z.array(z.unknown());
export type StatsResponse = unknown[];

/**
 * Methods that answer nothing. protoo puts `{}` on the wire in that case;
 * whatever arrives is ignored.
 */
const noResponse = z.unknown().transform((): undefined => undefined);

export interface ClientResponses {
	getRouterRtpCapabilities: RtpCapabilities;
	join: JoinResponse;
	createWebRtcTransport: WebRtcTransportInfo;
	connectWebRtcTransport: undefined;
	restartIce: IceParameters;
	produce: IdResponse;
	closeProducer: undefined;
	pauseProducer: undefined;
	resumeProducer: undefined;
	pauseConsumer: undefined;
	resumeConsumer: undefined;
	setConsumerPreferredLayers: undefined;
	setConsumerPriority: undefined;
	requestConsumerKeyFrame: undefined;
	produceData: IdResponse;
	changeDisplayName: undefined;
	getTransportStats: StatsResponse;
	getProducerStats: StatsResponse;
	getConsumerStats: StatsResponse;
	getDataProducerStats: StatsResponse;
	getDataConsumerStats: StatsResponse;
	applyNetworkThrottle: undefined;
	resetNetworkThrottle: undefined;
	getIceServers: IceServersResponse;
	startRecording: RecordingStarted;
	stopRecording: RecordingStopped;
	muteProducer: undefined;
	removePeer: undefined;
	setPeerGrants: undefined;
	lockRoom: undefined;
	admitPeer: undefined;
	denyPeer: undefined;
	endRoom: undefined;
}

/**
 * One schema per method, parsing into exactly ClientResponses[M]. The
 * `satisfies` makes the compiler check that every request method has an entry
 * (and so a ClientResponses member), and no other method does.
 */
export const clientResponses: { [M in keyof ClientResponses]: z.ZodType<ClientResponses[M], unknown> } = {
	getRouterRtpCapabilities: rtpCapabilitiesSchema,
	join: joinResponseSchema,
	createWebRtcTransport: webRtcTransportInfoSchema,
	connectWebRtcTransport: noResponse,
	restartIce: iceParametersSchema,
	produce: idResponseSchema,
	closeProducer: noResponse,
	pauseProducer: noResponse,
	resumeProducer: noResponse,
	pauseConsumer: noResponse,
	resumeConsumer: noResponse,
	setConsumerPreferredLayers: noResponse,
	setConsumerPriority: noResponse,
	requestConsumerKeyFrame: noResponse,
	produceData: idResponseSchema,
	changeDisplayName: noResponse,
	getTransportStats: statsResponseSchema,
	getProducerStats: statsResponseSchema,
	getConsumerStats: statsResponseSchema,
	getDataProducerStats: statsResponseSchema,
	getDataConsumerStats: statsResponseSchema,
	applyNetworkThrottle: noResponse,
	resetNetworkThrottle: noResponse,
	getIceServers: iceServersResponseSchema,
	startRecording: recordingStartedSchema,
	stopRecording: recordingStoppedSchema,
	muteProducer: noResponse,
	removePeer: noResponse,
	setPeerGrants: noResponse,
	lockRoom: noResponse,
	admitPeer: noResponse,
	denyPeer: noResponse,
	endRoom: noResponse,
} satisfies Record<ClientRequestMethod, z.ZodType>;
