// A resumed session gets its media back (ours, docs/PROTOCOL.md "Sessions"):
// a peer whose media really flows (werift, over TCP) loses its whole network,
// signaling and media, behind two TcpProxies that the test cuts. The server
// keeps it for the grace period although its transports' ICE goes
// disconnected; it resumes, restarts ICE on the transports it kept, and the
// other peer's consumer of its microphone, the same one, receives RTP again,
// as it receives the other's.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import type { JoinResponse } from '../../protocol/signaling.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { TcpProxy } from '../helpers/TcpProxy.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { WebRtcTestPeer } from '../helpers/WebRtcTestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const GRACE_MS = 10_000;

let server: TestServer;
const cleanups: (() => unknown)[] = [];

before(async () => {
	server = await startTestServer({ env: { RECONNECT_GRACE_MS: String(GRACE_MS), RECONNECT_PING_INTERVAL_MS: '500' } });
});

afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

after(async () => {
	await server.close();
});

async function proxyTo(port: number): Promise<TcpProxy> {
	const proxy = await TcpProxy.start({ host: '127.0.0.1', port });
	cleanups.push(() => proxy.close());
	return proxy;
}

/** The TCP port of the worker's WebRtcServer, where TCP-only transports get their media. */
async function webRtcServerTcpPort(): Promise<number> {
	const [pooled] = server.server.pool.workers;
	assert.ok(pooled);
	const dump = await pooled.webRtcServer.dump();
	const port = dump.tcpServers[0]?.port;
	assert.ok(port, 'the WebRtcServer listens on TCP');
	return port;
}

/** Waits until `peer` has received `count` more RTP packets of a producer. */
async function receivesRtp(peer: WebRtcTestPeer, producerId: string, count = 20) {
	const start = peer.rtpReceivedFrom(producerId);
	await waitFor(
		`${count} more RTP packets of producer ${producerId}`,
		() => peer.rtpReceivedFrom(producerId) >= start + count,
		{ timeoutMs: 15_000 },
	);
}

async function serverTransportsOf(roomId: string, peerId: string): Promise<types.WebRtcTransport[]> {
	const room = await server.server.rooms.find(roomId);
	const member = room?.peers.get(peerId);
	assert.ok(member, `peer ${peerId} is in room ${roomId}`);
	return [...member.transports.values()] as types.WebRtcTransport[];
}

test('the whole network goes and comes back: the same consumer receives RTP again after the resume and an ICE restart', async () => {
	const roomId = `resume-media-${process.pid}`;
	const signaling = await proxyTo(server.port);
	const media = await proxyTo(await webRtcServerTcpPort());
	const query = `roomId=${roomId}&peerId=speaker`;
	const speaker = await WebRtcTestPeer.connect({
		url: `wss://127.0.0.1:${signaling.port}/?${query}`,
		ca: server.ca,
		forceTcp: true,
		mediaVia: (candidate) => (candidate.protocol === 'tcp' ? { ...candidate, port: media.port } : candidate),
	});
	cleanups.push(() => speaker.close());
	const listener = await WebRtcTestPeer.connectTo(server, roomId, 'listener');
	cleanups.push(() => listener.close());

	const joined = (await speaker.join({ displayName: 'Speaker' })) as JoinResponse;
	await listener.join({ displayName: 'Listener' });
	const mic = await speaker.produceRtp('audio');
	const otherMic = await listener.produceRtp('audio');
	await receivesRtp(listener, mic.producer.id);
	await receivesRtp(speaker, otherMic.producer.id);
	const listenerConsumers = [...listener.consumers.keys()].sort();

	signaling.cut();
	media.cut();
	await listener.waitForNotification('peerReconnecting', (data) => data.peerId === 'speaker');
	const transports = await serverTransportsOf(roomId, 'speaker');
	await waitFor("the speaker's ICE is disconnected on the server", () =>
		transports.every((transport) => transport.iceState === 'disconnected'),
	);
	const stalled = listener.rtpReceivedFrom(mic.producer.id);
	await sleep(1000);
	assert.ok(listener.rtpReceivedFrom(mic.producer.id) - stalled < 5, 'no media while the network is gone');
	const room = await server.server.rooms.find(roomId);
	assert.equal(room?.peers.get('speaker')?.reconnecting, true, 'ICE disconnected does not close a reconnecting peer');
	assert.ok(transports.every((transport) => !transport.closed));

	signaling.restore();
	media.restore();
	assert.ok(joined.resumeSecret);
	await speaker.resume(`wss://127.0.0.1:${signaling.port}/?${query}&resume=${encodeURIComponent(joined.resumeSecret)}`);
	await speaker.waitForNotification('sessionResumed');
	const { sendTransport, recvTransport } = speaker;
	assert.ok(sendTransport && recvTransport);
	await speaker.restartIce(sendTransport);
	await speaker.restartIce(recvTransport);

	await receivesRtp(listener, mic.producer.id);
	await receivesRtp(speaker, otherMic.producer.id);
	await listener.waitForNotification('peerReconnected', (data) => data.peerId === 'speaker');
	assert.deepEqual([...listener.consumers.keys()].sort(), listenerConsumers, 'the same consumers');
	assert.deepEqual(listener.notificationsOf('consumerClosed'), []);
	assert.deepEqual(listener.notificationsOf('peerClosed'), []);
	await assertNoOrphans(server.server, roomId);
});
