// WHEP playback (the WHEP draft, RFC 9725's sibling; docs/PROTOCOL.md
// section 2): a WHEP player POSTs its SDP offer to /whep/:roomId/:peerId
// and gets an answer whose media are that member's audio and video, and a
// session URL; DELETE on that URL ends the playback, PATCH takes trickled
// candidates and ICE restarts (webrtcHttp.ts, as WHIP's). The member may be
// a peer of the app, a broadcaster or a WHIP sender. Access is checked first
// (restAccess.ts: the subscribe grant for the room in token mode), so a
// refusal creates nothing and says nothing of which rooms exist; only the
// identity that started a session drives it. The room and the member must
// exist (404): a viewer watches someone who is there.
import type express from 'express';
import type { Logger } from 'pino';
import type { AccessControl } from '../auth/AccessControl.ts';
import { createHttpError } from '../errors.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { WhepSession } from '../whep/WhepSession.ts';
import { viewerCaller } from './restAccess.ts';
import { createSessionApi, param } from './webrtcHttp.ts';

export function createWhepApi(rooms: RoomRegistry, access: AccessControl, log: Logger): express.Router {
	return createSessionApi<WhepSession>(rooms, {
		endpoint: '/whep/:roomId/:peerId',
		protocol: 'WHEP',
		caller: (req, roomId) => viewerCaller(access, req, roomId),
		start: (req, caller, room, offer) => {
			const peerId = param(req, 'peerId');
			const member = room.visibleMember(peerId);
			if (!member) throw createHttpError(404, `member "${peerId}" not found in room "${room.id}"`);
			return WhepSession.start({ room, member, identity: caller.identity, offer, log });
		},
		requireOwn: (caller, session) => {
			if (session.identity !== undefined && session.identity !== caller.identity) {
				throw createHttpError(
					403,
					`the WHEP session is identity "${session.identity}"'s, not "${caller.identity ?? ''}"'s`,
				);
			}
		},
	});
}
