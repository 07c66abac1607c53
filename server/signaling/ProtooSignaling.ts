// The protoo WebSocket endpoint: `wss://HOST:PORT/?roomId=R&peerId=P
// [&consumerReplicas=N][&token=T][&resume=S]`. Admits a connection (connection
// rate, Origin, query, token, then the room's own checks), hands the socket to
// its Room as a new session or, with `resume`, to the session it resumes, and
// validates and rate-limits every request before it reaches a handler.
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import * as protoo from 'protoo-server';
import { parseConnectionQuery } from '../../protocol/connectionQuery.ts';
import { parseClientRequest } from '../../protocol/signaling.ts';
import type { AccessControl } from '../auth/AccessControl.ts';
import { checkAdmission } from '../auth/admission.ts';
import { checkOrigin } from '../auth/originCheck.ts';
import { ConnectionRateLimit, TokenBucket } from '../auth/rateLimits.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { createHttpError, isHttpError, toHttpError } from '../errors.ts';
import { withoutSecrets } from '../logging/withoutSecrets.ts';
import type { RequestObserver } from '../metrics/requestMetrics.ts';
import type { Peer } from '../room/Peer.ts';
import { type Room, sessionExpired } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { handlePeerRequest } from './PeerRequestHandler.ts';
import { ProtooChannel } from './ProtooChannel.ts';

/** Largest WebSocket message accepted; bigger ones close the connection (WebSocket 1009). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface SignalingParts {
	rooms: RoomRegistry;
	access: AccessControl;
	config: ResolvedConfig;
	log: Logger;
	/** Told of every request answered (the metrics); undefined: nobody counts them. */
	requests?: RequestObserver | undefined;
}

/** A connection that passed the checks of its token: who it is, where it goes, what it may do. */
interface Admission {
	room: Room;
	peerId: string;
	consumerReplicas: number;
	grants: Peer['grants'];
	/** The resume secret of the session it takes up; none for a new session. */
	resume: string | undefined;
}

export function attachProtooSignaling(server: HttpsServer, parts: SignalingParts): protoo.WebSocketServer {
	const { log } = parts;
	const { pingIntervalMs } = parts.config.reconnect;
	const webSocketServer = new protoo.WebSocketServer(server, {
		maxReceivedFrameSize: MAX_MESSAGE_BYTES,
		maxReceivedMessageSize: MAX_MESSAGE_BYTES,
		fragmentOutgoingMessages: true,
		fragmentationThreshold: 64 * 1024,
		// A connection silent for pingIntervalMs is pinged, and dropped when it
		// stays silent as long again: its peer is found gone (and starts its
		// grace period) without waiting for TCP to give up, which takes minutes.
		keepalive: true,
		keepaliveInterval: pingIntervalMs,
		dropConnectionOnKeepaliveTimeout: true,
		keepaliveGracePeriod: pingIntervalMs,
	});
	const connectionRate = new ConnectionRateLimit(parts.config.limits.connectionsPerIpPerMinute);

	webSocketServer.on('connectionrequest', (info, accept, reject) => {
		// The token and the resume secret in the query stay out of the log.
		const url = withoutSecrets(info.request.url ?? '');
		admit(info, parts, connectionRate)
			// The room's checks and the hand-over in one turn: no timer (a grace
			// period ending) and no socket event comes between them.
			.then((admission) => enter(admission, accept, parts))
			.catch((error: unknown) => {
				const { status, message } = toHttpError(error);
				if (status >= 500) log.error({ url, error }, 'protoo connection failed');
				else log.warn({ url, status, reason: message }, 'protoo connection rejected');
				reject(status, message);
			})
			// Nothing a client sends may end the process: an unhandled rejection would.
			.catch((error: unknown) => log.error({ url, error }, 'protoo connection failed'));
	});
	return webSocketServer;
}

/**
 * The room's checks, then the socket goes to a new session or to the session
 * it resumes. Throws the HttpError to refuse the handshake with, before
 * accepting it.
 */
function enter(
	{ room, peerId, consumerReplicas, grants, resume }: Admission,
	accept: () => protoo.WebSocketTransport,
	parts: SignalingParts,
): void {
	const session = room.checkConnection(peerId, resume);
	const channel = new ProtooChannel(peerId, accept());
	if (session) {
		room.resumePeer(session, channel);
		serveRequests(room, session, channel, parts);
	} else {
		const peer = room.addPeer(peerId, channel, { consumerReplicas, grants });
		serveRequests(room, peer, channel, parts);
	}
}

/** Every check a connection must pass, in order of cost; throws the HttpError to refuse it with. */
async function admit(
	info: protoo.ConnectionRequestInfo,
	{ rooms, access, config, log }: SignalingParts,
	connectionRate: ConnectionRateLimit,
): Promise<Admission> {
	connectionRate.admit(info.socket.remoteAddress ?? 'unknown');
	checkOrigin(info.request.headers.origin, info.request.headers.host, config.auth.allowedOrigins);
	const parsed = parseConnectionQuery(connectionUrl(info.request.url).searchParams);
	if (!parsed.ok) throw createHttpError(400, `bad connection request: ${parsed.reason}`);
	const { roomId, peerId, consumerReplicas, resume } = parsed.query;
	for (const note of parsed.lenient) log.info({ roomId, peerId, url: withoutSecrets(info.request.url ?? '') }, note);

	const caller = await checkAdmission(access, parsed.query);

	// A resume takes up a session in a room that exists; it makes no room.
	if (resume !== undefined) {
		const room = await rooms.find(roomId);
		if (!room) throw sessionExpired(roomId, peerId);
		return { room, peerId, consumerReplicas, grants: caller.grants, resume };
	}
	let room: Room;
	try {
		room = await rooms.getOrCreate(roomId);
	} catch (error) {
		// A draining server says so (503); anything else is a failure of ours.
		if (isHttpError(error)) throw error;
		log.error({ roomId, peerId, error }, 'room creation failed');
		throw createHttpError(500, `could not create room "${roomId}"`);
	}
	return { room, peerId, consumerReplicas, grants: caller.grants, resume };
}

/** The request target as a URL; one that does not parse has no query at all. */
function connectionUrl(target: string | undefined): URL {
	try {
		return new URL(target ?? '/', 'https://localhost');
	} catch {
		return new URL('https://localhost/');
	}
}

function serveRequests(
	room: Room,
	peer: Peer,
	channel: ProtooChannel,
	{ config, access, log, requests }: SignalingParts,
): void {
	const { requestsPerSecond, requestBurst } = config.limits;
	const bucket = new TokenBucket(requestsPerSecond, requestBurst);
	channel.protoo.on('request', (message, accept, reject) => {
		if (!bucket.take()) {
			log.warn({ peerId: peer.id, method: message.method }, 'request refused: rate limit');
			reject(429, `too many requests: limits.requestsPerSecond is ${requestsPerSecond} (burst ${requestBurst})`);
			requests?.answered(message.method, 429, undefined);
			return;
		}
		const parsed = parseClientRequest(message.method, message.data);
		if (!parsed.ok) {
			log.warn({ peerId: peer.id, method: message.method, reason: parsed.reason }, 'bad request');
			reject(parsed.code, parsed.reason);
			requests?.answered(message.method, parsed.code, undefined);
			return;
		}
		const started = performance.now();
		handlePeerRequest(room, peer, parsed.message, access.mode).then(
			(response) => {
				accept(response);
				requests?.answered(message.method, undefined, (performance.now() - started) / 1000);
			},
			(error: unknown) => {
				const { status, message: reason } = toHttpError(error);
				log.warn({ peerId: peer.id, method: message.method, status, reason }, 'request failed');
				reject(status, reason);
				requests?.answered(message.method, status, (performance.now() - started) / 1000);
			},
		);
	});
	// Clients of this dialect send no notifications we act on.
	channel.protoo.on('notification', () => {});
}
