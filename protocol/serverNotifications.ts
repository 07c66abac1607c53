// Server -> client protoo notifications (PROTOCOL.md section 1).
import { z } from 'zod';
import { displayNameSchema, idSchema } from './fields.ts';
import { type MessageOf, parseMessage } from './methodMap.ts';
import { moderationNotifications } from './moderation.ts';
import { peerInfoSchema } from './peer.ts';
import { recordingStartedSchema, recordingStoppedSchema } from './recording.ts';
import { sessionNotifications } from './session.ts';

/** mediasoup's ProducerScore: one entry per encoding (simulcast stream). */
export const producerScoreSchema = z.looseObject({
	encodingIdx: z.int().min(0),
	ssrc: z.int().min(0),
	rid: z.string().optional(),
	score: z.number(),
});
export type ProducerScore = z.infer<typeof producerScoreSchema>;

/** mediasoup's ConsumerScore. */
export const consumerScoreSchema = z.looseObject({
	score: z.number(),
	producerScore: z.number(),
	producerScores: z.array(z.number()),
});
export type ConsumerScore = z.infer<typeof consumerScoreSchema>;

const consumerRef = z.object({ consumerId: idSchema });

const consumerLayersChanged = consumerRef.extend({
	// Both null when the consumer currently forwards no layer at all. mediasoup
	// may leave temporalLayer out, which JSON turns into a missing field.
	spatialLayer: z.int().min(0).nullable(),
	temporalLayer: z.int().min(0).nullable().default(null),
});

// Volume is in dBov (-127..0) as reported by mediasoup's AudioLevelObserver;
// {peerId: null} means silence.
const activeSpeaker = z.union([z.object({ peerId: idSchema, volume: z.number() }), z.object({ peerId: z.null() })]);

const downlinkBwe = z.object({
	desiredBitrate: z.number(),
	effectiveDesiredBitrate: z.number(),
	availableBitrate: z.number(),
});

export const serverNotifications = {
	'mediasoup-version': z.object({ version: z.string() }),
	newPeer: peerInfoSchema,
	peerClosed: z.object({ peerId: idSchema }),
	peerDisplayNameChanged: z.object({
		peerId: idSchema,
		displayName: displayNameSchema,
		oldDisplayName: displayNameSchema,
	}),
	producerScore: z.object({ producerId: idSchema, score: z.array(producerScoreSchema) }),
	consumerScore: consumerRef.extend({ score: consumerScoreSchema }),
	consumerClosed: consumerRef,
	consumerPaused: consumerRef,
	consumerResumed: consumerRef,
	consumerLayersChanged,
	dataConsumerClosed: z.object({ dataConsumerId: idSchema }),
	activeSpeaker,
	downlinkBwe,
	// Ours: recording (protocol/recording.ts).
	recordingStarted: recordingStartedSchema,
	recordingStopped: recordingStoppedSchema,
	// Ours: moderation and the lobby (protocol/moderation.ts).
	...moderationNotifications,
	// Ours: sessions that survive the network, and why a connection closes (protocol/session.ts).
	...sessionNotifications,
};

export type ServerNotificationMethod = keyof typeof serverNotifications;
export type ServerNotificationData<M extends ServerNotificationMethod> = z.output<(typeof serverNotifications)[M]>;
export type ServerNotification = MessageOf<typeof serverNotifications>;

/** Validates a notification from the server. */
export const parseServerNotification = (method: unknown, data: unknown) =>
	parseMessage(serverNotifications, 'notification', method, data);
