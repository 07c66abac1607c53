// Bad input gets a clear protoo error naming what was wrong, and nothing else
// changes: the router dump afterwards holds exactly what it held before.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import websocket from 'websocket';
import { routerState as roomRouterState } from '../helpers/routerState.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;
let alice: TestPeer;
let bob: TestPeer;
const roomId = `bad-input-${process.pid}`;

before(async () => {
	server = await startTestServer({ env: { THROTTLE_SECRET: 'right-secret' } });
	alice = await server.connect(roomId, 'alice');
	await alice.join({ displayName: 'Alice' });
	bob = await server.connect(roomId, 'bob');
	await bob.join({ displayName: 'Bob' });
	await bob.produce('audio');
	await waitFor('alice consumes bob', () => alice.consumers.size === 1);
});

after(async () => {
	alice.close();
	bob.close();
	await server.close();
});

/** What the room's router holds (transports, producers, consumers, data producers/consumers). */
const routerState = () => roomRouterState(server.server, roomId);

const validOpus = {
	codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: 4444 }],
};

/** Each bad request, sent by bob unless `by` says who (alice owns the consumer of bob's audio). */
const cases: {
	name: string;
	method: string;
	data: () => unknown;
	code: number;
	reason: RegExp;
	by?: () => TestPeer;
}[] = [
	{ name: 'unknown method', method: 'fooBar', data: () => ({}), code: 400, reason: /unknown method "fooBar"/ },
	{
		name: 'wrong type',
		method: 'setConsumerPriority',
		data: () => ({ consumerId: [...alice.consumers.keys()][0], priority: 'high' }),
		code: 400,
		reason: /priority/,
	},
	{ name: 'missing field', method: 'pauseConsumer', data: () => ({}), code: 400, reason: /consumerId/ },
	{
		name: 'unknown consumer id',
		method: 'pauseConsumer',
		data: () => ({ consumerId: 'nope' }),
		code: 404,
		reason: /nope/,
	},
	{
		name: 'unknown transport id',
		method: 'connectWebRtcTransport',
		data: () => ({ transportId: 'nope', dtlsParameters: { role: 'client', fingerprints: [] } }),
		code: 404,
		reason: /transport with id "nope" not found/,
	},
	{
		name: 'negative layer',
		method: 'setConsumerPreferredLayers',
		data: () => ({ consumerId: [...alice.consumers.keys()][0], spatialLayer: -1 }),
		code: 400,
		reason: /spatialLayer/,
	},
	{
		name: 'malformed rtpParameters',
		method: 'produce',
		data: () => ({
			transportId: bob.sendTransport?.id,
			kind: 'audio',
			rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 'x' }] },
			appData: {},
		}),
		code: 400,
		reason: /rtpParameters\.codecs\[0\]\.payloadType/,
	},
	{
		name: 'codec the router does not have',
		method: 'produce',
		data: () => ({
			transportId: bob.sendTransport?.id,
			kind: 'audio',
			rtpParameters: {
				codecs: [{ mimeType: 'audio/FOO', payloadType: 100, clockRate: 8000 }],
				encodings: [{ ssrc: 1 }],
			},
			appData: {},
		}),
		code: 400,
		reason: /./,
	},
	{
		name: 'oversized appData',
		method: 'produce',
		data: () => ({
			transportId: bob.sendTransport?.id,
			kind: 'audio',
			rtpParameters: validOpus,
			appData: { blob: 'x'.repeat(10_000) },
		}),
		code: 400,
		reason: /appData/,
	},
	{
		name: 'producing on a receive transport the peer does not own',
		method: 'produce',
		data: () => ({ transportId: alice.recvTransport?.id, kind: 'audio', rtpParameters: validOpus, appData: {} }),
		code: 404,
		reason: /not found/,
	},
	{
		name: 'joining twice',
		method: 'join',
		data: () => ({ displayName: 'again', device: {} }),
		code: 403,
		reason: /already joined/,
	},
	{
		name: 'wrong throttle secret',
		method: 'applyNetworkThrottle',
		data: () => ({ secret: 'wrong', uplink: 100 }),
		code: 403,
		reason: /secret/,
	},
	{
		name: 'a video producer whose only codec is audio',
		method: 'produce',
		data: () => ({ transportId: bob.sendTransport?.id, kind: 'video', rtpParameters: validOpus, appData: {} }),
		code: 400,
		reason: /rtpParameters\.codecs\[0\]\.mimeType: audio\/opus is not a video codec/,
	},
	{
		name: 'producing on the peer its own receiving transport',
		method: 'produce',
		data: () => ({ transportId: bob.recvTransport?.id, kind: 'audio', rtpParameters: validOpus, appData: {} }),
		code: 400,
		reason: /was created for receiving \(producing: false\)/,
	},
	{
		name: 'data producer on the receiving transport',
		method: 'produceData',
		data: () => ({ transportId: bob.recvTransport?.id, sctpStreamParameters: { streamId: 7 }, appData: {} }),
		code: 400,
		reason: /was created for receiving/,
	},
	{
		name: 'a spatial layer the consumer does not have',
		method: 'setConsumerPreferredLayers',
		data: () => ({ consumerId: [...alice.consumers.keys()][0], spatialLayer: 1e9 }),
		code: 400,
		reason: /spatialLayer 1000000000 is out of range: this consumer has 0\.\.0/,
		by: () => alice,
	},
	{
		name: 'a temporal layer the consumer does not have',
		method: 'setConsumerPreferredLayers',
		data: () => ({ consumerId: [...alice.consumers.keys()][0], spatialLayer: 0, temporalLayer: 5 }),
		code: 400,
		reason: /temporalLayer 5 is out of range/,
		by: () => alice,
	},
	{
		name: 'an SCTP stream id over 16 bits',
		method: 'produceData',
		data: () => ({ transportId: bob.sendTransport?.id, sctpStreamParameters: { streamId: 70000 }, appData: {} }),
		code: 400,
		reason: /sctpStreamParameters\.streamId: .*65534/,
	},
	{
		name: 'join with neither displayName nor device',
		method: 'join',
		data: () => ({}),
		code: 400,
		reason: /displayName: missing, expected string; device: missing, expected object/,
	},
	{
		name: 'connecting a transport a second time',
		method: 'connectWebRtcTransport',
		data: () => ({
			transportId: bob.sendTransport?.id,
			dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
		}),
		code: 409,
		reason: /already connected/,
	},
	{
		name: 'too long displayName',
		method: 'changeDisplayName',
		data: () => ({ displayName: 'x'.repeat(1000) }),
		code: 400,
		reason: /displayName/,
	},
];

for (const { name, method, data, code, reason, by = () => bob } of cases) {
	test(`${name} is rejected with ${code} and nothing changes`, async () => {
		const before = await routerState();
		const error = await by().requestError(method, data());
		assert.equal(error.code, code, `${method}: ${error.reason}`);
		assert.match(error.reason, reason);
		assert.deepEqual(await routerState(), before);
		assert.equal(bob.closed, false, 'bad input does not close the connection');
	});
}

test('produce before join is refused', async () => {
	const early = await server.connect(roomId, 'early');
	try {
		const transport = await early.request('createWebRtcTransport', {
			forceTcp: false,
			producing: true,
			consuming: false,
		});
		const before = await routerState();
		const error = await early.requestError('produce', {
			transportId: (transport as { id: string }).id,
			kind: 'audio',
			rtpParameters: validOpus,
			appData: {},
		});
		assert.equal(error.code, 403);
		assert.match(error.reason, /not yet joined/);
		assert.deepEqual(await routerState(), before);
	} finally {
		early.close();
		await waitFor('early peer gone', async () => !(await server.server.rooms.find(roomId))?.peers.has('early'));
	}
});

/** A protoo WebSocket of our own, to send what no protoo client would. */
async function rawConnection(query: string): Promise<websocket.connection> {
	const client = new websocket.client({ tlsOptions: { ca: server.ca } });
	return new Promise<websocket.connection>((resolve, reject) => {
		client.on('connect', resolve);
		client.on('connectFailed', reject);
		client.connect(`wss://127.0.0.1:${server.port}/?${query}`, 'protoo');
	});
}

/** Sends a raw frame; resolves with the next protoo response that comes back, or undefined after a while. */
function answerTo(connection: websocket.connection, frame: string, waitMs = 1000): Promise<unknown> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			connection.off('message', onMessage);
			resolve(undefined);
		}, waitMs);
		const onMessage = (message: websocket.Message) => {
			if (message.type !== 'utf8') return;
			const parsed = JSON.parse(message.utf8Data) as { response?: boolean };
			if (!parsed.response) return;
			clearTimeout(timer);
			connection.off('message', onMessage);
			resolve(parsed);
		};
		connection.on('message', onMessage);
		connection.sendUTF(frame);
	});
}

test('malformed JSON and oversized messages never reach a handler; the room stays intact', async () => {
	const before = await routerState();
	const connection = await rawConnection(`roomId=${roomId}&peerId=raw`);
	const closed = new Promise<number>((resolve) => connection.on('close', (code) => resolve(code)));
	connection.sendUTF('{ this is not json');
	connection.sendUTF(JSON.stringify({ request: true, id: 1, method: 'join' })); // no data at all
	connection.sendUTF('x'.repeat(300 * 1024)); // over the 256 KiB message limit
	assert.equal(await closed, 1009, 'the server closes with "message too big"');

	await waitFor('the raw peer is gone', async () => !(await server.server.rooms.find(roomId))?.peers.has('raw'));
	assert.deepEqual(await routerState(), before);
	// The others are unaffected.
	await bob.request('getRouterRtpCapabilities');
});

test('no JSON value that is not a protoo message takes the server down or gets an answer it should not', async () => {
	const before = await routerState();
	const connection = await rawConnection(`roomId=${roomId}&peerId=frames`);
	try {
		// Each used to reach protoo-server's Message.parse; `null` threw out of
		// the socket's message event and ended the process.
		for (const frame of ['null', '0', '-1.5', '42', '"a string"', '""', 'true', 'false', '[]', '[null, 1]', '{}']) {
			assert.equal(await answerTo(connection, frame, 200), undefined, `${frame}: nothing to answer`);
		}
		// A notification or response that fits nothing is dropped, too.
		connection.sendUTF(JSON.stringify({ notification: true, method: 7 }));
		connection.sendUTF(JSON.stringify({ response: true, id: 123, ok: true, data: null }));
		// The connection still works, and so does everyone else's.
		const answer = await answerTo(
			connection,
			JSON.stringify({ request: true, id: 2, method: 'getRouterRtpCapabilities', data: {} }),
		);
		assert.deepEqual((answer as { id: number; ok: boolean }).ok, true);
		await bob.request('getRouterRtpCapabilities');
		assert.deepEqual(await routerState(), before);
	} finally {
		connection.close();
	}
});

test('a request whose method is not a string is answered with 400', async () => {
	const connection = await rawConnection(`roomId=${roomId}&peerId=methods`);
	try {
		for (const [id, method] of [
			[10, 42],
			[11, null],
			[12, { name: 'join' }],
			[13, undefined],
		] as const) {
			const answer = await answerTo(connection, JSON.stringify({ request: true, id, method, data: {} }));
			assert.deepEqual(answer, {
				response: true,
				id,
				errorCode: 400,
				errorReason: 'missing or invalid "method": it must be a string',
			});
		}
	} finally {
		connection.close();
	}
});

test('data that is not an object is refused for every method, and every request is answered', async () => {
	const before = await routerState();
	const { clientRequests } = await import('../../protocol/clientRequests.ts');
	for (const method of Object.keys(clientRequests)) {
		for (const data of [7, 'text', true, [1, 2], [{}]]) {
			const error = await bob.requestError(method, data);
			assert.equal(error.code, 400, `${method} with ${JSON.stringify(data)}: ${error.reason}`);
			assert.match(error.reason, /expected object/, `${method} with ${JSON.stringify(data)}`);
		}
	}
	assert.deepEqual(await routerState(), before);
	assert.equal(bob.closed, false);
});

test('the WebSocket URL: roomId or peerId given twice is refused with 400 naming it', async () => {
	for (const query of [`roomId=${roomId}&roomId=other&peerId=twice`, `roomId=${roomId}&peerId=a&peerId=b`]) {
		await assert.rejects(rawConnection(query), (error: Error) => {
			assert.match(error.message, /400/);
			assert.match(error.message, /(roomId|peerId): given 2 times, expected once/);
			return true;
		});
	}
	assert.equal((await server.server.rooms.find(roomId))?.peers.has('twice'), false);
});
