// The protoo side of the authorization matrix (issue 21). On a token-mode
// server with two API keys (a rotation: tokens of either work), every way a
// WebSocket handshake can be wrong is refused with the HTTP status and reason
// a client sees: 401 when the server cannot tell who is calling, 403 naming
// the grant (or the claim) when it can and the caller may not. After a right
// token, each request family is refused without its grant (403 naming it),
// and works with it. No refusal leaves anything in the room's router. Open
// mode ignores the token parameter and lets everyone do everything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { OPEN_GRANTS, type TokenGrants } from '../../protocol/access.ts';
import { mintToken } from '../../server/auth/tokens.ts';
import { AUTH_KEYS, NEW_KEY, OLD_KEY, testToken, tokenQuery } from '../helpers/accessTokens.ts';
import { fakeTc, restorePath } from '../helpers/fakeTc.ts';
import { handshake } from '../helpers/handshake.ts';
import { refused, routerState } from '../helpers/routerState.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { roomTokenGrants } from '../protocol/fixtures.ts';

let server: TestServer;
let dir: string;
const peers: TestPeer[] = [];

before(async () => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'conference-access-'));
	// No THROTTLE_SECRET: in token mode the throttle needs roomAdmin, not a secret.
	server = await startTestServer({ env: { AUTH_KEYS, RECORDINGS_DIR: path.join(dir, 'recordings') } });
});

after(async () => {
	for (const peer of peers) peer.close();
	await server.close();
	rmSync(dir, { recursive: true, force: true });
});

/** A peer connected with a token for itself, closed after the file. */
async function connectWith(roomId: string, peerId: string, grants: TokenGrants): Promise<TestPeer> {
	const peer = await server.connect(roomId, peerId, { query: tokenQuery(await testToken(peerId, grants)) });
	peers.push(peer);
	return peer;
}

const validOpus = {
	codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: 4444 }],
};
const validVp8 = {
	codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
	encodings: [{ ssrc: 5555 }],
};

/** A produce request as the app sends it (a screen share says `share: true` in its appData). */
function produceRequest(peer: TestPeer, kind: 'audio' | 'video', appData: Record<string, unknown> = {}) {
	return { transportId: peer.sendTransport?.id, kind, rtpParameters: kind === 'audio' ? validOpus : validVp8, appData };
}

describe('the WebSocket handshake', () => {
	const roomId = `access-join-${process.pid}`;
	const otherRoomId = `access-other-${process.pid}`;
	const url = (peerId: string, token: string | undefined, extra = '', room = roomId) =>
		`wss://127.0.0.1:${server.port}/?roomId=${room}&peerId=${peerId}${token === undefined ? '' : tokenQuery(token)}${extra}`;

	before(async () => {
		// Someone is in the room, with media, so that a leak would show in its router.
		const resident = await connectWith(roomId, 'resident', { room: roomId });
		await resident.join();
		await resident.produce('audio');
	});

	const refusals: {
		name: string;
		peerId?: string;
		token: () => Promise<string | undefined>;
		extra?: string;
		room?: string;
		status: number;
		reason: string;
	}[] = [
		{
			name: 'no token',
			token: async () => undefined,
			status: 401,
			reason: 'token required: this server runs in token mode',
		},
		{
			name: 'an empty token',
			token: async () => '',
			status: 401,
			reason: 'token required: this server runs in token mode',
		},
		{
			name: 'not a JWT',
			token: async () => 'hello',
			status: 401,
			reason: 'token is not a JWT (header.payload.signature)',
		},
		{
			name: 'a bad signature (a known key, signed with another secret)',
			token: () =>
				mintToken({
					apiKey: { key: NEW_KEY.key, secret: 'not-the-secret-but-as-long-as-one-is' },
					identity: 'mallory',
					grants: { room: roomId },
				}),
			status: 401,
			reason: 'token signature is invalid',
		},
		{
			name: 'an unknown key',
			token: () =>
				mintToken({
					apiKey: { key: 'key-1999', secret: 'a-secret-this-server-never-heard-of' },
					identity: 'mallory',
					grants: { room: roomId },
				}),
			status: 401,
			reason: 'token is signed with an unknown API key "key-1999"',
		},
		{
			name: 'expired (beyond the 30 s of clock tolerance)',
			token: () => testToken('mallory', { room: roomId }, { ttlSeconds: -120 }),
			status: 401,
			reason: 'token expired',
		},
		{
			name: 'not yet valid (nbf in two minutes)',
			token: () => testToken('mallory', { room: roomId }, { notBeforeSeconds: 120 }),
			status: 401,
			reason: 'token is not valid yet (nbf)',
		},
		{
			name: 'a token for another room',
			token: () => testToken('mallory', { room: roomId }),
			room: otherRoomId,
			status: 403,
			reason: `token is for room "${roomId}", not "${otherRoomId}"`,
		},
		{
			name: 'a token for no room',
			token: () => testToken('mallory', { ingest: true }),
			status: 403,
			reason: `token is for room "(none)", not "${roomId}"`,
		},
		{
			name: 'no join grant',
			token: () => testToken('mallory', { room: roomId, join: false }),
			status: 403,
			reason: 'joining a room needs the join grant',
		},
		{
			name: "someone else's identity (peerId is not the token's sub)",
			peerId: 'resident',
			token: () => testToken('mallory', { room: roomId }),
			status: 403,
			reason: "peerId must be the token's identity (sub): connect with peerId=mallory",
		},
		{
			name: 'consumerReplicas without the grant',
			token: () => testToken('mallory', { room: roomId }),
			extra: '&consumerReplicas=1',
			status: 403,
			reason: 'consumerReplicas 1 is more than the token allows (grants.consumerReplicas 0)',
		},
		{
			name: 'consumerReplicas beyond the grant',
			token: () => testToken('mallory', { room: roomId, consumerReplicas: 2 }),
			extra: '&consumerReplicas=3',
			status: 403,
			reason: 'consumerReplicas 3 is more than the token allows (grants.consumerReplicas 2)',
		},
	];

	for (const { name, peerId = 'mallory', token, extra, room, status, reason } of refusals) {
		test(`${name}: ${status} "${reason}", and nothing changes`, async () => {
			const before = await routerState(server.server, roomId);
			const answer = await handshake(url(peerId, await token(), extra, room), { ca: server.ca });
			assert.deepEqual(answer, { status, reason });
			assert.deepEqual(await routerState(server.server, roomId), before);
			const joinedRoom = await server.server.rooms.find(roomId);
			assert.deepEqual([...(joinedRoom?.peers.keys() ?? [])], ['resident'], 'nobody was added or replaced');
			assert.equal(await server.server.rooms.find(otherRoomId), undefined, 'no room was created');
		});
	}

	test('a right token of either key (a rotation) joins, and its grants are in the join response', async () => {
		for (const [peerId, apiKey] of [
			['with-old-key', OLD_KEY],
			['with-new-key', NEW_KEY],
		] as const) {
			const token = await testToken(peerId, { room: roomId }, { apiKey, name: 'From Token' });
			const peer = await server.connect(roomId, peerId, { query: tokenQuery(token) });
			peers.push(peer);
			const joined = await peer.join();
			assert.equal(joined.peers.length, 1 + (peerId === 'with-new-key' ? 1 : 0), `${peerId} sees the others`);
			assert.deepEqual(joined.grants, roomTokenGrants(roomId));
			await waitFor(`${peerId} consumes the resident's audio`, () => peer.consumers.size === 1);
		}
	});

	test('a token for every room ("*") and consumerReplicas within the grant join', async () => {
		const token = await testToken('replicas', { room: '*', consumerReplicas: 2 });
		const answer = await handshake(url('replicas', token, '&consumerReplicas=2'), { ca: server.ca });
		assert.deepEqual(answer, { status: 101, reason: '' });
	});
});

describe('publishing: the publish grant, per source', () => {
	const roomId = `access-publish-${process.pid}`;
	let micOnly: TestPeer;
	let listener: TestPeer;

	before(async () => {
		listener = await connectWith(roomId, 'listener', { room: roomId, publish: false });
		await listener.join();
		micOnly = await connectWith(roomId, 'mic-only', { room: roomId, publish: ['microphone'] });
		await micOnly.join();
	});

	test('publish ["microphone"]: audio is produced, and the others consume it', async () => {
		const producer = await micOnly.produce('audio');
		const room = await server.server.rooms.find(roomId);
		assert.ok(room?.peers.get('mic-only')?.producers.has(producer.id));
		await waitFor('the listener consumes it', () => listener.consumers.size === 1);
	});

	test('publish ["microphone"]: the camera is refused with 403 naming the grant and the source', async () => {
		const error = await refused(server.server, roomId, micOnly, 'produce', produceRequest(micOnly, 'video'));
		assert.deepEqual(error, { code: 403, reason: 'publishing the camera needs the publish grant for "camera"' });
	});

	test('publish ["microphone"]: a screen share is refused with 403 naming the grant and the source', async () => {
		for (const appData of [{ share: true }, { source: 'screen' }]) {
			const error = await refused(server.server, roomId, micOnly, 'produce', produceRequest(micOnly, 'video', appData));
			assert.deepEqual(error, { code: 403, reason: 'publishing the screen needs the publish grant for "screen"' });
		}
	});

	test('publish false: even the microphone is refused', async () => {
		const error = await refused(server.server, roomId, listener, 'produce', produceRequest(listener, 'audio'));
		assert.deepEqual(error, {
			code: 403,
			reason: 'publishing the microphone needs the publish grant for "microphone"',
		});
	});
});

describe('DataChannels: the data grant', () => {
	const roomId = `access-data-${process.pid}`;

	test('without data, produceData is refused with 403 naming the grant', async () => {
		const peer = await connectWith(roomId, 'no-data', { room: roomId, data: false });
		await peer.join();
		const error = await refused(server.server, roomId, peer, 'produceData', {
			transportId: peer.sendTransport?.id,
			sctpStreamParameters: { streamId: 1 },
			label: 'chat',
			protocol: '',
			appData: {},
		});
		assert.deepEqual(error, { code: 403, reason: 'a DataChannel needs the data grant' });
	});

	test('with data (the default of a room token), the chat DataChannel is produced', async () => {
		const peer = await connectWith(roomId, 'chatty', { room: roomId });
		await peer.join();
		const chat = await peer.produceData('chat');
		assert.ok((await server.server.rooms.find(roomId))?.peers.get('chatty')?.dataProducers.has(chat.id));
	});
});

describe('recording: the record or roomAdmin grant', () => {
	const roomId = `access-record-${process.pid}`;

	test('without record or roomAdmin, startRecording and stopRecording are refused with 403', async () => {
		const peer = await connectWith(roomId, 'no-record', { room: roomId });
		await peer.join({ produce: false });
		for (const method of ['startRecording', 'stopRecording']) {
			const error = await refused(server.server, roomId, peer, method);
			assert.deepEqual(error, { code: 403, reason: 'recording needs the record or roomAdmin grant' }, method);
		}
		const room = await server.server.rooms.find(roomId);
		assert.equal(room?.recorder.active, false, 'nothing is recording');
	});

	test('with record, or with roomAdmin, recording starts and stops', async () => {
		for (const grants of [{ record: true }, { roomAdmin: true }]) {
			const peerId = Object.keys(grants).join('-');
			const peer = await connectWith(roomId, peerId, { room: roomId, ...grants });
			await peer.join({ produce: false });
			const started = await peer.request('startRecording');
			assert.equal(typeof (started as { startedAt: unknown }).startedAt, 'number', peerId);
			assert.deepEqual(await peer.request('stopRecording'), { files: [] }, peerId);
		}
	});
});

describe('network throttling: the roomAdmin grant in token mode', () => {
	const roomId = `access-throttle-${process.pid}`;

	afterEach(() => restorePath());

	test('without roomAdmin, applyNetworkThrottle and resetNetworkThrottle are refused with 403, secret or not', async () => {
		const tc = fakeTc(dir);
		const peer = await connectWith(roomId, 'no-admin', { room: roomId });
		await peer.join();
		for (const [method, data] of [
			['applyNetworkThrottle', { uplink: 100 }],
			['applyNetworkThrottle', { secret: 'anything', uplink: 100 }],
			['resetNetworkThrottle', {}],
		] as const) {
			const error = await refused(server.server, roomId, peer, method, data);
			assert.deepEqual(error, { code: 403, reason: 'network throttling needs the roomAdmin grant' }, method);
		}
		assert.deepEqual(tc.calls(), [], 'tc never ran');
	});

	test('with roomAdmin, the request reaches tc (a fake one: no netem is applied), without any secret', async () => {
		const tc = fakeTc(dir);
		const admin = await connectWith(roomId, 'admin', { room: roomId, roomAdmin: true });
		await admin.join();
		await admin.request('applyNetworkThrottle', { rtt: 100 });
		await admin.request('resetNetworkThrottle');
		assert.deepEqual(tc.calls(), ['qdisc replace dev lo root netem delay 50ms', 'qdisc del dev lo root']);
	});
});

describe('subscribing: the subscribe grant', () => {
	const roomId = `access-subscribe-${process.pid}`;
	let watcher: TestPeer;
	let early: TestPeer;
	let publisher: TestPeer;

	before(async () => {
		watcher = await connectWith(roomId, 'watcher', { room: roomId });
		await watcher.join();
		early = await connectWith(roomId, 'early-no-subscribe', { room: roomId, subscribe: false });
		const joined = await early.join();
		assert.equal(joined.grants?.subscribe, false, 'the join response tells the app');
		publisher = await connectWith(roomId, 'publisher', { room: roomId });
		await publisher.join();
		await publisher.produce('audio');
		await publisher.produce('video');
		// The fan-out offers every peer its consumers at once: by the time the
		// watcher has both, the peer without subscribe was passed over.
		await waitFor('the watcher consumes audio and video', () => watcher.consumers.size === 2);
	});

	test('a peer without subscribe joins, sees the others, and gets no newConsumer', async () => {
		assert.equal(early.consumers.size, 0);
		assert.ok(
			early.notificationsOf('newPeer').some((peer) => peer.id === 'publisher'),
			'it knows who is there',
		);
		const { consumers } = await routerState(server.server, roomId);
		assert.deepEqual(consumers, [...watcher.consumers.keys()].sort(), "the router has only the watcher's consumers");
	});

	test('joining after the producers exist, it gets no newConsumer either (the chat bot still reaches it)', async () => {
		const late = await connectWith(roomId, 'late-no-subscribe', { room: roomId, subscribe: false });
		await late.join();
		// The bot's data consumer is offered after every media consumer would have been.
		await waitFor('the bot DataChannel', () => late.dataConsumers.size === 1);
		assert.equal(late.consumers.size, 0);
		const { consumers } = await routerState(server.server, roomId);
		assert.deepEqual(consumers, [...watcher.consumers.keys()].sort());
	});
});

describe('hidden peers: the hidden grant', () => {
	const roomId = `access-hidden-${process.pid}`;
	let observer: TestPeer;
	let hidden: TestPeer;

	before(async () => {
		observer = await connectWith(roomId, 'observer', { room: roomId });
		await observer.join();
		await observer.produce('audio');
		hidden = await connectWith(roomId, 'recorder-bot', { room: roomId, hidden: true });
		const joined = await hidden.join();
		assert.deepEqual(
			joined.peers.map((peer) => peer.id),
			['observer'],
			'a hidden peer sees the others',
		);
		await waitFor('the hidden peer consumes the observer', () => hidden.consumers.size === 1);
	});

	test('it is not announced: the others get no newPeer, and later joiners do not see it', async () => {
		const later = await connectWith(roomId, 'later', { room: roomId });
		const joined = await later.join();
		assert.deepEqual(
			joined.peers.map((peer) => peer.id),
			['observer'],
		);
		// Notifications arrive in order: the later peer's newPeer comes after any for the hidden one.
		await observer.waitForNotification('newPeer', (peer) => peer.id === 'later');
		assert.deepEqual(
			observer.notificationsOf('newPeer').map((peer) => peer.id),
			['later'],
		);
	});

	test('it may not publish: produce is refused with 403', async () => {
		const error = await refused(server.server, roomId, hidden, 'produce', produceRequest(hidden, 'audio'));
		assert.deepEqual(error, { code: 403, reason: 'a hidden peer (hidden grant) does not publish' });
	});

	test('it leaves unannounced: the others get no peerClosed', async () => {
		hidden.close();
		await waitFor('the hidden peer is gone', async () => {
			const room = await server.server.rooms.find(roomId);
			return room !== undefined && !room.peers.has('recorder-bot');
		});
		const witness = await connectWith(roomId, 'witness', { room: roomId });
		await witness.join();
		// Everything the server offers it is answered first: a request pending
		// when a client leaves would keep its 30 s timer (protoo-server).
		await waitFor('the witness consumes the observer and the bot', () => witness.consumers.size === 1);
		await waitFor('the bot DataChannel', () => witness.dataConsumers.size === 1);
		witness.close();
		await observer.waitForNotification('peerClosed', (peer) => peer.peerId === 'witness');
		assert.deepEqual(
			observer.notificationsOf('peerClosed').map((peer) => peer.peerId),
			['witness'],
		);
	});
});

describe('open mode', () => {
	const roomId = `access-open-${process.pid}`;
	let open: TestServer;

	before(async () => {
		open = await startTestServer();
	});

	after(async () => {
		await open.close();
	});

	test('the token parameter is ignored: peers join, publish and consume as before, with every grant', async () => {
		const query = tokenQuery('not-a-token-at-all');
		const alice = await open.connect(roomId, 'alice', { query });
		const bob = await open.connect(roomId, 'bob', { query: `${query}&consumerReplicas=1` });
		try {
			const joined = await alice.join();
			assert.deepEqual(joined.grants, OPEN_GRANTS);
			await bob.join();
			await alice.produce('audio');
			await alice.produce('video');
			// consumerReplicas=1: two consumers of each producer.
			await waitFor('bob consumes audio and video, twice each', () => bob.consumers.size === 4);
		} finally {
			alice.close();
			bob.close();
		}
	});
});
