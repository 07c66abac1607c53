// The limits of config.limits and the Origin check (issue 21), on servers
// with small limits so that reaching each takes a few requests: every refusal
// is the 403 or 429 a client sees, naming the limit (and the setting to raise),
// and leaves the room's router as it was. Open mode: limits hold for everyone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { handshake } from '../helpers/handshake.ts';
import { createBroadcaster } from '../helpers/restBroadcaster.ts';
import { refused, routerState } from '../helpers/routerState.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const REQUESTS_PER_SECOND = 10;
const REQUEST_BURST = 20;

let server: TestServer;
const peers: TestPeer[] = [];

before(async () => {
	server = await startTestServer({
		env: {
			LIMIT_PEERS_PER_ROOM: '3',
			LIMIT_TRANSPORTS_PER_PEER: '3',
			LIMIT_PRODUCERS_PER_PEER: '2',
			LIMIT_TRANSPORTS_PER_BROADCASTER: '3',
			LIMIT_DATA_PRODUCERS_PER_PEER: '1',
			LIMIT_REQUESTS_PER_SECOND: String(REQUESTS_PER_SECOND),
			LIMIT_REQUEST_BURST: String(REQUEST_BURST),
		},
	});
});

after(async () => {
	for (const peer of peers) peer.close();
	await server.close();
});

async function connect(roomId: string, peerId: string): Promise<TestPeer> {
	const peer = await server.connect(roomId, peerId);
	peers.push(peer);
	return peer;
}

function url(target: TestServer, roomId: string, peerId: string): string {
	return `wss://127.0.0.1:${target.port}/?roomId=${roomId}&peerId=${peerId}`;
}

const sendTransport = { forceTcp: false, producing: true, consuming: false };

describe('peers per room', () => {
	const roomId = `limits-peers-${process.pid}`;
	let second: TestPeer;
	let third: TestPeer;

	before(async () => {
		const first = await connect(roomId, 'first');
		await first.join();
		await first.produce('audio');
		second = await connect(roomId, 'second');
		third = await connect(roomId, 'third');
	});

	test('one peer more is refused at the handshake with 403 naming limits.peersPerRoom', async () => {
		const before = await routerState(server.server, roomId);
		assert.deepEqual(await handshake(url(server, roomId, 'fourth'), { ca: server.ca }), {
			status: 403,
			reason: `room "${roomId}" is full: limits.peersPerRoom is 3`,
		});
		assert.deepEqual(await routerState(server.server, roomId), before);
		const room = await server.server.rooms.find(roomId);
		assert.deepEqual([...(room?.peers.keys() ?? [])], ['first', 'second', 'third']);
	});

	test('a connection replacing a peer (same peerId) is still let in', async () => {
		const again = await connect(roomId, 'third');
		await waitFor('the replaced connection is closed', () => third.closed);
		await again.join();
		const room = await server.server.rooms.find(roomId);
		assert.deepEqual([...(room?.peers.keys() ?? [])].sort(), ['first', 'second', 'third']);
	});

	test('once someone leaves, there is room again', async () => {
		second.close();
		await waitFor('a place is free', async () => (await server.server.rooms.find(roomId))?.peers.size === 2);
		assert.deepEqual(await handshake(url(server, roomId, 'fourth'), { ca: server.ca }), { status: 101, reason: '' });
	});
});

describe('broadcasters (REST API)', () => {
	const roomId = `limits-broadcasters-${process.pid}`;
	const opus = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };
	const transports = `/rooms/${roomId}/broadcasters/ingest/transports`;

	before(async () => {
		await (await connect(roomId, 'viewer')).join();
	});

	test('a broadcaster counts as a member of the room: one too many is refused with 403', async () => {
		await createBroadcaster(server, roomId, 'ingest');
		await createBroadcaster(server, roomId, 'ingest-2');
		const before = await routerState(server.server, roomId);
		const refusal = await server.rest('POST', `/rooms/${roomId}/broadcasters`, {
			id: 'ingest-3',
			displayName: 'ingest-3',
			device: { name: 'test' },
		});
		assert.deepEqual(refusal, {
			status: 403,
			body: { error: `room "${roomId}" is full: limits.peersPerRoom is 3` },
			headers: refusal.headers,
		});
		assert.deepEqual(await routerState(server.server, roomId), before);
	});

	test('transports over limits.transportsPerBroadcaster and producers over limits.producersPerPeer get 403', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) {
			const created = await server.rest('POST', transports, { type: 'plain', comedia: true, rtcpMux: true });
			assert.equal(created.status, 200);
			ids.push((created.body as { id: string }).id);
		}
		const before = await routerState(server.server, roomId);
		const extra = await server.rest('POST', transports, { type: 'plain', comedia: true, rtcpMux: true });
		assert.equal(extra.status, 403);
		assert.deepEqual(extra.body, { error: 'too many transports: limits.transportsPerBroadcaster is 3' });
		for (const [index, transportId] of ids.slice(0, 2).entries()) {
			const produced = await server.rest('POST', `${transports}/${transportId}/producers`, {
				kind: 'audio',
				rtpParameters: { codecs: [opus], encodings: [{ ssrc: 1000 + index }] },
			});
			assert.equal(produced.status, 200, JSON.stringify(produced.body));
		}
		const beforeThird = await routerState(server.server, roomId);
		const third = await server.rest('POST', `${transports}/${ids[2]}/producers`, {
			kind: 'audio',
			rtpParameters: { codecs: [opus], encodings: [{ ssrc: 1002 }] },
		});
		assert.equal(third.status, 403);
		assert.deepEqual(third.body, { error: 'too many producers: limits.producersPerPeer is 2' });
		assert.deepEqual(await routerState(server.server, roomId), beforeThird, 'the refused producer left nothing');
		assert.notDeepEqual(beforeThird, before, 'the two producers were made');
	});
});

describe('transports per peer', () => {
	const roomId = `limits-transports-${process.pid}`;

	test('before join: two, then 403; after join: up to limits.transportsPerPeer, then 403 naming it', async () => {
		const peer = await connect(roomId, 'transports');
		await peer.request('createWebRtcTransport', sendTransport);
		await peer.request('createWebRtcTransport', { ...sendTransport, producing: false, consuming: true });
		assert.deepEqual(await refused(server.server, roomId, peer, 'createWebRtcTransport', sendTransport), {
			code: 403,
			reason: 'a peer that has not joined may have 2 transports (a sending and a receiving one): join first',
		});
		await peer.request('join', { displayName: 'Transports', device: { flag: 'test', name: 'limits', version: '1' } });
		await peer.request('createWebRtcTransport', sendTransport);
		assert.deepEqual(await refused(server.server, roomId, peer, 'createWebRtcTransport', sendTransport), {
			code: 403,
			reason: 'too many transports: limits.transportsPerPeer is 3',
		});
	});
});

describe('producers per peer', () => {
	const roomId = `limits-producers-${process.pid}`;

	test('one producer over limits.producersPerPeer is refused with 403; closing one makes room', async () => {
		const peer = await connect(roomId, 'producers');
		await peer.join();
		const audio = await peer.produce('audio');
		await peer.produce('video');
		const share = {
			transportId: peer.sendTransport?.id,
			kind: 'video',
			rtpParameters: {
				codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
				encodings: [{ ssrc: 7777 }],
			},
			appData: { share: true },
		};
		assert.deepEqual(await refused(server.server, roomId, peer, 'produce', share), {
			code: 403,
			reason: 'too many producers: limits.producersPerPeer is 2',
		});
		await peer.request('closeProducer', { producerId: audio.id });
		assert.ok(await peer.request('produce', share));
	});
});

describe('data producers per peer', () => {
	const roomId = `limits-data-${process.pid}`;

	test('one data producer over limits.dataProducersPerPeer is refused with 403', async () => {
		const peer = await connect(roomId, 'data');
		await peer.join();
		await peer.produceData('chat');
		const bot = {
			transportId: peer.sendTransport?.id,
			sctpStreamParameters: { streamId: 9 },
			label: 'bot',
			protocol: '',
			appData: {},
		};
		assert.deepEqual(await refused(server.server, roomId, peer, 'produceData', bot), {
			code: 403,
			reason: 'too many data producers: limits.dataProducersPerPeer is 1',
		});
	});
});

describe('requests per second', () => {
	const roomId = `limits-requests-${process.pid}`;

	test('a burst beyond requestBurst gets 429 naming limits.requestsPerSecond; after a pause requests pass', async () => {
		const peer = await connect(roomId, 'flood');
		const before = await routerState(server.server, roomId);
		const answers = await Promise.all(
			Array.from({ length: REQUEST_BURST + 10 }, () =>
				peer.request('getRouterRtpCapabilities').then(
					() => 'ok',
					(error: { code?: number; message: string }) => `${error.code} ${error.message}`,
				),
			),
		);
		const passed = answers.filter((answer) => answer === 'ok').length;
		// The bucket refills while the burst arrives: a request or two more may pass.
		assert.ok(passed >= REQUEST_BURST && passed <= REQUEST_BURST + 2, `${passed} passed`);
		assert.deepEqual(
			new Set(answers.filter((answer) => answer !== 'ok')),
			new Set([`429 too many requests: limits.requestsPerSecond is ${REQUESTS_PER_SECOND} (burst ${REQUEST_BURST})`]),
		);
		assert.deepEqual(await routerState(server.server, roomId), before);
		assert.equal(peer.closed, false, 'the peer stays connected');
		// Two requests' worth of refill.
		await sleep((2 * 1000) / REQUESTS_PER_SECOND + 50);
		await peer.request('getRouterRtpCapabilities');
		await peer.request('getRouterRtpCapabilities');
	});

	test("each peer has its own bucket: another peer's flood does not slow this one", async () => {
		const flood = await connect(roomId, 'flood-2');
		const calm = await connect(roomId, 'calm');
		await Promise.allSettled(
			Array.from({ length: REQUEST_BURST + 5 }, () => flood.request('getRouterRtpCapabilities')),
		);
		await calm.join();
	});
});

describe("Origin of the WebSocket handshake (no allow-list: the server's own origin only)", () => {
	const roomId = `limits-origin-${process.pid}`;

	test('a page of another site is refused with 403 naming the setting', async () => {
		for (const origin of ['https://evil.example', `http://127.0.0.1:${server.port}`]) {
			const { origin: shown } = new URL(origin);
			assert.deepEqual(await handshake(url(server, roomId, 'cross-site'), { ca: server.ca, origin }), {
				status: 403,
				reason: `origin "${shown}" is not allowed to open the WebSocket (auth.allowedOrigins, ALLOWED_ORIGINS)`,
			});
		}
		assert.equal(await server.server.rooms.find(roomId), undefined, 'no room was created');
	});

	test('an opaque origin ("null": a sandboxed frame, a file) is refused with 403', async () => {
		assert.deepEqual(await handshake(url(server, roomId, 'sandboxed'), { ca: server.ca, origin: 'null' }), {
			status: 403,
			reason: 'origin "null" is not allowed',
		});
	});

	test('the page the app was served from (same origin) connects', async () => {
		const origin = `https://127.0.0.1:${server.port}`;
		assert.deepEqual(await handshake(url(server, roomId, 'same-site'), { ca: server.ca, origin }), {
			status: 101,
			reason: '',
		});
	});

	test('a client that sends no Origin (not a browser: ffmpeg, scripts) connects', async () => {
		assert.deepEqual(await handshake(url(server, roomId, 'script'), { ca: server.ca }), { status: 101, reason: '' });
	});
});

describe('Origin with ALLOWED_ORIGINS', () => {
	let listed: TestServer;

	before(async () => {
		listed = await startTestServer({
			env: { ALLOWED_ORIGINS: 'https://meet.example.com,https://app.example.org:8443' },
		});
	});

	after(async () => {
		await listed.close();
	});

	test("the listed origins and the server's own connect, any other is refused with 403", async () => {
		const roomId = `limits-listed-${process.pid}`;
		const answer = (origin: string) => handshake(url(listed, roomId, 'page'), { ca: listed.ca, origin });
		// The list adds to the server's own origin: the app it serves still connects.
		assert.deepEqual(await answer(`https://127.0.0.1:${listed.port}`), { status: 101, reason: '' });
		assert.deepEqual(await answer('https://meet.example.com'), { status: 101, reason: '' });
		assert.deepEqual(await answer('https://app.example.org:8443'), { status: 101, reason: '' });
		for (const origin of ['https://app.example.org', 'https://evil.example', 'http://meet.example.com']) {
			assert.deepEqual(
				await answer(origin),
				{
					status: 403,
					reason: `origin "${origin}" is not allowed to open the WebSocket (auth.allowedOrigins, ALLOWED_ORIGINS)`,
				},
				origin,
			);
		}
	});
});

describe('connections per IP address per minute', () => {
	let limited: TestServer;

	before(async () => {
		limited = await startTestServer({ env: { LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '3' } });
	});

	after(async () => {
		await limited.close();
	});

	test('one handshake too many in a minute gets 429 naming the limit; nothing is created', async () => {
		const roomId = `limits-connections-${process.pid}`;
		for (const peerId of ['one', 'two', 'three']) {
			assert.deepEqual(await handshake(url(limited, roomId, peerId), { ca: limited.ca }), { status: 101, reason: '' });
		}
		await waitFor('the three are gone', async () => (await limited.server.rooms.find(roomId)) === undefined);
		assert.deepEqual(await handshake(url(limited, roomId, 'four'), { ca: limited.ca }), {
			status: 429,
			reason: 'too many connections from 127.0.0.1: limits.connectionsPerIpPerMinute is 3',
		});
		assert.equal(await limited.server.rooms.find(roomId), undefined, 'no room was created');
	});
});
