// The protoo WebSocket endpoint: `wss://HOST:PORT/?roomId=R&peerId=P
// [&consumerReplicas=N]`. Validates the connection query, hands the socket to
// its Room, and validates every request before it reaches a handler.
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import * as protoo from 'protoo-server';
import { z } from 'zod';
import { idSchema } from '../../protocol/fields.ts';
import { parseClientRequest } from '../../protocol/signaling.ts';
import type { Peer } from '../room/Peer.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { handlePeerRequest } from './PeerRequestHandler.ts';
import { toRequestError } from './RequestError.ts';

/** Largest WebSocket message accepted; bigger ones close the connection (WebSocket 1009). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** Upper bound on consumerReplicas: it multiplies consumers, a load-testing knob only. */
const MAX_CONSUMER_REPLICAS = 16;

const connectionQuerySchema = z.object({
	roomId: idSchema,
	peerId: idSchema,
	consumerReplicas: z.coerce.number().int().min(0).max(MAX_CONSUMER_REPLICAS).default(0),
});

export function attachProtooSignaling(server: HttpsServer, rooms: RoomRegistry, log: Logger): protoo.WebSocketServer {
	const webSocketServer = new protoo.WebSocketServer(server, {
		maxReceivedFrameSize: MAX_MESSAGE_BYTES,
		maxReceivedMessageSize: MAX_MESSAGE_BYTES,
		fragmentOutgoingMessages: true,
		fragmentationThreshold: 64 * 1024,
	});

	webSocketServer.on('connectionrequest', (info, accept, reject) => {
		const url = new URL(info.request.url ?? '/', 'https://localhost');
		const query = connectionQuerySchema.safeParse(Object.fromEntries(url.searchParams));
		if (!query.success) {
			const reason = query.error.issues
				.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`)
				.join('; ');
			log.warn({ url: info.request.url, reason }, 'protoo connection rejected');
			reject(400, `bad connection request: ${reason}`);
			return;
		}
		const { roomId, peerId, consumerReplicas } = query.data;
		rooms.getOrCreate(roomId).then(
			(room) => {
				const peer = room.addPeer(peerId, accept(), consumerReplicas);
				serveRequests(room, peer, log);
			},
			(error: unknown) => {
				log.error({ roomId, peerId, error }, 'room creation failed');
				reject(500, `could not create room "${roomId}"`);
			},
		);
	});
	return webSocketServer;
}

function serveRequests(room: Room, peer: Peer, log: Logger): void {
	peer.protoo.on('request', (message, accept, reject) => {
		const parsed = parseClientRequest(message.method, message.data);
		if (!parsed.ok) {
			log.warn({ peerId: peer.id, method: message.method, reason: parsed.reason }, 'bad request');
			reject(parsed.code, parsed.reason);
			return;
		}
		handlePeerRequest(room, peer, parsed.request).then(
			(response) => accept(response),
			(error: unknown) => {
				const { status, message: reason } = toRequestError(error);
				log.warn({ peerId: peer.id, method: message.method, status, reason }, 'request failed');
				reject(status, reason);
			},
		);
	});
	// Clients of this dialect send no notifications we act on.
	peer.protoo.on('notification', () => {});
}
