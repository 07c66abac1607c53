// A producer of node A piped to a router of node B: two real servers in this
// process, each with its media and pipe transports on its own loopback
// address (127.0.0.2 and 127.0.0.3), one real Redis between them. RTP sent
// into A arrives at B's router over SRTP; A's pause and resume reach B; the
// producer closing on A, or the piped copy closing on B, leaves no pipe
// transport on either node; and when A leaves the registry, B closes its pipes
// with A after a lease.
import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import type { types } from 'mediasoup';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { createBroadcaster, producePlain } from '../helpers/restBroadcaster.ts';
import { localUdpSocket, rtpPacket } from '../helpers/rtp.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const ROOM = 'spanning';
let redis: RedisServer;
let nodeA: TestServer;
let nodeB: TestServer;
let sender: dgram.Socket;

function clusterEnv(nodeId: string, address: string): Record<string, string> {
	return {
		REDIS_URL: redis.url,
		CLUSTER_NODE_ID: nodeId,
		MEDIASOUP_LISTEN_IP: address,
		CLUSTER_HEARTBEAT_MS: '200',
		CLUSTER_LEASE_MS: '1000',
	};
}

before(async () => {
	redis = await RedisServer.start();
	nodeA = await startTestServer({ env: clusterEnv('node-a', '127.0.0.2') });
	nodeB = await startTestServer({ env: clusterEnv('node-b', '127.0.0.3') });
	sender = await localUdpSocket();
	// A member that stays, so node A's room outlives the producers the tests close.
	await createBroadcaster(nodeA, ROOM, 'keeper');
});

after(async () => {
	sender?.close();
	await nodeB?.close();
	await nodeA?.close();
	await redis?.close();
});

/** A VP8 producer on node A fed with RTP until stop() is called. */
async function sendingProducer(id: string, ssrc: number) {
	await createBroadcaster(nodeA, ROOM, id);
	const { producerId, transport } = await producePlain(nodeA, ROOM, id, {
		kind: 'video',
		rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] },
	});
	let sequence = 0;
	const timer = setInterval(() => {
		sequence += 1;
		const packet = rtpPacket(
			{ payloadType: 101, ssrc, sequence, timestamp: sequence * 3000, marker: true },
			Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, ...Array(100).fill(sequence & 0xff)]),
		);
		sender.send(packet, transport.port, transport.ip);
	}, 20);
	return { producerId, stop: () => clearInterval(timer) };
}

async function bytesIn(producer: types.Producer): Promise<number> {
	const stats = await producer.getStats();
	return stats.reduce((sum, entry) => sum + entry.byteCount, 0);
}

test('RTP sent into node A reaches node B over an SRTP pipe between 127.0.0.2 and 127.0.0.3', async () => {
	const camera = await sendingProducer('camera', 5001);
	try {
		const roomB = await nodeB.server.rooms.getOrCreate(ROOM);
		const cluster = nodeB.server.cluster;
		assert.ok(cluster);
		const piped = await cluster.pipes.pipeFrom('node-a', ROOM, camera.producerId, roomB.router);
		assert.equal(piped.id, camera.producerId, 'the same producer id on both nodes');
		assert.equal(piped.kind, 'video');

		// One end on each node, each on its node's address, aimed at the other, with SRTP keys and RTX.
		const [endB] = cluster.pipes.ends;
		const [endA] = nodeA.server.cluster?.pipes.ends ?? [];
		assert.ok(endA && endB && cluster.pipes.size === 1);
		assert.equal(endB.peerNode, 'node-a');
		assert.equal(endA.peerNode, 'node-b');
		assert.deepEqual([endB.transport.tuple.localAddress, endB.transport.tuple.remoteIp], ['127.0.0.3', '127.0.0.2']);
		assert.deepEqual([endA.transport.tuple.localAddress, endA.transport.tuple.remoteIp], ['127.0.0.2', '127.0.0.3']);
		assert.equal(endA.transport.tuple.remotePort, endB.transport.tuple.localPort);
		assert.equal(endB.transport.srtpParameters?.cryptoSuite, 'AEAD_AES_256_GCM');
		assert.equal(endA.transport.srtpParameters?.cryptoSuite, 'AEAD_AES_256_GCM');
		assert.notEqual(endA.transport.srtpParameters?.keyBase64, endB.transport.srtpParameters?.keyBase64);
		assert.ok(
			piped.rtpParameters.codecs.some((codec) => codec.mimeType === 'video/rtx'),
			'RTX on the pipe',
		);

		await waitFor('media arrives on B', async () => (await bytesIn(piped)) > 10_000, { timeoutMs: 5000 });

		const roomA = await nodeA.server.rooms.find(ROOM);
		const original = roomA?.broadcasters.get('camera')?.producers.get(camera.producerId);
		assert.ok(original);
		await original.pause();
		await waitFor('the pause reached B', () => piped.paused);
		await original.resume();
		await waitFor('the resume reached B', () => !piped.paused);

		// The producer closes on A: B's copy and both pipe ends go.
		assert.equal((await nodeA.rest('DELETE', `/rooms/${ROOM}/broadcasters/camera`)).status, 200);
		await waitFor('the copy on B closed', () => piped.closed);
		await waitFor('no pipe end left', () => cluster.pipes.size === 0 && nodeA.server.cluster?.pipes.size === 0);
		await assertNoOrphans(nodeA.server, ROOM);
	} finally {
		camera.stop();
	}
});

test('the copy closing on node B closes the pipe on node A too', async () => {
	const mic = await sendingProducer('mic-like', 5002);
	try {
		const roomB = await nodeB.server.rooms.getOrCreate(ROOM);
		const cluster = nodeB.server.cluster;
		assert.ok(cluster);
		const piped = await cluster.pipes.pipeFrom('node-a', ROOM, mic.producerId, roomB.router);
		await waitFor('media arrives on B', async () => (await bytesIn(piped)) > 0, { timeoutMs: 5000 });
		piped.close();
		await waitFor(
			'no pipe end left on either node',
			() => cluster.pipes.size === 0 && nodeA.server.cluster?.pipes.size === 0,
		);
		await assertNoOrphans(nodeA.server, ROOM);
		const roomA = await nodeA.server.rooms.find(ROOM);
		assert.ok(roomA?.broadcasters.get('mic-like')?.producers.get(mic.producerId), "A's producer itself lives on");
	} finally {
		mic.stop();
	}
});

test('a producer node A does not have is refused with its reason, and leaves nothing on B', async () => {
	const roomB = await nodeB.server.rooms.getOrCreate(ROOM);
	const cluster = nodeB.server.cluster;
	assert.ok(cluster);
	const before = (await roomB.router.dump()).transportIds.length;
	await assert.rejects(
		cluster.pipes.pipeFrom('node-a', ROOM, 'no-such-producer', roomB.router),
		/node node-a has no producer no-such-producer in room spanning/,
	);
	assert.equal((await roomB.router.dump()).transportIds.length, before);
	assert.equal(cluster.pipes.size, 0);
});

// Last: node A leaves the registry (as when it dies, or loses Redis), and stays out.
test('a node gone from the registry for a lease: the pipes with it close on the other node', async () => {
	const camera = await sendingProducer('orphan-maker', 5003);
	try {
		const roomB = await nodeB.server.rooms.getOrCreate(ROOM);
		const cluster = nodeB.server.cluster;
		const clusterA = nodeA.server.cluster;
		assert.ok(cluster && clusterA);
		const piped = await cluster.pipes.pipeFrom('node-a', ROOM, camera.producerId, roomB.router);
		await waitFor('media arrives on B', async () => (await bytesIn(piped)) > 0, { timeoutMs: 5000 });

		clusterA.registry.close();
		await clusterA.registry.whenLeft();
		const goneAt = performance.now();
		await waitFor('the copy on B closed', () => piped.closed, { timeoutMs: 5000 });
		const after = performance.now() - goneAt;
		// Missing for a whole lease (1 s), noticed at a heartbeat (0.2 s).
		assert.ok(after >= 1000 && after < 2500, `closed after ${Math.round(after)} ms`);
		assert.equal(cluster.pipes.size, 0);
		// A, still running, was told and closed its end too.
		await waitFor('no pipe end left on A', () => clusterA.pipes.size === 0);
		await assertNoOrphans(nodeA.server, ROOM);
	} finally {
		camera.stop();
	}
});
