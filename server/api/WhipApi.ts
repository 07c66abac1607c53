// WHIP ingest (RFC 9725, docs/PROTOCOL.md section 2): a WHIP client (OBS,
// GStreamer, a browser library) POSTs its SDP offer to /whip/:roomId and
// gets the answer and a session URL; DELETE on that URL ends the ingest,
// PATCH takes trickled candidates and ICE restarts (webrtcHttp.ts). Access
// is the broadcaster API's (restAccess.ts: the ingest grant in token mode,
// checked first, so a refusal creates nothing and says nothing of which
// rooms exist), and a token drives only the session of its identity. The
// room must exist (404): a WHIP endpoint is a URL someone handed out for a
// room that is on, and a stray POST should not open rooms nobody will enter.
import { randomBytes } from 'node:crypto';
import type express from 'express';
import type { Logger } from 'pino';
import type { AccessControl } from '../auth/AccessControl.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { WhipSession } from '../whip/WhipSession.ts';
import { ingestCaller, requireOwnBroadcaster } from './restAccess.ts';
import { createSessionApi } from './webrtcHttp.ts';

export function createWhipApi(rooms: RoomRegistry, access: AccessControl, log: Logger): express.Router {
	return createSessionApi<WhipSession>(rooms, {
		endpoint: '/whip/:roomId',
		protocol: 'WHIP',
		caller: (req, roomId) => ingestCaller(access, req, roomId),
		start: (_req, caller, room, offer) =>
			WhipSession.start({
				room,
				memberId: caller.identity ?? `whip-${randomBytes(4).toString('hex')}`,
				displayName: caller.name ?? 'WHIP',
				offer,
				log,
			}),
		// The token's identity is the sender's member id.
		requireOwn: (caller, session) => requireOwnBroadcaster(caller, session.member.id),
	});
}
