// Server -> client protoo requests (PROTOCOL.md section 1). The server builds
// these itself; the app validates them anyway, so a server bug shows up as a
// clear error in the browser rather than as a broken mediasoup-client call.
import { z } from 'zod';
import { idSchema, labelSchema, serverAppDataSchema } from './fields.ts';
import { type MessageOf, parseMessage } from './methodMap.ts';
import { mediaKindSchema, rtpParametersSchema, sctpStreamParametersSchema } from './rtp.ts';

export const consumerTypeSchema = z.enum(['simple', 'simulcast', 'svc', 'pipe']);
export type ConsumerType = z.infer<typeof consumerTypeSchema>;

const newConsumer = z.object({
	peerId: idSchema,
	producerId: idSchema,
	id: idSchema,
	kind: mediaKindSchema,
	rtpParameters: rtpParametersSchema,
	type: consumerTypeSchema,
	appData: serverAppDataSchema,
	// The consumer itself is always created paused; this is the producer's state.
	producerPaused: z.boolean(),
});

const newDataConsumer = z.object({
	// null when the data comes from the room's bot rather than from a peer.
	peerId: idSchema.nullable(),
	dataProducerId: idSchema,
	id: idSchema,
	sctpStreamParameters: sctpStreamParametersSchema,
	label: labelSchema,
	protocol: labelSchema,
	appData: serverAppDataSchema,
});

export const serverRequests = { newConsumer, newDataConsumer };

export type ServerRequestMethod = keyof typeof serverRequests;
export type ServerRequestData<M extends ServerRequestMethod> = z.output<(typeof serverRequests)[M]>;
export type ServerRequest = MessageOf<typeof serverRequests>;

/** Validates a request from the server; on failure gives the reason to reject it with. */
export const parseServerRequest = (method: unknown, data: unknown) =>
	parseMessage(serverRequests, 'request', method, data);
