// Why this page is not in the room, in the words it shows: a refusal by the
// server (its reason, as GET /access words it), a moderator's decision, or the
// lobby. Plain sentences: the person reading them did nothing technical.
import { type CloseReason, isTransientCloseReason } from '../../protocol/session.ts';

/** The server would not let this page in: an expired token gets its own words, as it needs a new link. */
export function refusalText(status: number, reason: string): string {
	if (status === 401 && reason === 'token expired') return 'Token expired: ask for a new link to join';
	return `Not allowed: ${reason}`;
}

export function removedText(reason: string): string {
	return withReason('You were removed by a moderator', reason);
}

export const MEETING_ENDED_TEXT = 'The meeting was ended by a moderator';

export function deniedText(reason: string): string {
	return withReason('A moderator denied your entry', reason);
}

export const LOBBY_TEXT = 'Waiting in the lobby: a moderator will let you in';

function withReason(text: string, reason: string): string {
	return reason.trim() === '' ? text : `${text}: ${reason.trim()}`;
}

/** Why the server closed the connection (its `closing` notification), in the page's words. */
export const CLOSE_REASON_TEXT: Readonly<Record<CloseReason, string>> = {
	shutdown: 'The server is restarting',
	workerDied: 'The server lost the media of this room',
	transportFailed: 'The media connection failed',
	roomClosed: 'The room was closed by the server',
	roomEnded: MEETING_ENDED_TEXT,
	removed: 'You were removed by a moderator',
	denied: 'A moderator denied your entry',
	replaced: 'You joined this room from another tab or device',
	resumed: 'This session goes on in a newer connection',
};

/**
 * Whether the page gets back in by itself after its connection ended:
 * `reason` is what the server's `closing` said, null when the connection was
 * lost without one (the network went, or the server died), which is worth
 * trying again too. A moderator's decision, a replacement by another tab or
 * the operator closing the room are respected.
 */
export function reconnectsAfter(reason: CloseReason | null): boolean {
	return reason === null || isTransientCloseReason(reason);
}

/** The closed screen offers no way back: a moderator closed the room to this page. */
export function closedForGoodBy(reason: CloseReason): boolean {
	return reason === 'removed' || reason === 'denied' || reason === 'roomEnded';
}
