// Why this page is not in the room, in the words it shows: a refusal by the
// server (its reason, as GET /access words it), a moderator's decision, or the
// lobby. Plain sentences: the person reading them did nothing technical.

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
