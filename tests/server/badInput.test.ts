// Bad input gets a clear protoo error naming what was wrong, and nothing else
// changes: the router dump afterwards holds exactly what it held before.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import websocket from 'websocket';
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

/** What the router holds: transports, producers, consumers, data producers/consumers. */
async function routerState() {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, 'the room survives bad input');
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

const validOpus = {
	codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: 4444 }],
};

const cases: { name: string; method: string; data: () => unknown; code: number; reason: RegExp }[] = [
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
		data: () => ({ displayName: 'again' }),
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
		name: 'too long displayName',
		method: 'changeDisplayName',
		data: () => ({ displayName: 'x'.repeat(1000) }),
		code: 400,
		reason: /displayName/,
	},
];

for (const { name, method, data, code, reason } of cases) {
	test(`${name} is rejected with ${code} and nothing changes`, async () => {
		const before = await routerState();
		const error = await bob.requestError(method, data());
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

test('malformed JSON and oversized messages never reach a handler; the room stays intact', async () => {
	const before = await routerState();
	const client = new websocket.client({ tlsOptions: { ca: server.ca } });
	const connection = await new Promise<websocket.connection>((resolve, reject) => {
		client.on('connect', resolve);
		client.on('connectFailed', reject);
		client.connect(`wss://127.0.0.1:${server.port}/?roomId=${roomId}&peerId=raw`, 'protoo');
	});
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
