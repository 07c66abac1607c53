// Moderation and the lobby (ours, not in the classic dialect). Requests need
// the roomAdmin grant; the peer acted upon and the other moderators are told
// by notifications. See docs/PROTOCOL.md, "Access control".
import { z } from 'zod';
import { grantsSchema, publishSourceSchema } from './access.ts';
import { displayNameSchema, idSchema } from './fields.ts';

/** A reason shown to the peer removed or denied. */
export const MAX_MODERATION_REASON_LENGTH = 200;
const reasonSchema = z.string().max(MAX_MODERATION_REASON_LENGTH);

const peerRef = z.object({ peerId: idSchema });

/** The grants a moderator may change at run time; fields left out stay as they are. */
export const grantsChangeSchema = z.strictObject({
	publish: z.union([z.boolean(), z.array(publishSourceSchema)]).optional(),
	subscribe: z.boolean().optional(),
	data: z.boolean().optional(),
	roomAdmin: z.boolean().optional(),
	record: z.boolean().optional(),
});
export type GrantsChange = z.infer<typeof grantsChangeSchema>;

/** Client -> server requests. */
export const moderationRequests = {
	/** Pauses another peer's producer on the server (its consumers stop); the peer is told. */
	muteProducer: z.object({ producerId: idSchema }),
	/** Disconnects a peer, telling it why; its app does not rejoin by itself. */
	removePeer: peerRef.extend({ reason: reasonSchema.default('') }),
	/** Changes a peer's grants; revoking publish closes the producers it no longer may have. */
	setPeerGrants: peerRef.extend({ grants: grantsChangeSchema }),
	/** Locked: whoever joins without roomAdmin waits in the lobby. */
	lockRoom: z.object({ locked: z.boolean() }),
	admitPeer: peerRef,
	denyPeer: peerRef,
	/** Closes the room for everyone, broadcasters included. */
	endRoom: z.object({}),
};

/** Server -> client notifications. */
export const moderationNotifications = {
	/** To a peer: what it may do now (after join it knows from the join response). */
	grantsChanged: z.object({ grants: grantsSchema }),
	/** To a peer: a moderator paused this producer of yours. */
	producerMutedByModerator: z.object({ producerId: idSchema }),
	/** To a peer, just before its connection closes: it was removed, or the room ended. */
	removedFromRoom: z.object({ reason: reasonSchema, ended: z.boolean() }),
	/** To everyone joined: the room was locked or unlocked. */
	roomLockChanged: z.object({ locked: z.boolean() }),
	/** To a peer whose join was refused because the room is locked: it waits in the lobby. */
	lobbyEntered: z.object({}),
	/** To a peer in the lobby: join again now. */
	lobbyAdmitted: z.object({}),
	/** To a peer in the lobby, just before its connection closes. */
	lobbyDenied: z.object({ reason: reasonSchema }),
	/** To moderators: someone waits in the lobby. */
	lobbyPeerWaiting: z.object({ peerId: idSchema, displayName: displayNameSchema }),
	/** To moderators: someone left the lobby (admitted, denied, or gone). */
	lobbyPeerLeft: z.object({ peerId: idSchema }),
};
