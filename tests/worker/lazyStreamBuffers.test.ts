// Our patch to mediasoup's C++ worker that allocates a stream's buffers with its
// first packet (patches/mediasoup+3.27.1+003+lazy-per-stream-buffers.patch):
// streams that carry media still count their bitrate and answer NACKs with
// retransmissions, streams that carry none report nothing, and an idle consumer
// costs the worker less memory than the unpatched 5.8 KB (with patch 004,
// sharing parsed RTP parameters, too: sharedRtpParameters.test.ts; and with
// 005, the small maps of what a consumer keeps per stream).
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { isRtcp, localUdpSocket, rtpPacket, vp8KeyFramePayload } from '../helpers/rtp.ts';
import { waitFor } from '../helpers/waitFor.ts';

const VIDEO_SSRC = 1111;
const AUDIO_SSRC = 2222;
const VIDEO_PT = 96;
const AUDIO_PT = 100;

let worker: ms.Worker;
let router: ms.Router;
let sendTransport: ms.PlainTransport;
let video: ms.Producer;
let audio: ms.Producer;
let sender: Socket;

before(async () => {
	({ worker, router } = await opusVp8Router());
	// comedia: the transport sends to wherever our packets come from.
	sendTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		comedia: true,
	});
	video = await sendTransport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: VIDEO_PT,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
				},
			],
			encodings: [{ ssrc: VIDEO_SSRC }],
		},
	});
	audio = await sendTransport.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }],
			encodings: [{ ssrc: AUDIO_SSRC }],
		},
	});
	sender = await localUdpSocket();
});

after(async () => {
	sender.close();
	worker.close();
});

/** A plain transport that sends a consumer of `producer` to a socket of ours. */
async function consumeInto(
	producer: ms.Producer,
): Promise<{ consumer: ms.Consumer; transport: ms.PlainTransport; sink: Socket; packets: Buffer[] }> {
	const sink = await localUdpSocket();
	const packets: Buffer[] = [];
	sink.on('message', (message) => {
		if (!isRtcp(message)) packets.push(message);
	});
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	await transport.connect({ ip: '127.0.0.1', port: sink.address().port });
	const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	consumer.observer.once('close', () => {
		sink.close();
		transport.close();
	});
	return { consumer, transport, sink, packets };
}

test('a VP8 consumer forwards, counts its bitrate and answers a NACK with an RTX retransmission', async () => {
	const { consumer, transport, sink, packets } = await consumeInto(video);
	try {
		const encoding = consumer.rtpParameters.encodings?.[0];
		const rtxCodec = consumer.rtpParameters.codecs.find((codec) => codec.mimeType.toLowerCase() === 'video/rtx');
		assert.ok(encoding?.ssrc && encoding.rtx?.ssrc && rtxCodec, 'the consumer has an RTX stream');

		// Every packet a whole key frame, so the consumer forwards from the first.
		for (let i = 0; i < 20; i++) {
			const header = { payloadType: VIDEO_PT, ssrc: VIDEO_SSRC, sequence: 1000 + i, timestamp: i * 3000, marker: true };
			send(rtpPacket(header, vp8KeyFramePayload()));
		}
		await waitFor('the 20 packets to reach the consumer side', () => packets.length >= 20);
		const forwarded = packets.filter((p) => p.readUInt32BE(8) === encoding.ssrc);
		assert.equal(forwarded.length, 20);

		const stats = await consumer.getStats();
		const outbound = stats.find((s) => s.type === 'outbound-rtp');
		assert.ok(outbound, 'an outbound-rtp entry');
		assert.equal(outbound.packetCount, 20);
		assert.ok(outbound.bitrate > 0, `bitrate ${outbound.bitrate} counts the packets just sent`);

		// NACK the 6th packet as the receiver numbered it.
		const lost = (forwarded[5] as Buffer).readUInt16BE(2);
		sink.send(genericNack(encoding.ssrc, lost), transport.tuple.localPort, '127.0.0.1');
		const rtx = await waitFor('a retransmission on the RTX stream', () =>
			packets.find((p) => p.readUInt32BE(8) === encoding.rtx?.ssrc),
		);
		assert.equal(rtx.readUInt8(1) & 0x7f, rtxCodec.payloadType, 'sent with the RTX payload type');
		assert.equal(
			rtx.readUInt16BE(payloadOffset(rtx)),
			lost,
			'carrying the NACKed packet (its original sequence number first)',
		);
	} finally {
		consumer.close();
	}
});

test('an Opus consumer forwards, and a consumer of a silent producer reports no traffic', async () => {
	const idle = await consumeInto(video);
	const { consumer, packets } = await consumeInto(audio);
	try {
		for (let i = 0; i < 10; i++) {
			const header = { payloadType: AUDIO_PT, ssrc: AUDIO_SSRC, sequence: 500 + i, timestamp: i * 960, marker: true };
			send(rtpPacket(header, Buffer.alloc(60, 0x5a)));
		}
		await waitFor('the 10 Opus packets to reach the consumer side', () => packets.length >= 10);
		const [audioStats] = (await consumer.getStats()).filter((s) => s.type === 'outbound-rtp');
		assert.ok(audioStats && audioStats.bitrate > 0 && audioStats.packetCount === 10);

		const [idleStats] = (await idle.consumer.getStats()).filter((s) => s.type === 'outbound-rtp');
		assert.ok(idleStats, 'the idle consumer has a stream');
		assert.equal(idleStats.packetCount, 0);
		assert.equal(idleStats.bitrate, 0);
		// (The transport's bandwidth probation packets, SSRC 1234, are not media.)
		assert.equal(idle.packets.filter((p) => p.readUInt32BE(8) === idleStats.ssrc).length, 0);
	} finally {
		consumer.close();
		idle.consumer.close();
	}
});

test('an idle consumer costs the worker under 2.6 KB (5.8 unpatched, 3.4 without patch 004, 2.7 without 005)', async () => {
	const transports = await Promise.all(
		Array.from({ length: 10 }, () =>
			router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }),
		),
	);
	const count = 3000;
	const before = workerRssKb();
	const consumers: ms.Consumer[] = [];
	for (let i = 0; i < count; i += 100) {
		consumers.push(
			...(await Promise.all(
				Array.from({ length: 100 }, (_, j) =>
					(transports[(i + j) % transports.length] as ms.WebRtcTransport).consume({
						producerId: (i + j) % 2 === 0 ? audio.id : video.id,
						rtpCapabilities: router.rtpCapabilities,
						paused: true,
					}),
				),
			)),
		);
	}
	const perConsumer = ((workerRssKb() - before) * 1024) / count;
	for (const transport of transports) transport.close();
	// Half audio, half video. Unpatched: 5.8 KB (audio) and 6.1 KB (video); with
	// 003 and abseil's maps: 3.1 and 3.8; with 004 (one parsed copy of equal
	// codecs and header extensions) too: 2.5 and 2.8; with 005 (the per-stream
	// maps inline) too: 2.3 and 2.5. Measured here: 2.7 KB without 005, 2.4 with.
	assert.ok(perConsumer < 2600, `${perConsumer.toFixed(0)} bytes of worker RSS per idle consumer`);
	assert.equal(consumers.length, count);
});

function workerRssKb(): number {
	const status = readFileSync(`/proc/${worker.pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

/** Where an RTP packet's payload starts: after the CSRCs and the header extension mediasoup adds. */
function payloadOffset(packet: Buffer): number {
	const csrcEnd = 12 + 4 * (packet.readUInt8(0) & 0x0f);
	const hasExtension = (packet.readUInt8(0) & 0x10) !== 0;
	return hasExtension ? csrcEnd + 4 + 4 * packet.readUInt16BE(csrcEnd + 2) : csrcEnd;
}

function send(packet: Buffer): void {
	sender.send(packet, sendTransport.tuple.localPort, '127.0.0.1');
}

/** RTCP generic NACK (RFC 4585 6.2.1) for one packet. */
function genericNack(mediaSsrc: number, seq: number): Buffer {
	const nack = Buffer.alloc(16);
	nack[0] = 0x81; // V=2, FMT=1
	nack[1] = 205; // RTPFB
	nack.writeUInt16BE(3, 2);
	nack.writeUInt32BE(0x12345678, 4);
	nack.writeUInt32BE(mediaSsrc, 8);
	nack.writeUInt16BE(seq, 12);
	nack.writeUInt16BE(0, 14);
	return nack;
}
