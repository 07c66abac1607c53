// GET /access (ours, protocol/accessCheck.ts): the WebSocket's admission
// checks without the WebSocket, so a browser can learn why it would be
// refused, a resume's included (410: no session to resume, 403: another
// session has it). Creates nothing: a room that does not exist yet has room
// for anyone, and no session to resume.
import express from 'express';
import { ACCESS_CHECK_PATH, type AccessCheckResponse } from '../../protocol/accessCheck.ts';
import { parseConnectionQuery } from '../../protocol/connectionQuery.ts';
import { type AccessControl, bearerToken } from '../auth/AccessControl.ts';
import { checkAdmission } from '../auth/admission.ts';
import { createHttpError } from '../errors.ts';
import { sessionExpired } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

export function createAccessCheckApi(rooms: RoomRegistry, access: AccessControl): express.Router {
	const router = express.Router();
	router.get(ACCESS_CHECK_PATH, async (req, res) => {
		const params = new URL(req.originalUrl, 'https://localhost').searchParams;
		// The token travels in the header: a query would write it into access logs.
		if (params.has('token')) throw createHttpError(400, 'send the token as "Authorization: Bearer <token>"');
		const parsed = parseConnectionQuery(params);
		if (!parsed.ok) throw createHttpError(400, `bad access check: ${parsed.reason}`);
		// Open mode reads no header, as the other routes (api/restAccess.ts).
		const token = access.mode === 'token' ? bearerToken(req.headers.authorization) : undefined;
		const caller = await checkAdmission(access, { ...parsed.query, token });
		// The room's own checks, as the handshake makes them, when the room exists.
		const { roomId, peerId, resume } = parsed.query;
		const room = await rooms.find(roomId);
		if (!room && resume !== undefined) throw sessionExpired(roomId, peerId);
		if (!room) rooms.checkNewRoom();
		const session = room?.checkConnection(peerId, resume);
		// An answer about this token now: no cache may keep it.
		res.set('Cache-Control', 'no-store');
		// A resumed session keeps its grants; what moderators changed for this
		// identity applies to its next connection too.
		const grants = session?.grants ?? (room ? room.moderation.grantsFor(peerId, caller.grants) : caller.grants);
		res.json({ grants } satisfies AccessCheckResponse);
	});
	return router;
}
