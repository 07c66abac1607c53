// Who may call the REST routes (docs/PROTOCOL.md section 2). In token mode
// every route needs `Authorization: Bearer <token>` (401 without a valid
// one); the broadcaster API and WHIP need the ingest grant for the room, WHEP
// playback the subscribe grant, recording and live HLS need record or
// roomAdmin for the room (403 naming the grant or the room).
// In open mode every caller has every grant, as in the classic demo.
import type { Request } from 'express';
import { type GrantName, type Grants, grantsCoverRoom } from '../../protocol/access.ts';
import {
	type Access,
	type AccessControl,
	bearerToken,
	requireAnyGrant,
	requireGrant,
	requireRoom,
} from '../auth/AccessControl.ts';
import { createHttpError } from '../errors.ts';

/** The grants that open a room's recordings: starting, stopping, listing, downloading. */
export const RECORDING_GRANTS: readonly GrantName[] = ['record', 'roomAdmin'];

/**
 * The caller of a request, from its Authorization header. Open mode does not
 * read the header at all: a client sending some other Authorization (Basic,
 * say) keeps working as before.
 */
export function restCaller(access: AccessControl, req: Request): Promise<Access> {
	return access.authenticate(access.mode === 'token' ? bearerToken(req.get('authorization')) : undefined);
}

/** A caller allowed to use the broadcaster API in this room. */
export async function ingestCaller(access: AccessControl, req: Request, roomId: string): Promise<Access> {
	const caller = await restCaller(access, req);
	requireRoom(caller.grants, roomId);
	requireGrant(caller.grants, 'ingest', 'the broadcaster API');
	return caller;
}

/**
 * A caller allowed to play a member of this room over WHEP: what a peer
 * needs to receive the others' media, the subscribe grant (a plain
 * `{room}` token has it). Not join: a viewer does not enter the room.
 */
export async function viewerCaller(access: AccessControl, req: Request, roomId: string): Promise<Access> {
	const caller = await restCaller(access, req);
	requireRoom(caller.grants, roomId);
	requireGrant(caller.grants, 'subscribe', 'WHEP playback');
	return caller;
}

/**
 * A token acts only as the broadcaster its identity names, as a protoo peer
 * connects only as the peer its identity names: otherwise one ingest token
 * could take a member's id before that member arrives (the member is then
 * refused as a duplicate, and the others see the impostor under its id), or
 * drive and delete broadcasters that others started. Open mode has no
 * identities, so any id goes, as in the classic demo.
 */
export function requireOwnBroadcaster(caller: Access, broadcasterId: string): void {
	if (caller.identity === undefined || caller.identity === broadcasterId) return;
	throw createHttpError(
		403,
		`broadcaster id must be the token's identity (sub): "${caller.identity}", not "${broadcasterId}"`,
	);
}

/** A caller allowed to start and stop recording this room. */
export async function recordingCaller(access: AccessControl, req: Request, roomId: string): Promise<Access> {
	const caller = await restCaller(access, req);
	requireRoom(caller.grants, roomId);
	requireAnyGrant(caller.grants, RECORDING_GRANTS, 'recording');
	return caller;
}

/**
 * A caller allowed to start, stop and play the live HLS stream of this room:
 * the grants of recording (a stream is a recording one watches as it is made).
 */
export async function hlsCaller(access: AccessControl, req: Request, roomId: string): Promise<Access> {
	const caller = await restCaller(access, req);
	requireRoom(caller.grants, roomId);
	requireAnyGrant(caller.grants, RECORDING_GRANTS, 'live HLS');
	return caller;
}

/**
 * Whether the grants open the recordings of a room. A folder whose room is
 * not known (roomId null: made by an older server) might be any room's, so
 * only a token for every room ("*") opens it.
 */
export function mayReadRecordingsOf(grants: Grants, roomId: string | null): boolean {
	return RECORDING_GRANTS.some((grant) => grants[grant] === true) && grantsCoverRoom(grants, roomId ?? '*');
}

/** A 403 naming the grant or the room unless the grants open the room's recordings. */
export function requireRecordingsOf(grants: Grants, roomId: string | null): void {
	requireAnyGrant(grants, RECORDING_GRANTS, 'recordings');
	if (roomId === null && grants.room !== '*') {
		throw createHttpError(403, 'recordings of an unknown room need a token for every room (room "*")');
	}
	if (roomId !== null) requireRoom(grants, roomId);
}
