// The HTTP side WHIP (RFC 9725) and WHEP share: an endpoint a client POSTs
// its SDP offer to (201 with the answer and the session's URL), the
// session's URL (OPTIONS, PATCH for trickle ICE and ICE restarts, DELETE to
// end it), SDP bodies and CORS on every answer. The room must exist (404).
// WhipApi.ts and WhepApi.ts say who may call, what a session is, and who may
// drive it.
import express, { type Request } from 'express';
import { parse } from 'sdp-transform';
import type { Access } from '../auth/AccessControl.ts';
import { createHttpError } from '../errors.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import type { WebRtcHttpSession } from '../webrtcHttp/WebRtcHttpSession.ts';

const SDP_TYPE = 'application/sdp';
const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';
/**
 * An offer of a few m-sections is a few KiB. The limit is the JSON bodies'
 * (http/HttpApp.ts), whose 413 answer names it.
 */
const MAX_SDP_BYTES = 256 * 1024;

/**
 * CORS on every answer (errors too), so that a WHIP client or WHEP player on
 * a page of another site can use the server: any origin, since no cookie or
 * other ambient credential opens anything here, only the Bearer token the
 * page itself sends. The methods are the endpoint's and its sessions';
 * browser WHIP clients (e.g. @eyevinn/whip-web-client) read
 * Access-Control-Allow-Methods of the OPTIONS answer to learn that PATCH
 * (trickle ICE) works, so it is exposed too, with Location and ETag.
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

/** What a protocol (WHIP, WHEP) adds to the shared HTTP side. */
export interface SessionApi<S extends WebRtcHttpSession> {
	/** The endpoint a client POSTs its offer to, with :roomId, e.g. "/whip/:roomId"; its sessions are below it. */
	endpoint: string;
	/** For the 404 of an unknown session, e.g. "WHIP". */
	protocol: string;
	/** The caller of a request for this room, or the refusal: checked before anything else. */
	caller(req: Request, roomId: string): Promise<Access>;
	/** Starts a session of `offer` in the room (it exists), or throws the refusal. */
	start(req: Request, caller: Access, room: Room, offer: string): Promise<S>;
	/** Throws the refusal unless the caller may drive the session (PATCH, DELETE). */
	requireOwn(caller: Access, session: S): void;
}

/**
 * The routes of a protocol: OPTIONS and POST on the endpoint (201 with the
 * answer, the session URL below the endpoint and its ETag), OPTIONS, PATCH
 * (trickle ICE, ICE restart) and DELETE (ends it) on a session's URL; a
 * session is found only at the URL it was given.
 */
export function createSessionApi<S extends WebRtcHttpSession>(rooms: RoomRegistry, api: SessionApi<S>): express.Router {
	const router = express.Router();
	const sessions = new Map<string, { session: S; location: string }>();
	const sessionPath = `${api.endpoint}/:sessionId`;
	/** The endpoint's URL as this request names it. */
	const endpointUrl = (req: Request) =>
		api.endpoint.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(param(req, name)));
	router.use(
		`/${api.endpoint.split('/')[1]}`,
		crossOrigin,
		express.text({ type: [SDP_TYPE, SDPFRAG_TYPE], limit: MAX_SDP_BYTES }),
	);

	const sessionOf = async (req: Request): Promise<S> => {
		const caller = await api.caller(req, param(req, 'roomId'));
		const found = sessions.get(param(req, 'sessionId'));
		if (!found || found.location !== `${endpointUrl(req)}/${found.session.id}`) {
			throw createHttpError(404, `${api.protocol} session not found`);
		}
		api.requireOwn(caller, found.session);
		return found.session;
	};

	router.options(api.endpoint, (_req, res) => {
		res.set({ Allow: 'OPTIONS, POST', 'Accept-Post': SDP_TYPE });
		res.status(204).end();
	});

	router.post(api.endpoint, async (req, res) => {
		const roomId = param(req, 'roomId');
		const caller = await api.caller(req, roomId);
		requireType(req, SDP_TYPE);
		const room = await rooms.existing(roomId);
		const session = await api.start(req, caller, room, textBody(req));
		const location = `${endpointUrl(req)}/${session.id}`;
		sessions.set(session.id, { session, location });
		session.observer.once('close', () => sessions.delete(session.id));
		res.status(201).set({ 'Content-Type': SDP_TYPE, Location: location, ETag: session.etag });
		res.send(session.answer);
	});

	router.options(sessionPath, (_req, res) => {
		res.set({ Allow: 'OPTIONS, PATCH, DELETE', 'Accept-Patch': SDPFRAG_TYPE });
		res.status(204).end();
	});

	router.delete(sessionPath, async (req, res) => {
		const session = await sessionOf(req);
		session.close();
		res.status(200).end();
	});

	router.patch(sessionPath, async (req, res) => {
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
function restartFragment(
	session: WebRtcHttpSession,
	iceParameters: { usernameFragment: string; password: string },
): string {
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

export function param(req: Request, name: string): string {
	const value = req.params[name];
	if (typeof value !== 'string' || value === '') throw createHttpError(400, `path parameter ${name} is required`);
	return value;
}
