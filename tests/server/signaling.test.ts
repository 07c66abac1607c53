// The protoo protocol end to end: real server, real workers, real WebSockets,
// clients running mediasoup-client's Device (FakeHandler: signaling only).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ARRIVAL_WAIT_MS } from '../../server/room/Subscriptions.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;
const peers: TestPeer[] = [];
let roomCounter = 0;

before(async () => {
	server = await startTestServer();
});

after(async () => {
	for (const peer of peers) peer.close();
	await server.close();
});

const newRoomId = () => `room-${process.pid}-${++roomCounter}`;

async function connect(roomId: string, peerId: string, options?: Parameters<TestServer['connect']>[2]) {
	const peer = await server.connect(roomId, peerId, options);
	peers.push(peer);
	return peer;
}

async function roomOf(roomId: string) {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	return room;
}

describe('connection', () => {
	test('the server announces its mediasoup version right after accepting', async () => {
		const peer = await connect(newRoomId(), 'alice');
		const { version } = await peer.waitForNotification('mediasoup-version');
		assert.match(String(version), /^3\.\d+\.\d+$/);
	});

	test('a connection without roomId or peerId is refused', async () => {
		await assert.rejects(server.connect('', 'alice'), /failed|closed/);
		await assert.rejects(server.connect(newRoomId(), ''), /failed|closed/);
	});

	test('getRouterRtpCapabilities answers the router capabilities, opus and VP8 among them', async () => {
		const peer = await connect(newRoomId(), 'alice');
		const caps = await peer.request('getRouterRtpCapabilities');
		const mimeTypes = caps.codecs?.map((codec) => codec.mimeType) ?? [];
		assert.ok(mimeTypes.includes('audio/opus'));
		assert.ok(mimeTypes.includes('video/VP8'));
		assert.ok(mimeTypes.includes('video/H264'));
	});
});

describe('joining and media fan-out', () => {
	test('a third peer joining two producing peers gets exactly their consumers', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join({ displayName: 'Alice' });
		const bob = await connect(roomId, 'bob');
		const joinBob = await bob.join({ displayName: 'Bob' });
		assert.deepEqual(
			joinBob.peers.map((p) => p.id),
			['alice'],
		);
		await alice.waitForNotification('newPeer', (data) => data.id === 'bob');

		const aliceProducers = [await alice.produce('audio'), await alice.produce('video')];
		const bobProducers = [await bob.produce('audio'), await bob.produce('video')];
		// Each sees the other's two producers.
		await waitFor('alice consumes bob', () => alice.consumers.size === 2);
		await waitFor('bob consumes alice', () => bob.consumers.size === 2);

		const carol = await connect(roomId, 'carol');
		const joinCarol = await carol.join({ displayName: 'Carol' });
		assert.deepEqual(joinCarol.peers.map((p) => p.id).sort(), ['alice', 'bob']);
		await waitFor('carol consumes four producers', () => carol.consumers.size === 4);
		const consumed = [...carol.consumers.values()].map((c) => c.producerId).sort();
		const produced = [...aliceProducers, ...bobProducers].map((p) => p.id).sort();
		assert.deepEqual(consumed, produced);

		// The server resumed every accepted consumer.
		const room = await roomOf(roomId);
		const carolMember = room.peers.get('carol');
		assert.ok(carolMember);
		await waitFor('carol consumers resumed', () => [...carolMember.consumers.values()].every((c) => !c.paused));
		// Nothing more arrives: exactly four.
		await new Promise((resolve) => setTimeout(resolve, 200));
		assert.equal(carol.consumers.size, 4);
	});

	test('leaving removes the peer and its consumers from everyone', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join();
		const bob = await connect(roomId, 'bob');
		await bob.join();
		await bob.produce('audio');
		await waitFor('alice consumes bob', () => alice.consumers.size === 1);
		const [consumerId] = alice.consumers.keys();

		bob.close();
		await alice.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
		await alice.waitForNotification('consumerClosed', (data) => data.consumerId === consumerId);
		const room = await roomOf(roomId);
		await waitFor('bob gone from the room', () => !room.peers.has('bob'));
		const dump = await room.router.dump();
		// Alice's two transports and the bot's DirectTransport remain; bob's producer is gone.
		assert.equal(dump.transportIds.length, 3);
		assert.equal(room.peers.get('alice')?.consumers.size, 0);
		assert.deepEqual(dump.mapProducerIdConsumerIds, []);
	});

	test('simultaneous first peers of a new room end up in one room', async () => {
		const roomId = newRoomId();
		const [alice, bob] = await Promise.all([connect(roomId, 'alice'), connect(roomId, 'bob')]);
		await Promise.all([alice.join(), bob.join()]);
		const room = await roomOf(roomId);
		assert.deepEqual([...room.peers.keys()].sort(), ['alice', 'bob']);
		const sameId = (await server.server.rooms.all()).filter((r) => r.id === roomId);
		assert.equal(sameId.length, 1);
	});

	test('the room closes when its last peer leaves', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join();
		const room = await roomOf(roomId);
		alice.close();
		await waitFor('room closed', () => room.closed);
		assert.equal(room.router.closed, true);
		assert.equal(await server.server.rooms.find(roomId), undefined);
	});

	test('a second connection with the same peerId replaces the first', async () => {
		const roomId = newRoomId();
		const watcher = await connect(roomId, 'watcher');
		await watcher.join();
		const first = await connect(roomId, 'dup');
		await first.join({ displayName: 'first' });
		const second = await connect(roomId, 'dup');
		await waitFor('first connection closed', () => first.closed);
		await watcher.waitForNotification('peerClosed', (data) => data.peerId === 'dup');
		await second.join({ displayName: 'second' });
		await watcher.waitForNotification('newPeer', (data) => data.displayName === 'second');
		const room = await roomOf(roomId);
		assert.equal(room.peers.get('dup')?.displayName, 'second');
		assert.equal(room.closed, false);
	});

	test('produce=false and consume=false peers', async () => {
		const roomId = newRoomId();
		const viewer = await connect(roomId, 'viewer');
		await viewer.join({ produce: false });
		const sender = await connect(roomId, 'sender');
		await sender.join({ consume: false });
		await sender.produce('video');
		await waitFor('viewer consumes sender', () => viewer.consumers.size === 1);
		// The viewer cannot produce: no send transport. The sender gets no consumers.
		const room = await roomOf(roomId);
		assert.equal(room.peers.get('sender')?.consumers.size, 0);
		assert.equal(sender.consumers.size, 0);
	});

	test('consumerReplicas multiplies the consumers of each producer', async () => {
		const roomId = newRoomId();
		const sender = await connect(roomId, 'sender');
		await sender.join();
		await sender.produce('audio');
		const viewer = await connect(roomId, 'viewer', { query: '&consumerReplicas=2' });
		await viewer.join();
		await waitFor('three consumers of one producer', () => viewer.consumers.size === 3);
	});

	test("the classic demo app's URL, with the literal consumerReplicas=undefined, connects, joins and consumes", async () => {
		const roomId = newRoomId();
		const sender = await connect(roomId, 'sender');
		await sender.join();
		await sender.produce('audio');
		// The classic app builds `?roomId=R&peerId=P&consumerReplicas=${consumerReplicas}`
		// whether or not its page had the parameter; its server reads NaN as 0.
		const classic = await connect(roomId, 'classic', { query: '&consumerReplicas=undefined' });
		const { peers } = await classic.join({ displayName: 'Classic' });
		assert.deepEqual(
			peers.map((peer) => peer.id),
			['sender'],
		);
		await waitFor('the classic peer consumes the sender, once', () => classic.consumers.size === 1);
		assert.equal((await roomOf(roomId)).peers.get('classic')?.consumerReplicas, 0);
	});

	test('consumerReplicas out of 0..16 is refused; anything that is not a number counts as 0', async () => {
		const roomId = newRoomId();
		await assert.rejects(connect(roomId, 'many', { query: '&consumerReplicas=17' }), /failed|closed/);
		await assert.rejects(connect(roomId, 'negative', { query: '&consumerReplicas=-1' }), /failed|closed/);
		for (const [peerId, query] of [
			['empty', '&consumerReplicas='],
			['word', '&consumerReplicas=abc'],
			['twice', '&consumerReplicas=1&consumerReplicas=2'],
		] as const) {
			const peer = await connect(roomId, peerId, { query });
			assert.equal((await roomOf(roomId)).peers.get(peerId)?.consumerReplicas, 0, query);
			peer.close();
		}
	});

	test('a peer whose device cannot decode video gets the audio only, and nothing is left half-made', async () => {
		const roomId = newRoomId();
		const audioOnly = await connect(roomId, 'audio-only', { nativeCodecs: (codec) => codec.kind === 'audio' });
		await audioOnly.join();
		const full = await connect(roomId, 'full');
		await full.join();
		const sender = await connect(roomId, 'sender');
		await sender.join();
		const audio = await sender.produce('audio');
		const video = await sender.produce('video');
		// Once a device that decodes everything has both, the fan-out of both producers is done.
		await waitFor('full consumes audio and video', () => full.consumers.size === 2);
		await waitFor('audio-only consumes the audio', () => audioOnly.consumers.size === 1);
		assert.deepEqual(
			[...audioOnly.consumers.values()].map((consumer) => consumer.producerId),
			[audio.id],
		);
		const room = await roomOf(roomId);
		assert.equal(room.peers.get('audio-only')?.consumers.size, 1);
		const dump = await room.router.dump();
		const consumersOf = (producerId: string) =>
			dump.mapProducerIdConsumerIds.find((entry) => entry.key === producerId)?.values.length;
		assert.equal(consumersOf(video.id), 1, 'only the full peer consumes the video');
		assert.equal(consumersOf(audio.id), 2);
	});

	test('a peer that leaves while its consumers are still being made leaves none behind', async () => {
		const SENDERS = 10;
		const roomId = newRoomId();
		const senders: TestPeer[] = [];
		for (let i = 0; i < SENDERS; i++) {
			const sender = await connect(roomId, `sender-${i}`);
			await sender.join();
			await sender.produce('audio');
			await sender.produce('video');
			senders.push(sender);
		}
		const [watcher] = senders;
		assert.ok(watcher);
		await waitFor('the senders consume each other', () => senders.every((s) => s.consumers.size === 2 * (SENDERS - 1)));
		const room = await roomOf(roomId);
		const leaver = await connect(roomId, 'leaver');
		// Gone at its first newConsumer, while the server is still announcing the other 19.
		leaver.protoo.on('request', () => leaver.close());
		await leaver.join();
		await watcher.waitForNotification('peerClosed', (data) => data.peerId === 'leaver');
		await waitFor('every producer consumed by the 9 other senders only', async () => {
			const dump = await room.router.dump();
			return dump.mapProducerIdConsumerIds.every((entry) => entry.values.length === SENDERS - 1);
		});
		const dump = await room.router.dump();
		assert.equal(dump.mapProducerIdConsumerIds.length, 2 * SENDERS);
		// Each sender's two transports and the bot's DirectTransport.
		assert.equal(dump.transportIds.length, 2 * SENDERS + 1);
	});

	test('a consumer the client refuses is closed on the server', async () => {
		const roomId = newRoomId();
		const refuser = await connect(roomId, 'refuser', { consumerAnswer: 'refuse' });
		await refuser.join();
		const sender = await connect(roomId, 'sender');
		await sender.join();
		await sender.produce('audio');
		const room = await roomOf(roomId);
		await waitFor('refused consumer closed', async () => {
			const dump = await room.router.dump();
			return dump.mapProducerIdConsumerIds.every((entry) => entry.values.length === 0);
		});
		assert.equal(room.peers.get('refuser')?.consumers.size, 0);
	});
});

describe('fan-out of a newcomer', () => {
	test("the others get a newcomer's producer once it answered its own consumers, or after ARRIVAL_WAIT_MS", async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join();
		await alice.produce('audio');
		// Carol is owed a consumer of alice's audio and never answers for it.
		const carol = await connect(roomId, 'carol', { consumerAnswer: 'ignore' });
		const joinSentAt = Date.now();
		await carol.join();
		const producer = await carol.produce('audio');

		// The server's wait starts after it got the join: until then alice must
		// not have been offered carol's audio.
		await sleep(Math.max(0, joinSentAt + ARRIVAL_WAIT_MS - 200 - Date.now()));
		assert.equal(
			[...alice.consumers.values()].filter((consumer) => consumer.producerId === producer.id).length,
			0,
			"alice got carol's audio while carol had an unanswered newConsumer",
		);
		// Then she gets it, long before protoo's request timeout would end the wait.
		await waitFor("alice consumes carol's audio", () =>
			[...alice.consumers.values()].some((consumer) => consumer.producerId === producer.id),
		);
		assert.ok(Date.now() - joinSentAt >= ARRIVAL_WAIT_MS);
		assert.equal(carol.consumers.size, 0);
	});
});

describe('producer and consumer control', () => {
	test('pause, resume and close a producer: consumers follow and are told', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join();
		const bob = await connect(roomId, 'bob');
		await bob.join();
		const producer = await bob.produce('video');
		await waitFor('alice consumes', () => alice.consumers.size === 1);
		const [consumerId] = alice.consumers.keys();

		await bob.request('pauseProducer', { producerId: producer.id });
		await alice.waitForNotification('consumerPaused', (data) => data.consumerId === consumerId);
		await bob.request('resumeProducer', { producerId: producer.id });
		await alice.waitForNotification('consumerResumed', (data) => data.consumerId === consumerId);
		await bob.request('closeProducer', { producerId: producer.id });
		await alice.waitForNotification('consumerClosed', (data) => data.consumerId === consumerId);
	});

	test('consumer requests: pause, resume, layers, priority, key frame, stats', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join();
		const bob = await connect(roomId, 'bob');
		await bob.join();
		const producer = await bob.produce('video');
		await waitFor('alice consumes', () => alice.consumers.size === 1);
		const [consumerId] = alice.consumers.keys();
		const room = await roomOf(roomId);
		const serverConsumer = room.peers.get('alice')?.consumers.get(consumerId ?? '');
		assert.ok(serverConsumer);

		await alice.request('pauseConsumer', { consumerId });
		assert.equal(serverConsumer.paused, true);
		await alice.request('resumeConsumer', { consumerId });
		assert.equal(serverConsumer.paused, false);
		await alice.request('setConsumerPreferredLayers', { consumerId, spatialLayer: 0, temporalLayer: 0 });
		await alice.request('setConsumerPriority', { consumerId, priority: 2 });
		assert.equal(serverConsumer.priority, 2);
		await alice.request('requestConsumerKeyFrame', { consumerId });

		const consumerStats = await alice.request('getConsumerStats', { consumerId });
		assert.ok(Array.isArray(consumerStats));
		const producerStats = await bob.request('getProducerStats', { producerId: producer.id });
		assert.ok(Array.isArray(producerStats));
		const transportId = alice.recvTransport?.id;
		const transportStats = (await alice.request('getTransportStats', { transportId })) as { type: string }[];
		assert.equal(transportStats[0]?.type, 'webrtc-transport');
	});

	test('changeDisplayName is announced to the others', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join({ displayName: 'Alice' });
		const bob = await connect(roomId, 'bob');
		await bob.join({ displayName: 'Bob' });
		await bob.request('changeDisplayName', { displayName: 'Robert' });
		const data = await alice.waitForNotification('peerDisplayNameChanged');
		assert.deepEqual(data, { peerId: 'bob', displayName: 'Robert', oldDisplayName: 'Bob' });
	});

	test('chat data producers fan out; every peer gets the bot data consumer', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join();
		await waitFor('alice consumes the bot', () => [...alice.dataConsumers.values()].some((dc) => dc.label === 'bot'));
		const bob = await connect(roomId, 'bob');
		await bob.join();
		const chat = await bob.produceData('chat');
		await waitFor('alice consumes bob chat', () =>
			[...alice.dataConsumers.values()].some((dc) => dc.dataProducerId === chat.id),
		);
		const stats = await bob.request('getDataProducerStats', { dataProducerId: chat.id });
		assert.ok(Array.isArray(stats));
		const [aliceDataConsumer] = [...alice.dataConsumers.values()].filter((dc) => dc.dataProducerId === chat.id);
		assert.ok(aliceDataConsumer);
		const dcStats = await alice.request('getDataConsumerStats', { dataConsumerId: aliceDataConsumer.id });
		assert.ok(Array.isArray(dcStats));
	});
});
