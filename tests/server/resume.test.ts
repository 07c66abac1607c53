// Sessions that survive the network (ours, docs/PROTOCOL.md "Sessions"),
// with real clients whose network the test takes away: each peer that loses
// it reaches the server through a TcpProxy, cut (both ends see a reset) or
// frozen (nothing passes, nobody is told: only pings find out). A joined
// peer whose connection drops is kept for the grace period and the others
// see it reconnecting, not leaving; its client resumes with the join
// answer's secret and finds everything as it was, plus what it missed; a
// wrong or missing secret takes nothing over; the grace period running out
// closes the peer and leaves nothing on the router. A token-mode server, so
// the token's identity is checked on a resume as on any connection.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenGrants } from '../../protocol/access.ts';
import type { JoinResponse, SessionResumed } from '../../protocol/signaling.ts';
import { AUTH_KEYS, bearer, moderatorOf, testToken, tokenQuery } from '../helpers/accessTokens.ts';
import { fakeTrack } from '../helpers/fakeTrack.ts';
import { handshake } from '../helpers/handshake.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { TcpProxy } from '../helpers/TcpProxy.ts';
import { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const GRACE_MS = 2500;
const PING_INTERVAL_MS = 250;

let server: TestServer;
const cleanups: (() => unknown)[] = [];
let roomCounter = 0;
const newRoomId = () => `resume-${process.pid}-${++roomCounter}`;

before(async () => {
	server = await startTestServer({
		env: {
			AUTH_KEYS,
			RECONNECT_GRACE_MS: String(GRACE_MS),
			RECONNECT_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
		},
	});
});

afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

after(async () => {
	await server.close();
});

/** A client of the room as `identity`, reaching the server on `port` (the server's, or a proxy's). */
interface Client {
	peer: TestPeer;
	roomId: string;
	identity: string;
	grants: TokenGrants;
	/** The join answer (with the session's resume secret). */
	joined: JoinResponse;
}

async function connectionUrl(port: number, roomId: string, identity: string, grants: TokenGrants, extra = '') {
	const query = `roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(identity)}`;
	return `wss://127.0.0.1:${port}/?${query}${tokenQuery(await testToken(identity, grants))}${extra}`;
}

/** A joined peer that sends an audio and a video producer; on `port` when it goes through a proxy. */
async function joined(
	roomId: string,
	identity: string,
	{ port = server.port, grants = { room: roomId } as TokenGrants, produce = true } = {},
): Promise<Client> {
	const peer = await TestPeer.connect({ url: await connectionUrl(port, roomId, identity, grants), ca: server.ca });
	cleanups.push(() => peer.close());
	const answer = await peer.join({ displayName: identity });
	if (produce) {
		await peer.produce('audio');
		await peer.produce('video');
	}
	return { peer, roomId, identity, grants, joined: answer };
}

/** The websocket-node connection under a protoo-client peer (its transport's W3CWebSocket's). */
function websocketNodeConnectionOf(protoo: unknown): {
	sendUTF(message: string): void;
	close(code: number, description: string): void;
	socket: { cork(): void };
} {
	const connection = ['_transport', '_ws', '_connection'].reduce<unknown>(
		(object, key) => (typeof object === 'object' && object !== null ? Reflect.get(object, key) : undefined),
		protoo,
	);
	assert.ok(typeof connection === 'object' && connection !== null, 'protoo-client keeps its WebSocket connection');
	return connection as ReturnType<typeof websocketNodeConnectionOf>;
}

/** A proxy to the server's HTTPS port: the network of one client. */
async function network(): Promise<TcpProxy> {
	const proxy = await TcpProxy.start({ host: '127.0.0.1', port: server.port });
	cleanups.push(() => proxy.close());
	return proxy;
}

/** `&resume=` with the client's own secret, or another one. */
function resumeQuery(client: Pick<Client, 'joined'>, secret = client.joined.resumeSecret): string {
	assert.ok(secret, 'the join answer carries a resume secret');
	return `&resume=${encodeURIComponent(secret)}`;
}

/** Resumes the client's session over a new connection to `port`; answers what sessionResumed said. */
async function resume(client: Client, port = server.port): Promise<SessionResumed> {
	const before = client.peer.notificationsOf('sessionResumed').length;
	await client.peer.resume(
		await connectionUrl(port, client.roomId, client.identity, client.grants, resumeQuery(client)),
	);
	const resumed = await waitFor('sessionResumed', () => client.peer.notificationsOf('sessionResumed')[before]);
	return resumed as unknown as SessionResumed;
}

/** What a handshake of this identity gets with the extra query (e.g. `&resume=...`). */
async function handshakeOf(
	{ roomId, identity, grants }: Pick<Client, 'roomId' | 'identity' | 'grants'>,
	extra: string,
) {
	return handshake(await connectionUrl(server.port, roomId, identity, grants, extra), { ca: server.ca });
}

async function serverPeer(roomId: string, peerId: string) {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	const peer = room.peers.get(peerId);
	assert.ok(peer, `peer ${peerId} is in room ${roomId}`);
	return peer;
}

/** The ids of the peer's producers, consumers and data consumers on the server. */
async function serverObjects(roomId: string, peerId: string) {
	const peer = await serverPeer(roomId, peerId);
	return {
		transports: [...peer.transports.keys()].sort(),
		producers: [...peer.producers.keys()].sort(),
		consumers: [...peer.consumers.keys()].sort(),
		dataConsumers: [...peer.dataConsumers.keys()].sort(),
	};
}

/** Waits until `peer` has a consumer of each producer (its newConsumer accepted). */
function consumes(peer: TestPeer, producerIds: readonly string[]) {
	return waitFor(`consumers of ${producerIds.join(', ')}`, () =>
		producerIds.every((id) => [...peer.consumers.values()].some((consumer) => consumer.producerId === id)),
	);
}

/** Two joined peers, each consuming the other's audio and video; bob behind a network the test controls. */
async function aliceAndBob() {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { grants: moderatorOf(roomId) });
	const proxy = await network();
	const bob = await joined(roomId, 'bob', { port: proxy.port });
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	const ids = (peerId: string) => [...(room.peers.get(peerId)?.producers.keys() ?? [])];
	await consumes(alice.peer, ids('bob'));
	await consumes(bob.peer, ids('alice'));
	return { roomId, alice, bob, proxy };
}

test('the network goes: the others see the peer reconnecting, not leaving; it resumes with its session as it was', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	const before = await serverObjects(roomId, 'bob');
	const aliceConsumers = [...alice.peer.consumers.keys()].sort();
	assert.equal(before.producers.length, 2);
	assert.equal(before.consumers.length, 2);

	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	const peer = await serverPeer(roomId, 'bob');
	assert.equal(peer.reconnecting, true);
	assert.deepEqual(await serverObjects(roomId, 'bob'), before, 'the peer keeps everything while it is away');
	await assertNoOrphans(server.server, roomId);

	proxy.restore();
	const resumed = await resume(bob, proxy.port);
	assert.deepEqual(resumed.producers.map((producer) => producer.id).sort(), before.producers);
	assert.deepEqual(resumed.consumers.map((consumer) => consumer.id).sort(), before.consumers);
	assert.deepEqual(
		resumed.peers.map((member) => member.id),
		['alice'],
	);
	await alice.peer.waitForNotification('peerReconnected', (data) => data.peerId === 'bob');
	assert.equal(peer.reconnecting, false);
	assert.equal(await serverPeer(roomId, 'bob'), peer, 'the same peer, not a new session');
	assert.deepEqual(await serverObjects(roomId, 'bob'), before);

	// The others never saw it leave: same consumers, none closed.
	assert.deepEqual(alice.peer.notificationsOf('peerClosed'), []);
	assert.deepEqual(alice.peer.notificationsOf('consumerClosed'), []);
	assert.deepEqual([...alice.peer.consumers.keys()].sort(), aliceConsumers);
	// Its requests work on the new connection, on the same objects.
	const [producerId] = before.producers;
	await bob.peer.request('pauseProducer', { producerId });
	await alice.peer.waitForNotification('consumerPaused');
	await assertNoOrphans(server.server, roomId);
});

test('what arose while the peer was away is offered when it resumes: new consumers and data consumers, not closed ones', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');

	// While bob is away, alice shares her screen, opens a chat, and starts and stops a second camera.
	const screen = await alice.peer.sendTransport?.produce({ track: fakeTrack('video'), appData: { source: 'screen' } });
	assert.ok(screen);
	const chat = await alice.peer.produceData('chat');
	const shortLived = await alice.peer.produce('video');
	const bobPeer = await serverPeer(roomId, 'bob');
	const consumerOf = (producerId: string) =>
		[...bobPeer.consumers.values()].find((consumer) => consumer.producerId === producerId);
	const waiting = await waitFor("bob's consumer of the screen, made while he is away", () => consumerOf(screen.id));
	await waitFor("bob's consumer of the short-lived camera", () => consumerOf(shortLived.id));
	shortLived.close();
	await alice.peer.request('closeProducer', { producerId: shortLived.id });
	await waitFor('the consumer of the closed producer is gone', () => !consumerOf(shortLived.id));
	// Held, not failed: the consumer waits for bob, paused.
	await sleep(300);
	assert.equal(waiting.closed, false);
	assert.equal(waiting.paused, true);

	proxy.restore();
	const resumed = await resume(bob, proxy.port);
	assert.ok(resumed.consumers.some((consumer) => consumer.id === waiting.id && consumer.paused));
	assert.ok(!resumed.consumers.some((consumer) => consumer.producerId === shortLived.id));
	await consumes(bob.peer, [screen.id]);
	assert.ok(bob.peer.consumers.has(waiting.id), 'the consumer offered is the one that waited');
	await waitFor('the consumer runs once bob accepted it', () => !waiting.paused);
	await waitFor("bob's data consumer of alice's chat", () =>
		[...bob.peer.dataConsumers.values()].some((dataConsumer) => dataConsumer.dataProducerId === chat.id),
	);
	assert.ok(
		![...bob.peer.consumers.values()].some((consumer) => consumer.producerId === shortLived.id),
		'nothing of the producer that came and went while bob was away',
	);
	await assertNoOrphans(server.server, roomId);
});

test('the grace period ends: the peer leaves as if it had closed, nothing of it stays, and its resume is refused with 410', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	const bobsProducers = (await serverObjects(roomId, 'bob')).producers;
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	const lostAt = Date.now();
	await alice.peer.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
	assert.ok(Date.now() - lostAt >= GRACE_MS - 200, 'not before the grace period ended');

	const room = await server.server.rooms.find(roomId);
	assert.equal(room?.peers.has('bob'), false);
	assert.equal(
		alice.peer.notificationsOf('consumerClosed').length,
		bobsProducers.length,
		"alice's consumers of bob's producers closed",
	);
	await assertNoOrphans(server.server, roomId);
	const dump = await room?.router.dump();
	assert.ok(!dump?.mapProducerIdConsumerIds.some((entry) => bobsProducers.includes(entry.key)));

	assert.deepEqual(await handshakeOf(bob, resumeQuery(bob)), {
		status: 410,
		reason: `session of peer "bob" in room "${roomId}" expired (its grace period ended, or the server restarted): join again`,
	});
	// A new session joins as anyone would.
	const again = await joined(roomId, 'bob', { produce: false });
	assert.deepEqual(
		again.joined.peers.map((member) => member.id),
		['alice'],
	);
});

test('a wrong or missing secret takes nothing over: the reconnecting peer stays as it was, and its own secret resumes it', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	const peer = await serverPeer(roomId, 'bob');
	const before = await serverObjects(roomId, 'bob');

	assert.deepEqual(await handshakeOf(bob, resumeQuery(bob, 'not-the-secret')), {
		status: 403,
		reason: 'resume secret does not match the session of peer "bob" (a newer session took its place): join again',
	});
	const plain = await handshakeOf(bob, '');
	assert.equal(plain.status, 403);
	assert.match(
		plain.reason,
		/^peer "bob" is reconnecting: only its session's resume secret takes it up; a new session can join when its grace period ends in [0-9]+ s$/,
	);
	// The secret alone is not enough: the token must be bob's, as on any connection.
	const query = `roomId=${encodeURIComponent(roomId)}&peerId=bob${resumeQuery(bob)}`;
	const noToken = await handshake(`wss://127.0.0.1:${server.port}/?${query}`, { ca: server.ca });
	assert.equal(noToken.status, 401);
	const carols = await handshake(
		`wss://127.0.0.1:${server.port}/?${query}${tokenQuery(await testToken('carol', { room: roomId }))}`,
		{ ca: server.ca },
	);
	assert.deepEqual(carols, {
		status: 403,
		reason: "peerId must be the token's identity (sub): connect with peerId=carol",
	});

	assert.equal(await serverPeer(roomId, 'bob'), peer);
	assert.equal(peer.reconnecting, true);
	assert.deepEqual(await serverObjects(roomId, 'bob'), before);
	assert.deepEqual(alice.peer.notificationsOf('peerClosed'), []);

	proxy.restore();
	await resume(bob, proxy.port);
	assert.equal(peer.reconnecting, false);
	await assertNoOrphans(server.server, roomId);
});

test('a client that finds its connection dead before the server does resumes over a new one: the old one is closed as resumed', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice');
	const bob = await joined(roomId, 'bob');
	const oldProtoo = bob.peer.protoo;
	const before = await serverObjects(roomId, 'bob');
	await waitFor('alice knows bob', () => alice.peer.notificationsOf('newPeer').length === 1);
	const aliceSaw = alice.peer.notifications.length;
	const oldClosings: unknown[] = [];
	oldProtoo.on('notification', (notification) => {
		if (notification.method === 'closing') oldClosings.push(notification.data);
	});

	await resume(bob);
	await waitFor('the old connection closed', () => oldProtoo.closed);
	assert.deepEqual(oldClosings, [{ reason: 'resumed' }]);
	assert.deepEqual(await serverObjects(roomId, 'bob'), before);
	await bob.peer.request('getTransportStats', { transportId: before.transports[0] });
	// Never away for the others.
	await sleep(200);
	const since = alice.peer.notifications.slice(aliceSaw).map((notification) => notification.method);
	for (const method of ['peerReconnecting', 'peerReconnected', 'peerClosed', 'newPeer']) {
		assert.ok(!since.includes(method), `alice got no ${method}`);
	}
	await assertNoOrphans(server.server, roomId);
});

test('a silent network (nothing passes, nobody is told) is found by pings; the peer resumes when it comes back', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	proxy.freeze();
	const frozenAt = Date.now();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	assert.ok(Date.now() - frozenAt < 4 * PING_INTERVAL_MS + 1000, 'found within about two ping intervals');
	proxy.restore();
	// The server dropped the connection: bob's client sees it go once packets pass again.
	await waitFor("bob's client sees its connection gone", () => bob.peer.closed);
	await resume(bob, proxy.port);
	await alice.peer.waitForNotification('peerReconnected', (data) => data.peerId === 'bob');
	assert.deepEqual(alice.peer.notificationsOf('peerClosed'), []);
	await assertNoOrphans(server.server, roomId);
});

test('a peer removed by a moderator while it was away cannot resume', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	await alice.peer.request('removePeer', { peerId: 'bob', reason: 'gone too long' });
	await alice.peer.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
	proxy.restore();
	assert.deepEqual(await handshakeOf(bob, resumeQuery(bob)), {
		status: 403,
		reason: 'removed from this room by a moderator',
	});
	await assertNoOrphans(server.server, roomId);
});

test('a connected peer removed by a moderator is told so, and cannot resume either', async () => {
	const { roomId, alice, bob } = await aliceAndBob();
	await alice.peer.request('removePeer', { peerId: 'bob', reason: '' });
	await bob.peer.waitForNotification('closing', (data) => data.reason === 'removed');
	await waitFor("bob's connection closed", () => bob.peer.closed);
	assert.deepEqual(await handshakeOf(bob, resumeQuery(bob)), {
		status: 403,
		reason: 'removed from this room by a moderator',
	});
	await assertNoOrphans(server.server, roomId);
});

test('a peer that had not joined, or that closed its connection itself, leaves at once', async () => {
	const { roomId, alice, bob } = await aliceAndBob();
	const proxy = await network();
	const dave = await TestPeer.connect({
		url: await connectionUrl(proxy.port, roomId, 'dave', { room: roomId }),
		ca: server.ca,
	});
	cleanups.push(() => dave.close());
	const room = await server.server.rooms.find(roomId);
	await waitFor('dave is connected', () => room?.peers.has('dave'));
	proxy.cut();
	await waitFor('dave is gone at once', () => !room?.peers.has('dave'), { timeoutMs: GRACE_MS / 2 });

	bob.peer.close();
	await alice.peer.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
	assert.deepEqual(alice.peer.notificationsOf('peerReconnecting'), []);
	assert.deepEqual(await handshakeOf(bob, resumeQuery(bob)), {
		status: 410,
		reason: `session of peer "bob" in room "${roomId}" expired (its grace period ended, or the server restarted): join again`,
	});
	await assertNoOrphans(server.server, roomId);
});

test('a client that says goodbye in the same packet as its last messages has left, not dropped: no grace', async () => {
	// What a client leaving right after it accepted its last consumers sends:
	// answers, then its close frame and the end of the stream, read by the
	// server at once. The server's answers to them then meet a closed socket
	// (EPIPE). The close frame decides: the peer left (websocket-node parsed
	// one frame per tick and took the socket's end for a drop: patches/).
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { produce: false });
	const leavers = await Promise.all(
		['bob', 'carol', 'dave', 'erin'].map((identity) => joined(roomId, identity, { produce: false })),
	);
	for (const { peer } of leavers) {
		const connection = websocketNodeConnectionOf(peer.protoo);
		connection.socket.cork();
		for (let id = 1; id <= 20; id++) {
			connection.sendUTF(JSON.stringify({ request: true, id: 1e6 + id, method: 'getRouterRtpCapabilities', data: {} }));
		}
		connection.close(1000, 'leaving');
	}
	for (const { identity } of leavers) {
		await alice.peer.waitForNotification('peerClosed', (data) => data.peerId === identity);
	}
	assert.deepEqual(alice.peer.notificationsOf('peerReconnecting'), []);
	await assertNoOrphans(server.server, roomId);
});

test('a resume into a room that does not exist (the server restarted) is refused with 410 and makes no room', async () => {
	const roomId = newRoomId();
	const erin = { roomId, identity: 'erin', grants: { room: roomId } };
	const gone = { joined: { peers: [], resumeSecret: 'a-secret-of-a-server-that-is-gone' } };
	assert.deepEqual(await handshakeOf(erin, resumeQuery(gone)), {
		status: 410,
		reason: `session of peer "erin" in room "${roomId}" expired (its grace period ended, or the server restarted): join again`,
	});
	assert.equal(await server.server.rooms.find(roomId), undefined);
});

test('what changed while the peer was away is in sessionResumed, not replayed: a moderator muted it and changed its grants', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	const bobPeer = await serverPeer(roomId, 'bob');
	const mic = [...bobPeer.producers.values()].find((producer) => producer.kind === 'audio');
	assert.ok(mic);
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	await alice.peer.request('muteProducer', { producerId: mic.id });
	await alice.peer.request('setPeerGrants', { peerId: 'bob', grants: { record: true } });
	const missed = bob.peer.notifications.length;

	proxy.restore();
	const resumed = await resume(bob, proxy.port);
	assert.deepEqual(
		resumed.producers.find((producer) => producer.id === mic.id),
		{ id: mic.id, paused: true },
	);
	assert.equal(resumed.grants.record, true);
	assert.equal(resumed.locked, false);
	assert.equal(resumed.lobby, undefined, 'a peer without roomAdmin is not told who waits');
	const since = bob.peer.notifications.slice(missed).map((notification) => notification.method);
	assert.equal(since[0], 'sessionResumed', 'the first message of the new connection');
	for (const method of ['producerMutedByModerator', 'grantsChanged', 'peerReconnecting']) {
		assert.ok(!since.includes(method), `${method} is not replayed`);
	}
});

test('a moderator that resumes learns who waits in the lobby now', async () => {
	const roomId = newRoomId();
	const proxy = await network();
	const alice = await joined(roomId, 'alice', { port: proxy.port, grants: moderatorOf(roomId), produce: false });
	await alice.peer.request('lockRoom', { locked: true });
	proxy.cut();
	await waitFor('alice is reconnecting', async () => (await serverPeer(roomId, 'alice')).reconnecting);
	const carol = await TestPeer.connect({
		url: await connectionUrl(server.port, roomId, 'carol', { room: roomId }),
		ca: server.ca,
	});
	cleanups.push(() => carol.close());
	await carol.join({ displayName: 'Carol' }).catch(() => {});
	await carol.waitForNotification('lobbyEntered');

	proxy.restore();
	const resumed = await resume(alice, proxy.port);
	assert.equal(resumed.locked, true);
	assert.deepEqual(resumed.lobby, [{ peerId: 'carol', displayName: 'Carol' }]);
});

test('a hidden peer (a recorder) reconnects unannounced, as it came', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice');
	const proxy = await network();
	const recorder = await joined(roomId, 'recorder', {
		port: proxy.port,
		grants: { room: roomId, hidden: true },
		produce: false,
	});
	proxy.cut();
	await waitFor('the recorder is reconnecting', async () => (await serverPeer(roomId, 'recorder')).reconnecting);
	proxy.restore();
	await resume(recorder, proxy.port);
	await sleep(200);
	for (const method of ['peerReconnecting', 'peerReconnected', 'peerClosed', 'newPeer']) {
		assert.deepEqual(alice.peer.notificationsOf(method), [], `alice got no ${method}`);
	}
});

test('GET /access answers what the handshake would, a resume included, so that a browser can read it', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	const access = async (who: Client, extra: string) => {
		const query = `roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(who.identity)}${extra}`;
		const { status, body } = await server.rest(
			'GET',
			`/access?${query}`,
			undefined,
			bearer(await testToken(who.identity, who.grants)),
		);
		return { status, body };
	};
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	const bobPeer = await serverPeer(roomId, 'bob');

	assert.deepEqual(await access(bob, resumeQuery(bob)), { status: 200, body: { grants: bobPeer.grants } });
	assert.deepEqual(await access(bob, resumeQuery(bob, 'not-the-secret')), {
		status: 403,
		body: {
			error: 'resume secret does not match the session of peer "bob" (a newer session took its place): join again',
		},
	});
	const plain = await access(bob, '');
	assert.equal(plain.status, 403);
	assert.match(String((plain.body as { error: string }).error), /^peer "bob" is reconnecting: /);
	assert.equal(bobPeer.reconnecting, true, 'asking changes nothing');

	await alice.peer.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
	assert.deepEqual(await access(bob, resumeQuery(bob)), {
		status: 410,
		body: {
			error: `session of peer "bob" in room "${roomId}" expired (its grace period ended, or the server restarted): join again`,
		},
	});
	assert.equal((await access(bob, '')).status, 200, 'a new session may join now');
});

test('every join answers its own secret, and the others learn who is reconnecting from it', async () => {
	const { roomId, alice, bob, proxy } = await aliceAndBob();
	assert.match(alice.joined.resumeSecret ?? '', /^[A-Za-z0-9_-]{43}$/);
	assert.notEqual(alice.joined.resumeSecret, bob.joined.resumeSecret);
	proxy.cut();
	await alice.peer.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	const carol = await joined(roomId, 'carol', { produce: false });
	assert.deepEqual(
		carol.joined.peers.map(({ id, reconnecting }) => ({ id, reconnecting })),
		[
			{ id: 'alice', reconnecting: undefined },
			{ id: 'bob', reconnecting: true },
		],
	);
});
