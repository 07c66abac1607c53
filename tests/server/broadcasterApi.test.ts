// The REST broadcaster API (PROTOCOL.md section 2) with real RTP: a
// broadcaster sends opus over a PlainTransport, a protoo peer is offered it,
// and a receiving broadcaster gets the packets forwarded to its UDP socket.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { ProtectionProfileAes128CmHmacSha1_80, SrtpSession } from 'werift';
import { localUdpSocket, rtpPacket } from '../helpers/rtp.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;
const peers: TestPeer[] = [];
const sockets: dgram.Socket[] = [];

before(async () => {
	server = await startTestServer();
});

after(async () => {
	for (const peer of peers) peer.close();
	for (const socket of sockets) socket.close();
	await server.close();
});

const OPUS = { mimeType: 'audio/opus', payloadType: 101, clockRate: 48000, channels: 2 };

async function udpSocket(): Promise<dgram.Socket> {
	const socket = await localUdpSocket();
	sockets.push(socket);
	return socket;
}

function rtp(seq: number, ssrc: number): Buffer {
	return rtpPacket(
		{ payloadType: OPUS.payloadType, ssrc, sequence: seq, timestamp: seq * 960 },
		Buffer.alloc(100, 0xab),
	);
}

/** An RTCP receiver report with no blocks: enough for comedia to learn our address. */
function emptyReceiverReport(ssrc: number): Buffer {
	const packet = Buffer.alloc(8);
	packet[0] = 0x80;
	packet[1] = 201;
	packet.writeUInt16BE(1, 2);
	packet.writeUInt32BE(ssrc, 4);
	return packet;
}

describe('REST broadcaster API', () => {
	const roomId = `rest-${process.pid}`;
	const base = `/rooms/${roomId}`;
	let viewer: TestPeer;
	let producerId = '';

	/** Sends RTP into the plain transport of the "ffmpeg" broadcaster (an earlier test makes it) until done() holds. */
	async function sendUntil(what: string, firstSeq: number, done: () => boolean): Promise<void> {
		const sender = sockets[0];
		const room = await server.server.rooms.find(roomId);
		const inbound = [...(room?.broadcasters.get('ffmpeg')?.transports.values() ?? [])][0] as
			| { tuple: { localPort: number } }
			| undefined;
		assert.ok(sender && inbound);
		let seq = firstSeq;
		await waitFor(what, () => {
			sender.send(rtp(seq++, 1111), inbound.tuple.localPort, '127.0.0.1');
			return done();
		});
	}

	test('GET /rooms/:roomId answers the router capabilities', async () => {
		const { status, body } = await server.rest('GET', base);
		assert.equal(status, 200);
		const codecs = (body as { codecs: { mimeType: string }[] }).codecs;
		assert.ok(codecs.some((codec) => codec.mimeType === 'audio/opus'));
		viewer = await server.connect(roomId, 'viewer');
		peers.push(viewer);
		await viewer.join({ displayName: 'Viewer' });
	});

	test('POST broadcasters creates one, announced to peers; bad or duplicate ids are refused', async () => {
		const created = await server.rest('POST', `${base}/broadcasters`, {
			id: 'ffmpeg',
			displayName: 'Broadcaster',
			device: { name: 'FFmpeg' },
		});
		assert.equal(created.status, 200);
		assert.deepEqual(
			(created.body as { peers: { id: string }[] }).peers.map((p) => p.id),
			['viewer'],
		);
		await viewer.waitForNotification('newPeer', (data) => data.id === 'ffmpeg');

		const duplicate = await server.rest('POST', `${base}/broadcasters`, {
			id: 'ffmpeg',
			displayName: 'again',
			device: { name: 'FFmpeg' },
		});
		assert.equal(duplicate.status, 409);

		const bad = await server.rest('POST', `${base}/broadcasters`, { id: 'x', device: { name: 'FFmpeg' } });
		assert.equal(bad.status, 400);
		assert.match((bad.body as { error: string }).error, /displayName/);

		const notJson = await server.rest('POST', `${base}/broadcasters`, '{not json');
		assert.equal(notJson.status, 400);
	});

	test('unknown room, broadcaster and transport are 404', async () => {
		const body = { type: 'plain' };
		assert.equal((await server.rest('POST', '/rooms/nope/broadcasters/ffmpeg/transports', body)).status, 404);
		assert.equal((await server.rest('POST', `${base}/broadcasters/nobody/transports`, body)).status, 404);
		const produce = { kind: 'audio', rtpParameters: { codecs: [OPUS], encodings: [{ ssrc: 1 }] } };
		const unknownTransport = await server.rest(
			'POST',
			`${base}/broadcasters/ffmpeg/transports/nope/producers`,
			produce,
		);
		assert.equal(unknownTransport.status, 404);
	});

	test('a plain transport producer receives real RTP and is offered to peers', async () => {
		const transport = await server.rest('POST', `${base}/broadcasters/ffmpeg/transports`, {
			type: 'plain',
			comedia: true,
			rtcpMux: false,
		});
		assert.equal(transport.status, 200);
		const {
			id: transportId,
			ip,
			port,
			rtcpPort,
		} = transport.body as {
			id: string;
			ip: string;
			port: number;
			rtcpPort: number;
		};
		assert.equal(ip, '127.0.0.1');
		assert.ok(port > 0 && rtcpPort > 0);

		const produced = await server.rest('POST', `${base}/broadcasters/ffmpeg/transports/${transportId}/producers`, {
			kind: 'audio',
			rtpParameters: { codecs: [OPUS], encodings: [{ ssrc: 1111 }] },
		});
		assert.equal(produced.status, 200);
		producerId = (produced.body as { id: string }).id;
		await waitFor('viewer offered the broadcaster audio', () =>
			[...viewer.consumers.values()].some((consumer) => consumer.producerId === producerId),
		);

		const sender = await udpSocket();
		for (let seq = 0; seq < 30; seq++) sender.send(rtp(seq, 1111), port, ip);
		const room = await server.server.rooms.find(roomId);
		const producer = room?.broadcasters.get('ffmpeg')?.producers.get(producerId);
		assert.ok(producer);
		await waitFor('producer counts the packets', async () => {
			const stats = await producer.getStats();
			return (stats[0]?.packetCount ?? 0) >= 20;
		});
	});

	test('a receiving broadcaster consumes over a plain transport and gets the RTP', async () => {
		const routerCaps = (await server.rest('GET', base)).body as { codecs: unknown[] };
		const created = await server.rest('POST', `${base}/broadcasters`, {
			id: 'recorder',
			displayName: 'Recorder',
			device: { name: 'script' },
			rtpCapabilities: routerCaps,
		});
		assert.equal(created.status, 200);
		const transport = await server.rest('POST', `${base}/broadcasters/recorder/transports`, {
			type: 'plain',
			comedia: true,
			rtcpMux: true,
		});
		const { id: transportId, ip, port } = transport.body as { id: string; ip: string; port: number };

		const missing = await server.rest('POST', `${base}/broadcasters/recorder/transports/${transportId}/consume`);
		assert.equal(missing.status, 400);
		const unknown = await server.rest(
			'POST',
			`${base}/broadcasters/recorder/transports/${transportId}/consume?producerId=nope`,
		);
		assert.equal(unknown.status, 404);

		const consumed = await server.rest(
			'POST',
			`${base}/broadcasters/recorder/transports/${transportId}/consume?producerId=${producerId}`,
		);
		assert.equal(consumed.status, 200);
		const consumer = consumed.body as { id: string; producerId: string; kind: string; type: string };
		assert.equal(consumer.producerId, producerId);
		assert.equal(consumer.kind, 'audio');
		assert.equal(consumer.type, 'simple');

		const receiver = await udpSocket();
		let received = 0;
		receiver.on('message', (message) => {
			if (message[1] !== 200 && message[1] !== 201 && message.length > 12) received++;
		});
		receiver.send(emptyReceiverReport(2222), port, ip);
		const sender = sockets[0];
		assert.ok(sender);
		const ffmpegPort = (await server.server.rooms.find(roomId))?.broadcasters.get('ffmpeg')?.transports.values().next()
			.value as { tuple: { localPort: number } } | undefined;
		assert.ok(ffmpegPort);
		let seq = 100;
		await waitFor('RTP forwarded to the receiver', () => {
			sender.send(rtp(seq++, 1111), ffmpegPort.tuple.localPort, ip);
			return received >= 10;
		});
	});

	test('connect (ours) tells a plain transport made with comedia false where to send', async () => {
		const transport = await server.rest('POST', `${base}/broadcasters/recorder/transports`, {
			type: 'plain',
			comedia: false,
			rtcpMux: true,
		});
		const { id: transportId } = transport.body as { id: string };
		const connect = (body: unknown, id = transportId) =>
			server.rest('POST', `${base}/broadcasters/recorder/transports/${id}/connect`, body);
		const receiver = await udpSocket();

		const badPort = await connect({ ip: '127.0.0.1', port: 70000 });
		assert.equal(badPort.status, 400);
		assert.match(JSON.stringify(badPort.body), /port/);
		assert.equal((await connect({ ip: 'not-an-ip', port: 5000 })).status, 400);
		const comedia = await server.rest('POST', `${base}/broadcasters/recorder/transports`, { type: 'plain' });
		const comediaRefused = await connect({ ip: '127.0.0.1', port: 5000 }, (comedia.body as { id: string }).id);
		assert.equal(comediaRefused.status, 400);
		assert.match(JSON.stringify(comediaRefused.body), /comedia/);

		assert.equal((await connect({ ip: '127.0.0.1', port: receiver.address().port })).status, 200);
		assert.equal((await connect({ ip: '127.0.0.1', port: receiver.address().port })).status, 409);

		let received = 0;
		receiver.on('message', (message) => {
			if (message[1] !== 200 && message[1] !== 201 && message.length > 12) received++;
		});
		const consumed = await server.rest(
			'POST',
			`${base}/broadcasters/recorder/transports/${transportId}/consume?producerId=${producerId}`,
		);
		assert.equal(consumed.status, 200);
		await sendUntil('RTP sent where the transport was connected to', 1000, () => received >= 10);
	});

	test("srtp (ours): a plain transport encrypts what it sends; connect needs the receiver's key", async () => {
		const transports = `${base}/broadcasters/recorder/transports`;
		const withComedia = await server.rest('POST', transports, { type: 'plain', comedia: true, srtp: true });
		assert.equal(withComedia.status, 400);
		assert.match(JSON.stringify(withComedia.body), /srtp needs comedia false/);

		const created = await server.rest('POST', transports, { type: 'plain', comedia: false, rtcpMux: true, srtp: true });
		assert.equal(created.status, 200);
		const info = created.body as { id: string; srtpParameters?: { cryptoSuite: string; keyBase64: string } };
		assert.equal(info.srtpParameters?.cryptoSuite, 'AEAD_AES_256_GCM');
		assert.ok((info.srtpParameters?.keyBase64.length ?? 0) > 0);
		const plain = await server.rest('POST', transports, { type: 'plain', comedia: false });
		assert.equal((plain.body as { srtpParameters?: unknown }).srtpParameters, undefined);

		const receiver = await udpSocket();
		const target = { ip: '127.0.0.1', port: receiver.address().port };
		// Our own key, as a receiver would make one (AES-256-GCM: 32 bytes of key, 12 of salt).
		const srtpParameters = { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: randomBytes(44).toString('base64') };
		const connect = (body: unknown, id = info.id) => server.rest('POST', `${transports}/${id}/connect`, body);
		const keyless = await connect(target);
		assert.equal(keyless.status, 400);
		assert.match(JSON.stringify(keyless.body), /made with srtp: connect needs srtpParameters/);
		const notSrtp = await connect({ ...target, srtpParameters }, (plain.body as { id: string }).id);
		assert.equal(notSrtp.status, 400);
		assert.match(JSON.stringify(notSrtp.body), /made without srtp/);
		const shortKey = await connect({ ...target, srtpParameters: { ...srtpParameters, keyBase64: 'AAAA' } });
		assert.equal(shortKey.status, 400, JSON.stringify(shortKey.body));
		assert.equal((await connect({ ...target, srtpParameters })).status, 200);

		const packets: Buffer[] = [];
		receiver.on('message', (message) => {
			if (message[1] !== 200 && message[1] !== 201 && message.length > 12) packets.push(message);
		});
		const consumed = await server.rest('POST', `${transports}/${info.id}/consume?producerId=${producerId}`);
		assert.equal(consumed.status, 200);
		const ssrc = (consumed.body as { rtpParameters: { encodings: { ssrc: number }[] } }).rtpParameters.encodings[0]
			?.ssrc;
		await sendUntil('SRTP sent where the transport was connected to', 3000, () => packets.length >= 10);
		// The RTP header stays readable (the consumer's SSRC); the payload, sent as
		// 100 bytes of 0xab, arrives encrypted.
		for (const packet of packets) {
			assert.equal(packet.readUInt32BE(8), ssrc);
			assert.equal(packet.includes(Buffer.alloc(16, 0xab)), false, 'the payload is not sent in the clear');
		}
	});

	test('srtpCryptoSuite (ours): AES_CM_128_HMAC_SHA1_80 packets authenticate and decrypt with the answered key', async () => {
		const transports = `${base}/broadcasters/recorder/transports`;
		const suite = 'AES_CM_128_HMAC_SHA1_80';
		const withoutSrtp = await server.rest('POST', transports, {
			type: 'plain',
			comedia: false,
			srtpCryptoSuite: suite,
		});
		assert.equal(withoutSrtp.status, 400);
		assert.match(JSON.stringify(withoutSrtp.body), /srtpCryptoSuite needs srtp: true/);
		const unknown = await server.rest('POST', transports, {
			type: 'plain',
			comedia: false,
			srtp: true,
			srtpCryptoSuite: 'AES_CM_256',
		});
		assert.equal(unknown.status, 400);
		assert.match(JSON.stringify(unknown.body), /srtpCryptoSuite/);

		const created = await server.rest('POST', transports, {
			type: 'plain',
			comedia: false,
			rtcpMux: true,
			srtp: true,
			srtpCryptoSuite: suite,
		});
		assert.equal(created.status, 200);
		const info = created.body as { id: string; srtpParameters?: { cryptoSuite: string; keyBase64: string } };
		assert.equal(info.srtpParameters?.cryptoSuite, suite);
		// AES-128 counter mode: 16 bytes of key and 14 of salt.
		const senderKey = Buffer.from(info.srtpParameters?.keyBase64 ?? '', 'base64');
		assert.equal(senderKey.length, 30);

		const receiver = await udpSocket();
		const receiverKey = randomBytes(30);
		const connected = await server.rest('POST', `${transports}/${info.id}/connect`, {
			ip: '127.0.0.1',
			port: receiver.address().port,
			srtpParameters: { cryptoSuite: suite, keyBase64: receiverKey.toString('base64') },
		});
		assert.equal(connected.status, 200);
		const packets: Buffer[] = [];
		receiver.on('message', (message) => {
			if (message[1] !== 200 && message[1] !== 201 && message.length > 12) packets.push(message);
		});
		const consumed = await server.rest('POST', `${transports}/${info.id}/consume?producerId=${producerId}`);
		assert.equal(consumed.status, 200);
		await sendUntil('AES_CM SRTP sent where the transport was connected to', 5000, () => packets.length >= 10);

		// What a receiver does with the key of the answer: werift's SRTP checks
		// the 80-bit HMAC-SHA1 tag (it throws on a wrong one) and decrypts.
		const session = new SrtpSession({
			keys: {
				localMasterKey: receiverKey.subarray(0, 16),
				localMasterSalt: receiverKey.subarray(16),
				remoteMasterKey: senderKey.subarray(0, 16),
				remoteMasterSalt: senderKey.subarray(16),
			},
			profile: ProtectionProfileAes128CmHmacSha1_80,
		});
		for (const packet of packets) {
			const rtpPacket = session.decrypt(packet);
			assert.equal(packet.length, rtpPacket.length + 10, 'an 80-bit authentication tag');
			assert.ok(rtpPacket.includes(Buffer.alloc(100, 0xab)), 'the payload sent, decrypted');
			assert.equal(packet.includes(Buffer.alloc(16, 0xab)), false, 'and not sent in the clear');
		}
	});

	test('data channels over a plain transport with SCTP: produce/data and consume/data', async () => {
		const transport = await server.rest('POST', `${base}/broadcasters/ffmpeg/transports`, {
			type: 'plain',
			sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
		});
		assert.equal(transport.status, 200);
		const { id: transportId } = transport.body as { id: string };
		const produced = await server.rest('POST', `${base}/broadcasters/ffmpeg/transports/${transportId}/produce/data`, {
			label: 'chat',
			protocol: '',
			sctpStreamParameters: { streamId: 1, ordered: true },
			appData: {},
		});
		assert.equal(produced.status, 200);
		const dataProducerId = (produced.body as { id: string }).id;
		await waitFor('viewer offered the broadcaster chat', () =>
			[...viewer.dataConsumers.values()].some((dc) => dc.dataProducerId === dataProducerId),
		);
		const consumed = await server.rest('POST', `${base}/broadcasters/ffmpeg/transports/${transportId}/consume/data`, {
			dataProducerId,
		});
		assert.equal(consumed.status, 200);
		assert.equal(typeof (consumed.body as { streamId: number }).streamId, 'number');
	});

	test('DELETE removes the broadcaster and everything it owns', async () => {
		const consumersOfBroadcaster = [...viewer.consumers.values()].filter((c) => c.producerId === producerId);
		assert.equal(consumersOfBroadcaster.length, 1);
		const deleted = await server.rest('DELETE', `${base}/broadcasters/ffmpeg`);
		assert.equal(deleted.status, 200);
		await viewer.waitForNotification('peerClosed', (data) => data.peerId === 'ffmpeg');
		await viewer.waitForNotification('consumerClosed', (data) => data.consumerId === consumersOfBroadcaster[0]?.id);
		assert.equal((await server.rest('DELETE', `${base}/broadcasters/ffmpeg`)).status, 404);

		const room = await server.server.rooms.find(roomId);
		assert.ok(room);
		const dump = await room.router.dump();
		assert.ok(!dump.mapProducerIdConsumerIds.some((entry) => entry.key === producerId));
	});
});
