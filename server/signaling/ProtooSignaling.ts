// The protoo WebSocket endpoint: `wss://HOST:PORT/?roomId=R&peerId=P
// [&consumerReplicas=N]`. Validates the connection query, hands the socket to
// its Room, and validates every request before it reaches a handler.
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import * as protoo from 'protoo-server';
import { parseConnectionQuery } from '../../protocol/connectionQuery.ts';
import { parseClientRequest } from '../../protocol/signaling.ts';
import { toHttpError } from '../errors.ts';
import type { Peer } from '../room/Peer.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { handlePeerRequest } from './PeerRequestHandler.ts';
import { ProtooChannel } from './ProtooChannel.ts';

/** Largest WebSocket message accepted; bigger ones close the connection (WebSocket 1009). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export function attachProtooSignaling(server: HttpsServer, rooms: RoomRegistry, log: Logger): protoo.WebSocketServer {
	const webSocketServer = new protoo.WebSocketServer(server, {
		maxReceivedFrameSize: MAX_MESSAGE_BYTES,
		maxReceivedMessageSize: MAX_MESSAGE_BYTES,
		fragmentOutgoingMessages: true,
		fragmentationThreshold: 64 * 1024,
	});

	webSocketServer.on('connectionrequest', (info, accept, reject) => {
		const parsed = parseConnectionQuery(connectionUrl(info.request.url).searchParams);
		if (!parsed.ok) {
			log.warn({ url: info.request.url, reason: parsed.reason }, 'protoo connection rejected');
			reject(400, `bad connection request: ${parsed.reason}`);
			return;
		}
		const { roomId, peerId, consumerReplicas } = parsed.query;
		for (const note of parsed.lenient) log.info({ roomId, peerId, url: info.request.url }, note);
		rooms
			.getOrCreate(roomId)
			.catch((error: unknown) => {
				log.error({ roomId, peerId, error }, 'room creation failed');
				reject(500, `could not create room "${roomId}"`);
			})
			.then((room) => {
				if (!room) return;
				// A protoo Room of its own: protoo refuses a second peer with one id
				// in a Room, and a replacing connection arrives while the old one
				// is still open. Our Room decides about replacement.
				const channel = new ProtooChannel(new protoo.Room().createPeer(peerId, accept()));
				const peer = room.addPeer(peerId, channel, consumerReplicas);
				serveRequests(room, peer, channel, log);
			})
			// Nothing a client sends may end the process: an unhandled rejection would.
			.catch((error: unknown) => log.error({ roomId, peerId, error }, 'protoo connection failed'));
	});
	return webSocketServer;
}

/** The request target as a URL; one that does not parse has no query at all. */
function connectionUrl(target: string | undefined): URL {
	try {
		return new URL(target ?? '/', 'https://localhost');
	} catch {
		return new URL('https://localhost/');
	}
}

function serveRequests(room: Room, peer: Peer, channel: ProtooChannel, log: Logger): void {
	channel.protoo.on('request', (message, accept, reject) => {
		const parsed = parseClientRequest(message.method, message.data);
		if (!parsed.ok) {
			log.warn({ peerId: peer.id, method: message.method, reason: parsed.reason }, 'bad request');
			reject(parsed.code, parsed.reason);
			return;
		}
		handlePeerRequest(room, peer, parsed.message).then(
			(response) => accept(response),
			(error: unknown) => {
				const { status, message: reason } = toHttpError(error);
				log.warn({ peerId: peer.id, method: message.method, status, reason }, 'request failed');
				reject(status, reason);
			},
		);
	});
	// Clients of this dialect send no notifications we act on.
	channel.protoo.on('notification', () => {});
}
