// GET /access: the WebSocket's admission checks, answered as JSON so the
// browser app can show why it would be refused (a browser cannot read a
// refused WebSocket handshake). Same statuses and reasons as the handshake;
// creates nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPEN_GRANTS, resolveGrants, type TokenGrants } from '../../protocol/access.ts';
import { type MintOptions, mintToken } from '../../server/auth/tokens.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const apiKey = { key: 'app', secret: 'an-access-check-secret-of-32-chars!!' };

function token(identity: string, grants: TokenGrants, more: Partial<MintOptions> = {}): Promise<string> {
	return mintToken({ apiKey, identity, grants, ...more });
}

/** The status and body of GET /access (the headers are checked where they matter). */
async function check(server: TestServer, query: string, bearer?: string) {
	const { status, body } = await server.rest(
		'GET',
		`/access?${query}`,
		undefined,
		bearer ? { authorization: `Bearer ${bearer}` } : {},
	);
	return { status, body };
}

describe('GET /access in token mode', { timeout: 60_000 }, () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({
			env: { AUTH_KEYS: `${apiKey.key}:${apiKey.secret}`, LIMIT_PEERS_PER_ROOM: '2' },
		});
	});
	after(async () => {
		await server?.close();
	});

	test('a right token: 200 with its grants, kept by no cache, and no room is created', async () => {
		const bearer = await token('alice', { room: 'r1', publish: false });
		const answer = await server.rest('GET', '/access?roomId=r1&peerId=alice', undefined, {
			authorization: `Bearer ${bearer}`,
		});
		assert.equal(answer.status, 200);
		assert.deepEqual(answer.body, { grants: resolveGrants({ room: 'r1', publish: false }) });
		assert.equal(answer.headers['cache-control'], 'no-store');
		assert.equal(await server.server.rooms.find('r1'), undefined);
	});

	test('who are you: 401 with the handshake reason', async () => {
		const cases = [
			{ bearer: undefined, error: 'token required: this server runs in token mode' },
			{ bearer: await token('alice', { room: 'r1' }, { ttlSeconds: -120 }), error: 'token expired' },
			{ bearer: 'not-a-jwt', error: 'token is not a JWT (header.payload.signature)' },
			{
				bearer: await mintToken({ apiKey: { ...apiKey, key: 'other' }, identity: 'alice', grants: { room: 'r1' } }),
				error: 'token is signed with an unknown API key "other"',
			},
		];
		for (const { bearer, error } of cases) {
			assert.deepEqual(await check(server, 'roomId=r1&peerId=alice', bearer), { status: 401, body: { error } });
		}
	});

	test('not allowed: 403 naming the room, the grant or the identity', async () => {
		assert.deepEqual(await check(server, 'roomId=r2&peerId=alice', await token('alice', { room: 'r1' })), {
			status: 403,
			body: { error: 'token is for room "r1", not "r2"' },
		});
		assert.deepEqual(await check(server, 'roomId=r1&peerId=alice', await token('alice', { room: 'r1', join: false })), {
			status: 403,
			body: { error: 'joining a room needs the join grant' },
		});
		assert.deepEqual(await check(server, 'roomId=r1&peerId=mallory', await token('alice', { room: 'r1' })), {
			status: 403,
			body: { error: "peerId must be the token's identity (sub): connect with peerId=alice" },
		});
	});

	test('a full room: 403 naming the limit', async () => {
		const inside = [
			await server.connect('full', 'alice', { query: `&token=${await token('alice', { room: 'full' })}` }),
			await server.connect('full', 'bob', { query: `&token=${await token('bob', { room: 'full' })}` }),
		];
		try {
			assert.deepEqual(await check(server, 'roomId=full&peerId=carol', await token('carol', { room: 'full' })), {
				status: 403,
				body: { error: 'room "full" is full: limits.peersPerRoom is 2' },
			});
		} finally {
			for (const peer of inside) peer.close();
		}
	});

	test("a moderator's decisions: a removed identity is refused, changed grants are the ones answered", async () => {
		const alice = await server.connect('moderated', 'alice', {
			query: `&token=${await token('alice', { room: 'moderated', roomAdmin: true })}`,
		});
		const bob = await server.connect('moderated', 'bob', {
			query: `&token=${await token('bob', { room: 'moderated' })}`,
		});
		try {
			await alice.join({ produce: false });
			await bob.join({ produce: false });
			await alice.request('setPeerGrants', { peerId: 'bob', grants: { publish: ['microphone'] } });
			const changed = await check(server, 'roomId=moderated&peerId=bob', await token('bob', { room: 'moderated' }));
			assert.deepEqual(changed.body, { grants: resolveGrants({ room: 'moderated', publish: ['microphone'] }) });

			await alice.request('removePeer', { peerId: 'bob', reason: '' });
			assert.deepEqual(await check(server, 'roomId=moderated&peerId=bob', await token('bob', { room: 'moderated' })), {
				status: 403,
				body: { error: 'removed from this room by a moderator' },
			});
		} finally {
			alice.close();
			bob.close();
		}
	});

	test('the token in the address is refused: addresses end up in logs', async () => {
		const answer = await check(server, `roomId=r1&peerId=alice&token=${await token('alice', { room: 'r1' })}`);
		assert.deepEqual(answer, { status: 400, body: { error: 'send the token as "Authorization: Bearer <token>"' } });
	});
});

describe('GET /access in open mode', { timeout: 60_000 }, () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer();
	});
	after(async () => {
		await server?.close();
	});

	test('everyone is let in with every grant; a bad query is 400', async () => {
		assert.deepEqual(await check(server, 'roomId=r1&peerId=anyone'), { status: 200, body: { grants: OPEN_GRANTS } });
		const bad = await check(server, 'peerId=anyone');
		assert.equal(bad.status, 400);
		assert.match(String((bad.body as { error: string }).error), /roomId/);
	});
});
