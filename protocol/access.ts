// Access tokens (ours): the claims of the JWT an application backend mints
// for a user, and the grants they carry. The claim names are a public
// interface (backends mint tokens without our code), so they never change:
// iss = API key, sub = identity (the peerId), name, nbf, exp, grants.
// The server verifies tokens (server/auth/), the app reads its grants to show
// only what it may do, and `npm run token` mints them.
import { z } from 'zod';
import { displayNameSchema, idSchema } from './fields.ts';
import { MAX_CONSUMER_REPLICAS } from './limits.ts';

/** What a peer may publish: its microphone, its camera, its shared screen. */
export const PUBLISH_SOURCES = ['microphone', 'camera', 'screen'] as const;
export type PublishSource = (typeof PUBLISH_SOURCES)[number];
export const publishSourceSchema = z.enum(PUBLISH_SOURCES);

/** `grants` as a token carries it: every field optional, see resolveGrants(). */
export const tokenGrantsSchema = z.strictObject({
	/** One room id, or "*" for every room. */
	room: z.union([z.literal('*'), idSchema]).optional(),
	join: z.boolean().optional(),
	/** true: any source; a list: only those. */
	publish: z.union([z.boolean(), z.array(publishSourceSchema)]).optional(),
	subscribe: z.boolean().optional(),
	/** DataChannels: chat and the bot. */
	data: z.boolean().optional(),
	/** Moderation: mute and remove peers, change their grants, lock the room, the lobby, end the room. */
	roomAdmin: z.boolean().optional(),
	/** Start and stop recording; list and download the room's recordings. */
	record: z.boolean().optional(),
	/** The REST broadcaster API (ffmpeg, GStreamer). */
	ingest: z.boolean().optional(),
	/** Joins without being announced to the others (recorders, bots); such a peer does not publish. */
	hidden: z.boolean().optional(),
	/** Largest consumerReplicas the peer may ask for (a load-testing knob); 0 when left out. */
	consumerReplicas: z.int().min(0).max(MAX_CONSUMER_REPLICAS).optional(),
});
export type TokenGrants = z.infer<typeof tokenGrantsSchema>;

/** The claims of an access token after the signature and times were checked. */
export const tokenClaimsSchema = z.object({
	iss: z.string().min(1),
	sub: idSchema,
	name: displayNameSchema.optional(),
	nbf: z.number().optional(),
	exp: z.number(),
	grants: tokenGrantsSchema,
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

/** Grants with every field decided: what the server checks and the app shows. */
export const grantsSchema = z.object({
	room: z.union([z.literal('*'), idSchema]).nullable(),
	join: z.boolean(),
	publish: z.array(publishSourceSchema),
	subscribe: z.boolean(),
	data: z.boolean(),
	roomAdmin: z.boolean(),
	record: z.boolean(),
	ingest: z.boolean(),
	hidden: z.boolean(),
	consumerReplicas: z.int().min(0).max(MAX_CONSUMER_REPLICAS),
});
export type Grants = z.infer<typeof grantsSchema>;

/** The boolean grants, by name: what a refusal names ("needs the publish grant"). */
export type GrantName = Exclude<keyof Grants, 'room' | 'consumerReplicas'>;

/**
 * A grant left out is false, except that join, publish, subscribe and data
 * are true when the token names a room: a plain "come into room R" token
 * needs only `{ room: 'R' }`.
 */
export function resolveGrants(grants: TokenGrants): Grants {
	const inRoom = grants.room !== undefined;
	const publish = grants.publish ?? inRoom;
	return {
		room: grants.room ?? null,
		join: grants.join ?? inRoom,
		publish: publish === true ? [...PUBLISH_SOURCES] : publish === false ? [] : [...new Set(publish)],
		subscribe: grants.subscribe ?? inRoom,
		data: grants.data ?? inRoom,
		roomAdmin: grants.roomAdmin ?? false,
		record: grants.record ?? false,
		ingest: grants.ingest ?? false,
		hidden: grants.hidden ?? false,
		consumerReplicas: grants.consumerReplicas ?? 0,
	};
}

/** Open mode (no key configured): everyone may do everything, as in the classic demo. */
export const OPEN_GRANTS: Grants = Object.freeze({
	room: '*',
	join: true,
	publish: [...PUBLISH_SOURCES],
	subscribe: true,
	data: true,
	roomAdmin: true,
	record: true,
	ingest: true,
	hidden: false,
	consumerReplicas: MAX_CONSUMER_REPLICAS,
}) as Grants;

/** Whether the grants are for this room. */
export function grantsCoverRoom(grants: Grants, roomId: string): boolean {
	return grants.room === '*' || grants.room === roomId;
}

/** Whether a peer with these grants may publish anything at all. */
export function canPublish(grants: Grants): boolean {
	return grants.publish.length > 0 && !grants.hidden;
}

/**
 * What a producer is, from the appData the client sent with it: screen when
 * it says so (`share: true` as the classic app sends, or source "share" or
 * "screen"), otherwise the microphone for audio and the camera for video. The
 * server cannot see where pixels come from; this is what grants restrict.
 */
export function producerSource(kind: 'audio' | 'video', appData: Record<string, unknown>): PublishSource {
	if (appData.share === true || appData.source === 'share' || appData.source === 'screen') return 'screen';
	return kind === 'audio' ? 'microphone' : 'camera';
}
