// How a peer (or a broadcaster) is described to the others: in the join
// response, in newPeer notifications and in the broadcaster REST API.
import { z } from 'zod';
import { displayNameSchema, idSchema } from './fields.ts';
import { MAX_DEVICE_FIELD_LENGTH } from './limits.ts';

const deviceFieldSchema = z.string().max(MAX_DEVICE_FIELD_LENGTH).optional();

/** What the client says it runs on; purely informative, hence all optional. */
export const deviceInfoSchema = z.object({
	flag: deviceFieldSchema,
	name: deviceFieldSchema,
	version: deviceFieldSchema,
});
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;

export const peerInfoSchema = z.object({
	id: idSchema,
	displayName: displayNameSchema,
	device: deviceInfoSchema,
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;
