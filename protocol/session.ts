// A session that survives the network (ours, not in the classic dialect; see
// docs/PROTOCOL.md, "Sessions"). A joined peer whose WebSocket drops without a
// close (the network went) is kept for a grace period, its transports,
// producers and consumers with it; the others see it reconnecting. Its client
// reconnects with the resume secret of its join answer and carries on where it
// was. Every close the server starts says why, in a `closing` notification
// sent just before the WebSocket closes.
import { z } from 'zod';
import { grantsSchema } from './access.ts';
import { displayNameSchema, idSchema } from './fields.ts';
import { MAX_RESUME_SECRET_LENGTH } from './limits.ts';
import { peerInfoSchema } from './peer.ts';

/** The secret of a session (the join answer's resumeSecret), as `?resume=` presents it. */
export const resumeSecretSchema = z.string().min(1).max(MAX_RESUME_SECRET_LENGTH);

/**
 * Why the server closes a connection. Transient causes (TRANSIENT_CLOSE_REASONS)
 * are worth reconnecting after by itself, with a fresh join; the others are
 * decisions a client must respect.
 */
export const CLOSE_REASONS = [
	/** The server is stopping or restarting: sessions do not survive it. Transient. */
	'shutdown',
	/** The media process (mediasoup worker) of the room died; a new room starts on a live one. Transient. */
	'workerDied',
	/** A WebRTC transport of this peer failed (DTLS failed, or the client closed it). Transient. */
	'transportFailed',
	/** The server's operator closed the room (admin terminal). */
	'roomClosed',
	/** A moderator ended the room (after `removedFromRoom {ended: true}`). */
	'roomEnded',
	/** A moderator removed this peer (after `removedFromRoom`); its identity is refused from now on. */
	'removed',
	/** A moderator turned this peer away from the lobby (after `lobbyDenied`). */
	'denied',
	/** A newer connection with the same peerId (another tab or device) took its place. */
	'replaced',
	/** This session goes on over a newer connection of the same client (a resume): this one is done. */
	'resumed',
] as const;
export const closeReasonSchema = z.enum(CLOSE_REASONS);
export type CloseReason = z.infer<typeof closeReasonSchema>;

/** The reasons after which a client should reconnect by itself (with backoff); after the others it should not. */
export const TRANSIENT_CLOSE_REASONS: readonly CloseReason[] = ['shutdown', 'workerDied', 'transportFailed'];

export function isTransientCloseReason(reason: CloseReason): boolean {
	return TRANSIENT_CLOSE_REASONS.includes(reason);
}

/** A member of the room as the join answer and sessionResumed list it: reconnecting while in its grace period. */
export const roomPeerSchema = peerInfoSchema.extend({ reconnecting: z.boolean().optional() });
export type RoomPeer = z.infer<typeof roomPeerSchema>;

/**
 * Everything a resumed client reconciles its state with, as the server has it
 * now: what it missed while it was away (and what was lost on the dead
 * socket before the server noticed) is in here, not replayed.
 */
const sessionResumed = z.object({
	/** The others, as the join answer lists them. */
	peers: z.array(roomPeerSchema),
	grants: grantsSchema,
	locked: z.boolean(),
	/** This peer's producers; paused: paused on the server (by the client, or by a moderator). */
	producers: z.array(z.object({ id: idSchema, paused: z.boolean() })),
	/**
	 * Every consumer the server has for this peer. One the client does not
	 * have is offered again with newConsumer right after this notification.
	 */
	consumers: z.array(
		z.object({ id: idSchema, producerId: idSchema, paused: z.boolean(), producerPaused: z.boolean() }),
	),
	/** Every data consumer the server has for this peer (offered again the same way). */
	dataConsumers: z.array(z.object({ id: idSchema, dataProducerId: idSchema })),
	/** To a peer with roomAdmin: who waits in the lobby. */
	lobby: z.array(z.object({ peerId: idSchema, displayName: displayNameSchema })).optional(),
});
export type SessionResumed = z.infer<typeof sessionResumed>;

/** Server -> client notifications. */
export const sessionNotifications = {
	/** To a peer, just before the server closes its connection: why. */
	closing: z.object({ reason: closeReasonSchema }),
	/** To the others: this peer's connection dropped; it is kept for the grace period. */
	peerReconnecting: z.object({ peerId: idSchema }),
	/** To the others: this peer resumed its session (its consumers never went away). */
	peerReconnected: z.object({ peerId: idSchema }),
	/** To a peer that resumed: the first message on its new connection. */
	sessionResumed,
};
