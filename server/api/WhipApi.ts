// WHIP ingest (RFC 9725, docs/PROTOCOL.md section 2): a WHIP client (OBS,
// GStreamer, a browser library) POSTs its SDP offer to /whip/:roomId and
// gets the answer and a session URL; DELETE on that URL ends the ingest,
// PATCH takes trickled candidates and ICE restarts. Access is the broadcaster
// API's (restAccess.ts: the ingest grant in token mode, checked first, so a
// refusal creates nothing and says nothing of which rooms exist). The room
// must exist (404): a WHIP endpoint is a URL someone handed out for a room
// that is on, and a stray POST should not open rooms nobody will enter.
import { randomBytes } from 'node:crypto';
import express, { type Request } from 'express';
import type { Logger } from 'pino';
import { parse } from 'sdp-transform';
import type { AccessControl } from '../auth/AccessControl.ts';
import { createHttpError } from '../errors.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { WhipSession } from '../whip/WhipSession.ts';
import { ingestCaller, requireOwnBroadcaster } from './restAccess.ts';

export const SDP_TYPE = 'application/sdp';
export const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';
/**
 * An offer of a few m-sections is a few KiB. The limit is the JSON bodies'
 * (http/HttpApp.ts), whose 413 answer names it.
 */
const MAX_SDP_BYTES = 256 * 1024;

export function createWhipApi(rooms: RoomRegistry, access: AccessControl, log: Logger): express.Router {
	const router = express.Router();
	const sessions = new Map<string, WhipSession>();
	router.use('/whip', crossOrigin, express.text({ type: [SDP_TYPE, SDPFRAG_TYPE], limit: MAX_SDP_BYTES }));

	/** A session of the path's room that the caller may drive (the token's identity is its member's). */
	const sessionOf = async (req: Request): Promise<WhipSession> => {
		const roomId = param(req, 'roomId');
		const caller = await ingestCaller(access, req, roomId);
		const session = sessions.get(param(req, 'sessionId'));
		if (!session || session.room.id !== roomId) throw createHttpError(404, 'WHIP session not found');
		requireOwnBroadcaster(caller, session.member.id);
		return session;
	};

	router.options('/whip/:roomId', (_req, res) => {
		res.set({ Allow: 'OPTIONS, POST', 'Accept-Post': SDP_TYPE });
		res.status(204).end();
	});

	router.post('/whip/:roomId', async (req, res) => {
		const roomId = param(req, 'roomId');
		const caller = await ingestCaller(access, req, roomId);
		requireType(req, SDP_TYPE);
		const room = await rooms.existing(roomId);
		const session = await WhipSession.start({
			room,
			memberId: caller.identity ?? `whip-${randomSuffix()}`,
			displayName: caller.name ?? 'WHIP',
			offer: textBody(req),
			log,
		});
		sessions.set(session.id, session);
		session.observer.once('close', () => sessions.delete(session.id));
		const location = `/whip/${encodeURIComponent(roomId)}/${session.id}`;
		res.status(201).set({ 'Content-Type': SDP_TYPE, Location: location, ETag: session.etag });
		res.send(session.answer);
	});

	router.options('/whip/:roomId/:sessionId', (_req, res) => {
		res.set({ Allow: 'OPTIONS, PATCH, DELETE', 'Accept-Patch': SDPFRAG_TYPE });
		res.status(204).end();
	});

	router.delete('/whip/:roomId/:sessionId', async (req, res) => {
		const session = await sessionOf(req);
		session.close();
		res.status(200).end();
	});

	router.patch('/whip/:roomId/:sessionId', async (req, res) => {
		const session = await sessionOf(req);
		requireType(req, SDPFRAG_TYPE);
		const ifMatch = req.get('if-match');
		if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== session.etag) {
			throw createHttpError(412, `If-Match ${ifMatch} is not the session's ICE session ${session.etag}`);
		}
		const iceParameters = await session.patchIce(fragmentUfrag(textBody(req)));
		if (!iceParameters) {
			res.status(204).end();
			return;
		}
		res.status(200).set({ 'Content-Type': SDPFRAG_TYPE, ETag: session.etag });
		res.send(restartFragment(session, iceParameters));
	});

	return router;
}

/**
 * CORS on every WHIP answer (errors too), so that a WHIP client on a page of
 * another site can publish: any origin, since no cookie or other ambient
 * credential opens anything here, only the Bearer token the page itself
 * sends. The methods are the endpoint's and its sessions'; browser WHIP
 * clients (e.g. @eyevinn/whip-web-client) read Access-Control-Allow-Methods
 * of the OPTIONS answer to learn that PATCH (trickle ICE) works, so it is
 * exposed too, with Location and ETag.
 */
const crossOrigin: express.RequestHandler = (_req, res, next) => {
	res.set({
		'Access-Control-Allow-Origin': '*',
		'Access-Control-Allow-Methods': 'OPTIONS, POST, PATCH, DELETE',
		'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-Match, ETag',
		'Access-Control-Expose-Headers': 'Location, ETag, Link, Accept-Post, Accept-Patch, Access-Control-Allow-Methods',
		'Access-Control-Max-Age': '600',
	});
	next();
};

/** The ICE username fragment of a trickle-ice-sdpfrag (RFC 8840), if it has one. */
function fragmentUfrag(fragment: string): string | undefined {
	try {
		const parsed = parse(fragment);
		const ufrag = parsed.iceUfrag ?? parsed.media[0]?.iceUfrag;
		// sdp-transform makes numbers of values that look like numbers.
		return ufrag === undefined ? undefined : String(ufrag);
	} catch {
		throw createHttpError(400, 'body is not a trickle-ice-sdpfrag');
	}
}

/** The answer to an ICE restart: the new ICE parameters and the (same) candidates, for the first m-section. */
function restartFragment(session: WhipSession, iceParameters: { usernameFragment: string; password: string }): string {
	const lines = [`a=ice-lite`, `a=ice-ufrag:${iceParameters.usernameFragment}`, `a=ice-pwd:${iceParameters.password}`];
	const mid = /^a=mid:(.+)$/m.exec(session.answer)?.[1]?.trim();
	if (mid !== undefined) lines.push(`m=audio 9 UDP/TLS/RTP/SAVPF 0`, `a=mid:${mid}`);
	for (const candidate of session.transport.iceCandidates) {
		const tcp = candidate.tcpType ? ` tcptype ${candidate.tcpType}` : '';
		lines.push(
			`a=candidate:${candidate.foundation} 1 ${candidate.protocol} ${candidate.priority} ${candidate.address} ${candidate.port} typ ${candidate.type}${tcp}`,
		);
	}
	lines.push('a=end-of-candidates');
	return `${lines.join('\r\n')}\r\n`;
}

function requireType(req: Request, type: string): void {
	if (!req.is(type)) {
		throw createHttpError(415, `Content-Type must be ${type}, not ${req.get('content-type') ?? 'missing'}`);
	}
}

function textBody(req: Request): string {
	return typeof req.body === 'string' ? req.body : '';
}

function param(req: Request, name: string): string {
	const value = req.params[name];
	if (typeof value !== 'string' || value === '') throw createHttpError(400, `path parameter ${name} is required`);
	return value;
}

function randomSuffix(): string {
	return randomBytes(4).toString('hex');
}
