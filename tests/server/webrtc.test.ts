// Media that really flows through our server: peers run mediasoup-client's
// Chrome111 handler on werift (ICE + DTLS + SRTP + SCTP in Node), connect to
// the real server's WebRtcServer and see and hear each other as users would:
// RTP arriving, chat and bot messages, scores, the active speaker, bandwidth
// estimates, the simulcast layers forwarded; over TCP, across an ICE restart,
// and a peer whose DTLS fails.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { types } from 'mediasoup';
import type { types as msc } from 'mediasoup-client';
import { createBroadcaster, producePlain } from '../helpers/restBroadcaster.ts';
import { localUdpSocket, rtpPacket } from '../helpers/rtp.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { WebRtcTestPeer, type WebRtcTestPeerOptions } from '../helpers/WebRtcTestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { vp8KeyFramePayload } from '../helpers/werift.ts';

let server: TestServer;
/** The current test's peers: each test closes its own, whatever happens. */
const peers: WebRtcTestPeer[] = [];
let roomCounter = 0;

before(async () => {
	server = await startTestServer();
});

afterEach(async () => {
	await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

after(async () => {
	await server?.close();
});

const newRoomId = () => `webrtc-${process.pid}-${++roomCounter}`;

async function connect(roomId: string, peerId: string, options: Partial<WebRtcTestPeerOptions> = {}) {
	const peer = await WebRtcTestPeer.connectTo(server, roomId, peerId, options);
	peers.push(peer);
	return peer;
}

/** Two joined peers; `listener` consumes what `speaker` produces. */
async function pair(
	options: { speaker?: Partial<WebRtcTestPeerOptions>; listener?: Partial<WebRtcTestPeerOptions> } = {},
) {
	const roomId = newRoomId();
	const speaker = await connect(roomId, 'speaker', options.speaker);
	await speaker.join({ displayName: 'Speaker' });
	const listener = await connect(roomId, 'listener', options.listener);
	await listener.join({ displayName: 'Listener' });
	return { roomId, speaker, listener };
}

/** Waits until `peer` has received `count` more RTP packets of a producer. */
async function receivesRtp(peer: WebRtcTestPeer, producerId: string, count = 20) {
	const start = peer.rtpReceivedFrom(producerId);
	return waitFor(`${count} more RTP packets of producer ${producerId}`, () => {
		const now = peer.rtpReceivedFrom(producerId);
		return now >= start + count && now;
	});
}

/** The server side of a peer's WebRTC transports. */
async function serverTransportsOf(roomId: string, peerId: string): Promise<types.WebRtcTransport[]> {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	const member = room.peers.get(peerId);
	assert.ok(member, `peer ${peerId} is in the room`);
	return [...member.transports.values()].filter(
		(transport): transport is types.WebRtcTransport => transport.type === 'webrtc',
	);
}

describe('media through the server', () => {
	test('audio RTP sent by one peer is received by the other', async () => {
		const { speaker, listener } = await pair();
		const mic = await speaker.produceRtp('audio');
		await waitFor('the listener consumes the microphone', () =>
			[...listener.consumers.values()].some((consumer) => consumer.producerId === mic.producer.id),
		);
		const first = await receivesRtp(listener, mic.producer.id);
		// Still flowing: the count keeps increasing.
		const later = await receivesRtp(listener, mic.producer.id);
		assert.ok(later > first);
		assert.ok(mic.packetsSent >= later, 'the listener got no more than the speaker sent');
	});

	test('producerScore and consumerScore arrive once media flows', async () => {
		const { speaker, listener } = await pair();
		const mic = await speaker.produceRtp('audio');
		const producerScore = await speaker.waitForNotification(
			'producerScore',
			(data) => data.producerId === mic.producer.id,
		);
		const [streamScore] = producerScore.score as { ssrc: number; score: number }[];
		assert.ok(
			streamScore && streamScore.score > 0,
			`the producer stream has a score: ${JSON.stringify(producerScore)}`,
		);

		const consumerId = await waitFor(
			'the listener consumes the microphone',
			() => [...listener.consumers.values()].find((consumer) => consumer.producerId === mic.producer.id)?.id,
		);
		// The score of a consumer whose producer is really receiving media.
		const consumerScore = await listener.waitForNotification(
			'consumerScore',
			(data) => data.consumerId === consumerId && (data.score as { producerScore: number }).producerScore > 0,
		);
		const score = consumerScore.score as { score: number; producerScore: number };
		assert.ok(score.score > 0);
	});

	test('a simulcast broadcaster: the layers the server forwards reach the peer as consumerLayersChanged', async () => {
		const roomId = newRoomId();
		const listener = await connect(roomId, 'listener');
		await listener.join({ displayName: 'Listener' });
		await createBroadcaster(server, roomId, 'camera');
		// Two simulcast encodings: the consumer is a simulcast one, which reports its layers.
		const { producerId, transport } = await producePlain(server, roomId, 'camera', {
			kind: 'video',
			rtpParameters: {
				codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
				encodings: [{ ssrc: 3001 }, { ssrc: 3002 }],
			},
		});
		const consumerId = await waitFor(
			'the listener consumes the camera',
			() => [...listener.consumers.values()].find((consumer) => consumer.producerId === producerId)?.id,
		);

		// Key frames on the lowest encoding only, 100 a second: the server forwards spatial layer 0.
		const sender = await localUdpSocket();
		let sequence = 0;
		const pump = setInterval(() => {
			const header = { payloadType: 101, ssrc: 3001, sequence, timestamp: sequence * 900, marker: true };
			sender.send(rtpPacket(header, vp8KeyFramePayload()), transport.port, transport.ip);
			sequence++;
		}, 10);
		try {
			const layers = await listener.waitForNotification(
				'consumerLayersChanged',
				(data) => data.consumerId === consumerId && data.spatialLayer !== null,
			);
			assert.deepEqual(layers, { consumerId, spatialLayer: 0, temporalLayer: 0 });
			await receivesRtp(listener, producerId);
		} finally {
			clearInterval(pump);
			sender.close();
			assert.equal((await server.rest('DELETE', `/rooms/${roomId}/broadcasters/camera`)).status, 200);
		}
	});
});

describe('data channels', () => {
	test('the bot answers what a peer says on its bot channel', async () => {
		const alice = await connect(newRoomId(), 'alice');
		await alice.join({ displayName: 'Alice' });
		await waitFor('alice consumes the bot', () =>
			[...alice.dataConsumers.values()].find((dc) => dc.label === 'bot' && dc.readyState === 'open'),
		);
		const bot = await alice.produceData('bot');
		bot.send('hello');
		await waitFor('the bot answers', () => alice.messagesOn('bot').includes('Alice said me: "hello"'));
	});

	test('a chat message from one peer arrives at the other', async () => {
		const { speaker, listener } = await pair();
		const chat = await speaker.produceData('chat');
		await waitFor('the listener consumes the chat', () =>
			[...listener.dataConsumers.values()].find((dc) => dc.dataProducerId === chat.id && dc.readyState === 'open'),
		);
		chat.send('hi there');
		await waitFor('the chat message arrives', () => listener.messagesOn('chat').includes('hi there'));
		assert.deepEqual(listener.messagesOn('chat'), ['hi there']);
	});
});

describe('active speaker', () => {
	test('a peer speaking is announced as active speaker, then silence', async () => {
		const { speaker, listener } = await pair();
		// -10 dBov: well above the observer's -80 dB threshold.
		const mic = await speaker.produceRtp('audio', { audioLevel: 10 });
		assert.notEqual(mic.audioLevelId, undefined, 'ssrc-audio-level is negotiated on the producer');

		const speaking = await listener.waitForNotification('activeSpeaker', (data) => data.peerId === 'speaker');
		assert.equal(speaking.volume, -10);
		const index = listener.notifications.findIndex((n) => n.method === 'activeSpeaker' && n.data.peerId === 'speaker');

		mic.stop();
		await waitFor('silence after the speaker stops', () =>
			listener.notifications.slice(index).find((n) => n.method === 'activeSpeaker' && n.data.peerId === null),
		);
	});
});

describe('transports', () => {
	test('forceTcp: the transports use TCP and media flows', async () => {
		const { roomId, speaker, listener } = await pair({ speaker: { forceTcp: true }, listener: { forceTcp: true } });
		const mic = await speaker.produceRtp('audio');
		await receivesRtp(listener, mic.producer.id);
		for (const peerId of ['speaker', 'listener']) {
			for (const transport of await serverTransportsOf(roomId, peerId)) {
				const protocols = transport.iceCandidates.map((candidate) => candidate.protocol);
				assert.deepEqual([...new Set(protocols)], ['tcp'], `${peerId}'s transport offers TCP only`);
			}
		}
		// The two transports the audio went through: the speaker's send, the listener's receive.
		const [sending] = (await serverTransportsOf(roomId, 'speaker')).filter((t) => t.id === speaker.sendTransport?.id);
		const [receiving] = (await serverTransportsOf(roomId, 'listener')).filter(
			(t) => t.id === listener.recvTransport?.id,
		);
		assert.equal(sending?.iceSelectedTuple?.protocol, 'tcp');
		assert.equal(receiving?.iceSelectedTuple?.protocol, 'tcp');
	});

	test('restartIce: new ICE parameters, and media keeps flowing', async () => {
		const { roomId, speaker, listener } = await pair();
		const mic = await speaker.produceRtp('audio');
		await receivesRtp(listener, mic.producer.id);
		const sendTransport = speaker.sendTransport as msc.Transport;
		const recvTransport = listener.recvTransport as msc.Transport;
		const serverTransport = async (peerId: string, id: string) => {
			const transport = (await serverTransportsOf(roomId, peerId)).find((t) => t.id === id);
			assert.ok(transport, `the server has transport ${id} of ${peerId}`);
			return transport;
		};
		const serverSend = await serverTransport('speaker', sendTransport.id);
		const serverRecv = await serverTransport('listener', recvTransport.id);
		const before = [serverSend.iceParameters.usernameFragment, serverRecv.iceParameters.usernameFragment];

		const sendIce = await speaker.restartIce(sendTransport);
		const recvIce = await listener.restartIce(recvTransport);
		assert.notEqual(sendIce.usernameFragment, before[0]);
		assert.notEqual(recvIce.usernameFragment, before[1]);
		assert.equal(serverSend.iceParameters.usernameFragment, sendIce.usernameFragment);
		assert.equal(serverRecv.iceParameters.usernameFragment, recvIce.usernameFragment);

		// Media keeps flowing through both restarted transports. (werift drops
		// what it sends until a new ICE pair is selected: this RTP went over the
		// new ICE sessions.)
		await receivesRtp(listener, mic.producer.id, 50);
		for (const transport of [serverSend, serverRecv]) {
			assert.ok(transport.iceState === 'connected' || transport.iceState === 'completed', transport.iceState);
		}
	});

	test('a failed DTLS handshake closes the peer and everything it had', async () => {
		const roomId = newRoomId();
		const alice = await connect(roomId, 'alice');
		await alice.join({ displayName: 'Alice' });
		// A certificate fingerprint that is not the client's: the server's DTLS
		// check of the client certificate fails.
		const mallory = await connect(roomId, 'mallory', {
			tamperDtls: (dtlsParameters) => ({
				...dtlsParameters,
				fingerprints: dtlsParameters.fingerprints.map(({ algorithm, value }) => ({
					algorithm,
					value: value.replace(/[0-9A-F]$/i, (last) => (last.toUpperCase() === '0' ? '1' : '0')),
				})),
			}),
		});
		await mallory.join({ displayName: 'Mallory' });
		const malloryTransportIds = [mallory.sendTransport?.id, mallory.recvTransport?.id];
		const room = await server.server.rooms.find(roomId);
		assert.ok(room);

		await waitFor("mallory's WebSocket closed by the server", () => mallory.closed);
		assert.deepEqual(mallory.notificationsOf('closing'), [{ reason: 'transportFailed' }]);
		await alice.waitForNotification('peerClosed', (data) => data.peerId === 'mallory');
		assert.equal(room.peers.has('mallory'), false);
		const dump = await room.router.dump();
		for (const id of malloryTransportIds) {
			assert.ok(id);
			assert.equal(dump.transportIds.includes(id), false, `transport ${id} is gone from the router`);
		}
		// Alice is unaffected.
		assert.equal(alice.closed, false);
		assert.ok(room.peers.has('alice'));
	});
});

describe('bandwidth estimation', () => {
	test('a peer consuming video gets downlinkBwe', async () => {
		const { speaker, listener } = await pair();
		const camera = await speaker.produceRtp('video');
		await receivesRtp(listener, camera.producer.id);
		const bwe = await listener.waitForNotification('downlinkBwe');
		for (const field of ['desiredBitrate', 'effectiveDesiredBitrate', 'availableBitrate']) {
			assert.equal(typeof bwe[field], 'number', `${field} is a number`);
		}
		assert.ok((bwe.availableBitrate as number) > 0);
	});
});
