// One room across two workers (MEDIASOUP_ROOM_SPREAD=always): members are
// placed on routers on different workers, joined by pipe transports, and
// nobody notices: WebRTC peers see and hear each other both ways, plain RTP
// goes in on one worker and out on the other, chat and the bot work across
// routers, and when members leave every pipe and the extra router go.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import type { types } from 'mediasoup';
import type { Room } from '../../server/room/Room.ts';
import { probe } from '../helpers/broadcasterScripts.ts';
import { createBroadcaster, producePlain } from '../helpers/restBroadcaster.ts';
import { isRtcp, localUdpSocket, rtpPacket } from '../helpers/rtp.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { WebRtcTestPeer } from '../helpers/WebRtcTestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;
const peers: WebRtcTestPeer[] = [];
const sockets: dgram.Socket[] = [];
const timers: NodeJS.Timeout[] = [];
let roomCounter = 0;
let recordingsDir: string;

before(async () => {
	recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-spread-'));
	server = await startTestServer({
		numWorkers: 2,
		env: { MEDIASOUP_ROOM_SPREAD: 'always', RECORDINGS_DIR: recordingsDir },
	});
});

afterEach(async () => {
	for (const timer of timers.splice(0)) clearInterval(timer);
	for (const socket of sockets.splice(0)) socket.close();
	await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

after(async () => {
	await server?.close();
	rmSync(recordingsDir, { recursive: true, force: true });
});

const newRoomId = () => `spread-${process.pid}-${++roomCounter}`;

async function joined(roomId: string, peerId: string): Promise<WebRtcTestPeer> {
	const peer = await WebRtcTestPeer.connectTo(server, roomId, peerId);
	peers.push(peer);
	await peer.join({ displayName: peerId });
	return peer;
}

async function roomOf(roomId: string): Promise<Room> {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	return room;
}

/** The worker a member's transports are on. */
function workerOf(room: Room, memberId: string): number {
	const member = room.peers.get(memberId) ?? room.broadcasters.get(memberId);
	assert.ok(member, `${memberId} is in the room`);
	const placed = room.routers.memberRouter(member);
	assert.ok(placed, `${memberId} was placed on a router`);
	return placed.workerIndex;
}

async function receivesRtp(peer: WebRtcTestPeer, producerId: string, count = 20): Promise<void> {
	const start = peer.rtpReceivedFrom(producerId);
	await waitFor(`${count} more RTP packets of producer ${producerId}`, () => {
		return peer.rtpReceivedFrom(producerId) >= start + count;
	});
}

describe('a room spread over two workers', () => {
	test('peers placed on different workers see and hear each other, both ways', async () => {
		const roomId = newRoomId();
		const alice = await joined(roomId, 'alice');
		const bob = await joined(roomId, 'bob');
		const room = await roomOf(roomId);
		assert.equal(room.routers.all.length, 2);
		assert.notEqual(workerOf(room, 'alice'), workerOf(room, 'bob'));

		const aliceMic = await alice.produceRtp('audio');
		const aliceCam = await alice.produceRtp('video');
		const bobCam = await bob.produceRtp('video');
		await receivesRtp(bob, aliceMic.producer.id);
		await receivesRtp(bob, aliceCam.producer.id);
		await receivesRtp(alice, bobCam.producer.id);
		// The consumers keep the ids the client knows: the producer's own.
		assert.ok([...bob.consumers.values()].some((consumer) => consumer.producerId === aliceCam.producer.id));

		// Pausing on one worker pauses the consumers on the other.
		await alice.request('pauseProducer', { producerId: aliceCam.producer.id });
		await waitFor('consumerPaused across workers', () => bob.notifications.some((n) => n.method === 'consumerPaused'));

		// The speaker observer is on the first router: bob, on the other one, speaking is heard there.
		await bob.produceRtp('audio', { audioLevel: 10 });
		await alice.waitForNotification('activeSpeaker', (data) => data.peerId === 'bob');
	});

	test('recording a spread room records the producers of every router', async () => {
		const roomId = newRoomId();
		const alice = await joined(roomId, 'alice');
		const bob = await joined(roomId, 'bob');
		const room = await roomOf(roomId);
		assert.notEqual(workerOf(room, 'alice'), workerOf(room, 'bob'));
		const aliceMic = await alice.produceRtp('audio');
		const bobMic = await bob.produceRtp('audio');
		await receivesRtp(alice, bobMic.producer.id);

		await alice.request('startRecording');
		await setTimeout(2500);
		const { files } = await alice.request('stopRecording');
		assert.deepEqual(files.map((file) => file.producerId).sort(), [aliceMic.producer.id, bobMic.producer.id].sort());
		for (const file of files) {
			const { streams, duration } = await probe(path.join(room.recorder.directory, file.name));
			assert.deepEqual(
				streams.map((stream) => stream.codec),
				['opus'],
				`${file.peerId}'s file`,
			);
			assert.ok(duration > 1 && duration < 4, `${file.peerId}'s file lasts ${duration} s, recorded ~2.5 s`);
		}
	});

	test('plain RTP goes in on one worker and out of the other', async () => {
		const roomId = newRoomId();
		const viewer = await joined(roomId, 'viewer');
		const api = `/rooms/${roomId}/broadcasters`;

		// A plain RTP sender (what ffmpeg.sh does): opus from a UDP socket.
		await createBroadcaster(server, roomId, 'sender');
		const { producerId, transport: inbound } = await producePlain(
			server,
			roomId,
			'sender',
			{
				kind: 'audio',
				rtpParameters: {
					codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
					encodings: [{ ssrc: 1111 }],
				},
			},
			{ rtcpMux: true },
		);
		sendOpus(inbound.ip, inbound.port, 1111, 100);
		const room = await roomOf(roomId);
		assert.notEqual(workerOf(room, 'sender'), workerOf(room, 'viewer'));
		await receivesRtp(viewer, producerId);

		// A plain RTP receiver (what ffmpeg-receiver.sh does) on the other worker
		// than the sender: RTP lands on a local UDP socket.
		const capabilities = (await server.rest('GET', `/rooms/${roomId}`)).body;
		const created = await server.rest('POST', api, {
			id: 'receiver',
			displayName: 'Receiver',
			device: { name: 'x' },
			rtpCapabilities: capabilities,
		});
		assert.equal(created.status, 200);
		const outbound = (
			await server.rest('POST', `${api}/receiver/transports`, { type: 'plain', comedia: false, rtcpMux: true })
		).body as { id: string };
		const sink = await udpSink();
		const connected = await server.rest('POST', `${api}/receiver/transports/${outbound.id}/connect`, {
			ip: '127.0.0.1',
			port: sink.port,
		});
		assert.equal(connected.status, 200, JSON.stringify(connected.body));
		const consumed = await server.rest(
			'POST',
			`${api}/receiver/transports/${outbound.id}/consume?producerId=${producerId}`,
		);
		assert.equal(consumed.status, 200, JSON.stringify(consumed.body));
		assert.notEqual(workerOf(room, 'receiver'), workerOf(room, 'sender'));
		const ssrc = (consumed.body as { rtpParameters: types.RtpParameters }).rtpParameters.encodings?.[0]?.ssrc;
		await waitFor('RTP of the sender at the receiver socket', () => (sink.packetsBySsrc.get(ssrc ?? -1) ?? 0) >= 20);
	});

	test('chat and the bot work across workers', async () => {
		const roomId = newRoomId();
		const alice = await joined(roomId, 'alice');
		const bob = await joined(roomId, 'bob');
		const room = await roomOf(roomId);
		assert.notEqual(workerOf(room, 'alice'), workerOf(room, 'bob'));

		const chat = await alice.produceData('chat');
		await waitFor('bob consumes the chat', () =>
			[...bob.dataConsumers.values()].some((dc) => dc.dataProducerId === chat.id && dc.readyState === 'open'),
		);
		chat.send('across cores');
		await waitFor('the chat message arrives', () => bob.messagesOn('chat').includes('across cores'));

		// The bot lives on the first router; bob is on the other one.
		await waitFor('bob consumes the bot', () =>
			[...bob.dataConsumers.values()].some((dc) => dc.label === 'bot' && dc.readyState === 'open'),
		);
		const toBot = await bob.produceData('bot');
		toBot.send('hello');
		const answer = 'bob said me: "hello"';
		await waitFor('the bot answers bob', () => bob.messagesOn('bot').includes(answer));
		await waitFor('and alice hears it', () => alice.messagesOn('bot').includes(answer));
	});

	test('leaving cleans every pipe and the extra router', async () => {
		const roomId = newRoomId();
		const alice = await joined(roomId, 'alice');
		const bob = await joined(roomId, 'bob');
		const room = await roomOf(roomId);
		const aliceMic = await alice.produceRtp('audio');
		await alice.produceRtp('video');
		await bob.produceRtp('video');
		await alice.produceData('chat');
		await receivesRtp(bob, aliceMic.producer.id);
		const [home, extra] = room.routers.all;
		assert.ok(home && extra);
		// Besides bob's two transports, the extra router has one: the pipe.
		const bobTransports = [...(room.peers.get('bob')?.transports.keys() ?? [])];
		const onExtra = (await extra.router.dump()).transportIds;
		assert.equal(onExtra.filter((id) => !bobTransports.includes(id)).length, 1, JSON.stringify(onExtra));

		// A producer that closes takes its piped copy on the other router with it.
		const extraHad = (await extra.router.dump()).mapProducerIdConsumerIds.some(
			({ key }) => key === aliceMic.producer.id,
		);
		assert.ok(extraHad, 'the microphone was piped to the extra router');
		aliceMic.producer.close();
		await alice.request('closeProducer', { producerId: aliceMic.producer.id });
		await waitFor('the piped microphone gone', async () =>
			(await extra.router.dump()).mapProducerIdConsumerIds.every(({ key }) => key !== aliceMic.producer.id),
		);

		// The last member of the extra router leaves: it closes, pipes and all.
		const otherWorker = server.server.pool.workers.find((pooled) => pooled.index === extra.workerIndex);
		assert.ok(otherWorker);
		await bob.close();
		await waitFor('the extra router closed', () => extra.router.closed && room.routers.all.length === 1);
		assert.ok(!(await otherWorker.worker.dump()).routerIds.includes(extra.id), 'the worker no longer has it');
		const left = await home.router.dump();
		const aliceTransports = [...(room.peers.get('alice')?.transports.keys() ?? [])];
		// What is left on the home router: alice's two transports and the bot's.
		assert.equal(left.transportIds.length, aliceTransports.length + 1, JSON.stringify(left.transportIds));
		for (const id of aliceTransports) assert.ok(left.transportIds.includes(id));
	});
});

/** Sends 50 opus-sized RTP packets a second to a plain transport. */
function sendOpus(ip: string, port: number, ssrc: number, payloadType: number): void {
	const socket = dgram.createSocket('udp4');
	sockets.push(socket);
	const payload = Buffer.alloc(80);
	let sequence = 0;
	const timer = setInterval(() => {
		socket.send(rtpPacket({ payloadType, ssrc, sequence, timestamp: sequence * 960 }, payload), port, ip);
		sequence++;
	}, 20);
	timers.push(timer);
}

/** A UDP socket that counts RTP packets by SSRC. */
async function udpSink(): Promise<{ port: number; packetsBySsrc: Map<number, number> }> {
	const socket = await localUdpSocket();
	sockets.push(socket);
	const packetsBySsrc = new Map<number, number>();
	socket.on('message', (message) => {
		// RTP only: version 2, a whole header, not RTCP.
		if (message.length < 12 || message.readUInt8(0) >> 6 !== 2 || isRtcp(message)) return;
		const ssrc = message.readUInt32BE(8);
		packetsBySsrc.set(ssrc, (packetsBySsrc.get(ssrc) ?? 0) + 1);
	});
	return { port: socket.address().port, packetsBySsrc };
}

describe('auto: a room grows onto another worker once its router is full', () => {
	let autoServer: TestServer;
	const autoPeers: WebRtcTestPeer[] = [];
	before(async () => {
		autoServer = await startTestServer({
			numWorkers: 2,
			env: { MEDIASOUP_ROOM_SPREAD: 'auto', MEDIASOUP_CONSUMERS_PER_ROUTER: '3' },
		});
	});
	after(async () => {
		await Promise.all(autoPeers.map((peer) => peer.close()));
		await autoServer?.close();
	});

	test('the first members share one router; the one after the threshold goes to the other worker', async () => {
		const roomId = newRoomId();
		const join = async (peerId: string) => {
			const peer = await WebRtcTestPeer.connectTo(autoServer, roomId, peerId);
			autoPeers.push(peer);
			await peer.join({ displayName: peerId });
			return peer;
		};
		const alice = await join('alice');
		const aliceMic = await alice.produceRtp('audio');
		await alice.produceRtp('video');
		const bob = await join('bob');
		await bob.produceRtp('audio');
		const room = await autoServer.server.rooms.find(roomId);
		assert.ok(room);
		// bob consumes alice's two producers, alice bob's one: 3 consumers.
		await waitFor('three consumers on the first router', () => room.routers.home.consumers >= 3);
		assert.equal(room.routers.all.length, 1);
		assert.equal(workerOf(room, 'bob'), workerOf(room, 'alice'));

		const carol = await join('carol');
		assert.equal(room.routers.all.length, 2);
		assert.notEqual(workerOf(room, 'carol'), workerOf(room, 'alice'));
		await receivesRtp(carol, aliceMic.producer.id);

		// The worker of the extra router dies: the room cannot go on, everyone
		// is disconnected (and can rejoin), and the home router is closed too.
		const extra = room.routers.all[1];
		const pid = autoServer.server.pool.workers.find((pooled) => pooled.index === extra?.workerIndex)?.pid;
		assert.ok(extra && pid);
		process.kill(pid, 'SIGKILL');
		await waitFor('the room closed', () => room.closed);
		await waitFor('every peer disconnected', () => alice.closed && bob.closed && carol.closed);
		assert.ok(room.routers.home.router.closed);
	});
});
