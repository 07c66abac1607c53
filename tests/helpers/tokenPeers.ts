// Clients of a token-mode test server (moderation and lobby tests): tokens
// minted with mintToken() as an application backend would, protoo clients
// connecting with them, a raw handshake to read a refusal, and what a room's
// router holds (to show that a refused request left nothing behind).
import assert from 'node:assert/strict';
import websocket from 'websocket';
import type { TokenGrants } from '../../protocol/access.ts';
import type { JoinResponse } from '../../protocol/signaling.ts';
import { type ApiKey, mintToken } from '../../server/auth/tokens.ts';
import type { SignalingPeer } from './SignalingPeer.ts';
import type { TestPeer } from './TestPeer.ts';
import type { TestServer } from './testServer.ts';
import { WebRtcTestPeer } from './WebRtcTestPeer.ts';

export const TEST_API_KEY: ApiKey = { key: 'test-key', secret: 'a-test-secret-of-at-least-32-characters' };

/** The env of a token-mode server that accepts TEST_API_KEY's tokens. */
export const TOKEN_MODE_ENV = { AUTH_KEYS: `${TEST_API_KEY.key}:${TEST_API_KEY.secret}` };

/** Grants of a moderator of the room. */
export const moderatorOf = (roomId: string): TokenGrants => ({ room: roomId, roomAdmin: true });

/** `&token=T` for the connection query of `identity`. */
export async function tokenQuery(identity: string, grants: TokenGrants): Promise<string> {
	const token = await mintToken({ apiKey: TEST_API_KEY, identity, name: identity, grants });
	return `&token=${encodeURIComponent(token)}`;
}

/** A signaling-only client connected with a token for `identity` (default grants: the room's). */
export async function connectWithToken(
	server: TestServer,
	roomId: string,
	identity: string,
	grants: TokenGrants = { room: roomId },
): Promise<TestPeer> {
	return server.connect(roomId, identity, { query: await tokenQuery(identity, grants) });
}

/** A client whose media really flows (WebRtcTestPeer), connected with a token. */
export async function connectWebRtcWithToken(
	server: TestServer,
	roomId: string,
	identity: string,
	grants: TokenGrants = { room: roomId },
): Promise<WebRtcTestPeer> {
	const query = `roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(identity)}`;
	return WebRtcTestPeer.connect({
		url: `wss://127.0.0.1:${server.port}/?${query}${await tokenQuery(identity, grants)}`,
		ca: server.ca,
	});
}

/** The WebSocket handshake's refusal ("...non-101 status: 403 ...reject-reason: ..."); throws if accepted. */
export async function handshakeRefusal(
	server: TestServer,
	roomId: string,
	identity: string,
	grants: TokenGrants = { room: roomId },
): Promise<string> {
	const client = new websocket.client({ tlsOptions: { ca: server.ca } });
	const query = `roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(identity)}`;
	const url = `wss://127.0.0.1:${server.port}/?${query}${await tokenQuery(identity, grants)}`;
	return new Promise<string>((resolve, reject) => {
		client.on('connect', (connection) => {
			connection.close();
			reject(new Error(`${identity} was let into ${roomId}`));
		});
		client.on('connectFailed', (error) => resolve(error.message));
		client.connect(url, 'protoo');
	});
}

/**
 * The join a client in the lobby sends again once admitted: the same as
 * SignalingPeer.join() sends, on the transports it made the first time.
 */
export function joinAgain(peer: SignalingPeer, displayName: string): Promise<JoinResponse> {
	return peer.request('join', {
		displayName,
		device: { flag: 'test', name: peer.constructor.name, version: '1' },
		rtpCapabilities: peer.device.rtpCapabilities,
		sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
	});
}

/** What the room's router holds: transports, producers, consumers, data producers/consumers (sorted ids). */
export async function routerState(server: TestServer, roomId: string) {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	const dump = await room.router.dump();
	const sorted = (values: string[]) => [...values].sort();
	return {
		transports: sorted(dump.transportIds),
		producers: sorted(dump.mapProducerIdConsumerIds.map((entry) => entry.key)),
		consumers: sorted(dump.mapProducerIdConsumerIds.flatMap((entry) => entry.values)),
		dataProducers: sorted(dump.mapDataProducerIdDataConsumerIds.map((entry) => entry.key)),
		dataConsumers: sorted(dump.mapDataProducerIdDataConsumerIds.flatMap((entry) => entry.values)),
	};
}

/** A protoo request error's status and reason, for assert.rejects. */
export function protooError(code: number, reason: RegExp): (error: unknown) => boolean {
	return (error) => {
		const { code: actual, message } = error as { code?: number; message: string };
		assert.equal(actual, code, `status of "${message}"`);
		assert.match(message, reason);
		return true;
	};
}
