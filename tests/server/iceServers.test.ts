// getIceServers (ours) against the real server: without TURN configured the
// answer is empty and nothing changes for a client; with it, every peer gets
// the three TURN URLs and credentials of its own in coturn's shared-secret
// form, fresh at every request, before join too. That coturn accepts them,
// and refuses them once expired, is tests/e2e/turn.test.ts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { iceServersResponseSchema } from '../../protocol/iceServers.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f0e1d2c3b';
const TTL_S = 600;

describe('getIceServers', () => {
	let plain: TestServer;
	let withTurn: TestServer;
	const peers: TestPeer[] = [];
	before(async () => {
		plain = await startTestServer();
		withTurn = await startTestServer({
			env: {
				TURN_HOST: 'turn.example.com',
				TURN_PORT: '3478',
				TURN_TLS_PORT: '443',
				TURN_SECRET: SECRET,
				TURN_CREDENTIAL_TTL_S: String(TTL_S),
			},
		});
	});
	after(async () => {
		for (const peer of peers) peer.close();
		await plain?.close();
		await withTurn?.close();
	});

	async function connect(server: TestServer, roomId: string, peerId: string): Promise<TestPeer> {
		const peer = await server.connect(roomId, peerId);
		peers.push(peer);
		return peer;
	}

	test('without TURN configured: no ICE servers, no ttl', async () => {
		const alice = await connect(plain, 'ice-plain', 'alice');
		const answer = await alice.request('getIceServers');
		assert.deepEqual(answer, { iceServers: [] });
		assert.ok(iceServersResponseSchema.safeParse(answer).success);
	});

	test('with TURN: UDP, TCP and TLS URLs, and credentials of this peer valid for the ttl, before join', async () => {
		const alice = await connect(withTurn, 'ice-turn', 'alice');
		const before = Math.floor(Date.now() / 1000);
		const answer = iceServersResponseSchema.parse(await alice.request('getIceServers'));
		const after = Math.floor(Date.now() / 1000);

		assert.equal(answer.ttl, TTL_S);
		assert.equal(answer.iceServers.length, 1);
		const [server] = answer.iceServers;
		assert.ok(server);
		assert.deepEqual(server.urls, [
			'turn:turn.example.com:3478?transport=udp',
			'turn:turn.example.com:3478?transport=tcp',
			'turns:turn.example.com:443?transport=tcp',
		]);
		const [expiry, identity] = server.username.split(':');
		assert.equal(identity, 'alice');
		assert.ok(
			Number(expiry) >= before + TTL_S && Number(expiry) <= after + TTL_S,
			`expiry ${expiry} is ${TTL_S} s from now`,
		);
		// coturn's use-auth-secret check: base64(HMAC-SHA1(static-auth-secret, username)).
		assert.equal(server.credential, createHmac('sha1', SECRET).update(server.username).digest('base64'));
		assert.ok(!JSON.stringify(answer).includes(SECRET), 'the secret itself never leaves the server');
	});

	test('each peer gets its own credentials, and each request fresh ones', async () => {
		const bob = await connect(withTurn, 'ice-fresh', 'bob');
		const carol = await connect(withTurn, 'ice-fresh', 'carol');
		const first = await bob.request('getIceServers');
		assert.match(first.iceServers[0]?.username ?? '', /^\d+:bob$/);
		assert.match((await carol.request('getIceServers')).iceServers[0]?.username ?? '', /^\d+:carol$/);
		await sleep(1100);
		const second = await bob.request('getIceServers');
		const expiry = (answer: typeof first) => Number(answer.iceServers[0]?.username.split(':')[0]);
		assert.ok(expiry(second) > expiry(first), `later request, later expiry (${expiry(first)} -> ${expiry(second)})`);
		assert.notEqual(second.iceServers[0]?.credential, first.iceServers[0]?.credential);
	});
});
