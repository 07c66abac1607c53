// Clients of a token-mode test server (moderation and lobby tests): the
// file's server, protoo clients connecting with a token for their identity
// (accessTokens.ts), a handshake to read a refusal, and what a client in the
// lobby sends and is answered.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { TokenGrants } from '../../protocol/access.ts';
import type { JoinResponse } from '../../protocol/signaling.ts';
import type { RunningServer } from '../../server/Server.ts';
import { AUTH_KEYS, testToken, tokenQuery } from './accessTokens.ts';
import { type HandshakeAnswer, handshake } from './handshake.ts';
import type { SignalingPeer } from './SignalingPeer.ts';
import type { TestPeer } from './TestPeer.ts';
import { startTestServer, type TestServer } from './testServer.ts';
import { WebRtcTestPeer } from './WebRtcTestPeer.ts';

/** A token for `identity`, named after it, with these grants. */
function identityToken(identity: string, grants: TokenGrants): Promise<string> {
	return testToken(identity, grants, { name: identity });
}

/** The connection URL of `identity` in the room, with its token. */
async function tokenUrl(server: TestServer, roomId: string, identity: string, grants: TokenGrants): Promise<string> {
	const query = `roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(identity)}`;
	return `wss://127.0.0.1:${server.port}/?${query}${tokenQuery(await identityToken(identity, grants))}`;
}

/** The file's token-mode server and the clients it connected (closed after the file). */
export interface TokenModeServer {
	/** The server in-process, to look into its rooms; there once the file's `before` ran. */
	readonly server: RunningServer;
	/** A room of its own for a test. */
	newRoomId(): string;
	/** A signaling-only client connected with a token for `identity` (default grants: the room's). */
	connect(roomId: string, identity: string, grants?: TokenGrants): Promise<TestPeer>;
	/** A client whose media really flows (WebRtcTestPeer), connected with a token. */
	connectWebRtc(roomId: string, identity: string, grants?: TokenGrants): Promise<WebRtcTestPeer>;
	/** Opens a WebSocket with a token for `identity` and closes it at once: how the handshake was answered. */
	handshake(roomId: string, identity: string, grants?: TokenGrants): Promise<HandshakeAnswer>;
}

/**
 * Starts a server that accepts the test keys' tokens before the file's tests
 * (with `env` on top) and closes it, and every client it connected, after them.
 * Rooms are named `<roomPrefix>-<pid>-<n>`.
 */
export function tokenModeServer(roomPrefix: string, env: Record<string, string> = {}): TokenModeServer {
	let testServer: TestServer | undefined;
	const peers: SignalingPeer[] = [];
	let roomCounter = 0;

	before(async () => {
		testServer = await startTestServer({ env: { AUTH_KEYS, ...env } });
	});

	after(async () => {
		for (const peer of peers) await peer.close();
		await testServer?.close();
	});

	const started = (): TestServer => {
		assert.ok(testServer, 'the token-mode server starts before the tests');
		return testServer;
	};
	const kept = <Peer extends SignalingPeer>(peer: Peer): Peer => {
		peers.push(peer);
		return peer;
	};

	return {
		get server() {
			return started().server;
		},
		newRoomId: () => `${roomPrefix}-${process.pid}-${++roomCounter}`,
		connect: async (roomId, identity, grants = { room: roomId }) => {
			const query = tokenQuery(await identityToken(identity, grants));
			return kept(await started().connect(roomId, identity, { query }));
		},
		connectWebRtc: async (roomId, identity, grants = { room: roomId }) => {
			const server = started();
			const url = await tokenUrl(server, roomId, identity, grants);
			return kept(await WebRtcTestPeer.connect({ url, ca: server.ca }));
		},
		handshake: async (roomId, identity, grants = { room: roomId }) => {
			const server = started();
			return handshake(await tokenUrl(server, roomId, identity, grants), { ca: server.ca });
		},
	};
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

/** A protoo request error's status and reason, for assert.rejects. */
export function protooError(code: number, reason: RegExp): (error: unknown) => boolean {
	return (error) => {
		const { code: actual, message } = error as { code?: number; message: string };
		assert.equal(actual, code, `status of "${message}"`);
		assert.match(message, reason);
		return true;
	};
}
