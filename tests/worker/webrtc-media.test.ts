// A real WebRTC peer (mediasoup-client on werift) completes ICE + DTLS with a
// WebRtcTransport of our worker, on a WebRtcServer as the server uses, and SRTP
// media flows both ways: client -> producer -> consumer -> client.
//
// This is the test that catches the kTLS crash (see
// patches/mediasoup+3.27.1+002+dtls-bio-answers-no-ktls.patch): without the
// patch the worker dies with SIGSEGV on the first DTLS handshake, which no
// PlainTransport test exercises.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { Device, type types as msc } from 'mediasoup-client';
import { waitFor } from '../helpers/waitFor.ts';
import { asWeriftTrack, createRtpTrack, installWeriftGlobals, rtpPacket } from '../helpers/werift.ts';

installWeriftGlobals();

let worker: ms.Worker;
let webRtcServer: ms.WebRtcServer;
let router: ms.Router;
let device: Device;
const workerDied: Error[] = [];

before(async () => {
	worker = await mediasoup.createWorker({ logLevel: 'warn' });
	worker.on('died', (error) => workerDied.push(error));
	webRtcServer = await worker.createWebRtcServer({
		listenInfos: [
			{ protocol: 'udp', ip: '127.0.0.1', port: 0 },
			{ protocol: 'tcp', ip: '127.0.0.1', port: 0 },
		],
	});
	router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	device = new Device({ handlerName: 'Chrome111' });
	// On the wire this is JSON; mediasoup's type lists a few header extension
	// URIs that mediasoup-client's type does not, hence the cast.
	await device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });
});

after(() => {
	worker?.close();
});

/** A server transport and the client transport connected to it, signaling done in-process. */
async function connectedPair(direction: 'send' | 'recv') {
	const server = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: false });
	const options: msc.TransportOptions = {
		id: server.id,
		iceParameters: server.iceParameters,
		iceCandidates: server.iceCandidates,
		dtlsParameters: server.dtlsParameters,
	};
	const client = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
	client.on('connect', ({ dtlsParameters }, callback, errback) => {
		server.connect({ dtlsParameters }).then(callback, errback);
	});
	clients.push(client);
	return { server, client };
}

/** Closed whatever happens: a werift peer left open keeps retrying and holds the process. */
const clients: msc.Transport[] = [];

test('a WebRTC peer completes ICE + DTLS and SRTP media flows both ways', async () => {
	const send = await connectedPair('send');
	let producer: ms.Producer | undefined;
	send.client.on('produce', ({ kind, rtpParameters }, callback, errback) => {
		send.server.produce({ kind, rtpParameters }).then((created) => {
			producer = created;
			callback({ id: created.id });
		}, errback);
	});

	const { track, source } = createRtpTrack('audio');
	const clientProducer = await send.client.produce({ track, stopTracks: false });
	assert.ok(producer, 'the produce event created a server-side producer');
	assert.equal(producer.id, clientProducer.id);

	// 50 packets per second, as an opus sender.
	let seq = 0;
	const pump = setInterval(() => {
		source.writeRtp(rtpPacket(seq, seq * 960));
		seq++;
	}, 20);

	try {
		await waitFor('DTLS connected on the send transport', () => {
			// Without the kTLS patch the worker dies with SIGSEGV right here.
			if (workerDied.length > 0) throw new Error(`the worker died during the DTLS handshake: ${workerDied[0]}`);
			return send.server.dtlsState === 'connected';
		});
		assert.equal(send.server.iceState === 'connected' || send.server.iceState === 'completed', true);

		// The worker decrypted SRTP from the client: the producer counts packets.
		const received = await waitFor('the producer to receive RTP', async () => {
			const stats = await producer?.getStats();
			if (!stats) return false;
			const packets = stats.reduce((sum, s) => sum + s.packetCount, 0);
			return packets >= 20 && packets;
		});
		assert.ok(received >= 20);

		const recv = await connectedPair('recv');
		const consumer = await recv.server.consume({
			producerId: clientProducer.id,
			rtpCapabilities: device.recvRtpCapabilities,
			paused: true,
		});
		const clientConsumer = await recv.client.consume({
			id: consumer.id,
			producerId: clientProducer.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters as msc.RtpParameters,
		});
		let packetsAtClient = 0;
		asWeriftTrack(clientConsumer.track).onReceiveRtp.subscribe(() => {
			packetsAtClient++;
		});
		await consumer.resume();

		// The worker encrypted SRTP towards the client, which decrypted it.
		await waitFor('the client to receive forwarded RTP', () => packetsAtClient >= 20);
		assert.equal(recv.server.dtlsState, 'connected');
		assert.deepEqual(workerDied, [], 'the worker must not die');

		send.server.close();
		recv.server.close();
	} finally {
		clearInterval(pump);
		for (const client of clients) client.close();
	}

	// Nothing is left behind on the router.
	const dump = await router.dump();
	assert.deepEqual(dump.transportIds, []);
});
