// Our patch to mediasoup's C++ worker that leaves a network outage out of its
// transport-cc feedback
// (patches/mediasoup+3.27.1+017+transport-cc-feedback-skips-an-outage.patch).
// A sender keeps numbering its packets while its network is away; the first
// feedback after the return used to report every one of them as lost, and a
// browser's loss-based estimate that sees seconds of 100% loss falls to its
// minimum and stops its video again right after the network came back (the
// reconnect bench's slow resumes). The feedback now starts again at the first
// packet after the outage; ordinary losses are still reported.
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types as ms } from 'mediasoup';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { isRtcp, localUdpSocket, rtpPacket, vp8KeyFramePayload } from '../helpers/rtp.ts';
import { waitFor } from '../helpers/waitFor.ts';

const PAYLOAD_TYPE = 96;
const SSRC = 6001;
const TRANSPORT_CC_ID = 5;
const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const PACKET_INTERVAL_MS = 20;

let worker: ms.Worker;
let transport: ms.PlainTransport;
let socket: Socket;
/** The transport-cc feedback the server sent us, in order. */
const feedback: TransportCcFeedback[] = [];

interface TransportCcFeedback {
	baseSequence: number;
	statusCount: number;
}

before(async () => {
	let router: ms.Router;
	({ worker, router } = await opusVp8Router());
	transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
	await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: PAYLOAD_TYPE,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'transport-cc' }],
				},
			],
			headerExtensions: [{ uri: TRANSPORT_CC_URI, id: TRANSPORT_CC_ID }],
			encodings: [{ ssrc: SSRC }],
		},
	});
	socket = await localUdpSocket();
	socket.on('message', (message) => {
		if (isRtcp(message)) feedback.push(...transportCcFeedbackIn(message));
	});
});

after(() => {
	socket.close();
	worker.close();
});

/** Sends packets with transport-wide sequence numbers `from` .. `to - 1`, one every 20 ms. */
async function send(from: number, to: number): Promise<void> {
	for (let sequence = from; sequence < to; sequence++) {
		const packet = withTransportSequence(
			rtpPacket(
				{ payloadType: PAYLOAD_TYPE, ssrc: SSRC, sequence, timestamp: sequence * 1800, marker: true },
				vp8KeyFramePayload(),
			),
			sequence,
		);
		socket.send(packet, transport.tuple.localPort, '127.0.0.1');
		await sleep(PACKET_INTERVAL_MS);
	}
}

test('the packets of an outage are not reported as lost; a lost packet still is', async () => {
	await send(100, 150);
	// One packet lost in passing: 150 is never sent.
	await send(151, 200);
	// The network away for 2 s: 200-299 are numbered but never arrive.
	await sleep(2000);
	await send(300, 350);
	await waitFor('feedback up to the last packet', () => feedback.some((fb) => covers(fb, 349)));

	assert.ok(
		feedback.some((fb) => covers(fb, 150)),
		`a feedback covers the packet lost in passing (150): ${describe(feedback)}`,
	);
	const outage = feedback.filter((fb) => [200, 250, 299].some((sequence) => covers(fb, sequence)));
	assert.deepEqual(outage, [], `no feedback reports the outage's packets: ${describe(feedback)}`);
});

function covers({ baseSequence, statusCount }: TransportCcFeedback, sequence: number): boolean {
	return ((sequence - baseSequence) & 0xffff) < statusCount;
}

function describe(list: readonly TransportCcFeedback[]): string {
	return list.map(({ baseSequence, statusCount }) => `${baseSequence}+${statusCount}`).join(', ');
}

/**
 * `packet` with a one-byte-header extension block (RFC 8285) that carries
 * its transport-wide sequence number.
 */
function withTransportSequence(packet: Buffer, sequence: number): Buffer {
	const extension = Buffer.alloc(8);
	extension.writeUInt16BE(0xbede, 0);
	extension.writeUInt16BE(1, 2); // one 32-bit word of elements
	extension[4] = (TRANSPORT_CC_ID << 4) | 1; // two bytes of data
	extension.writeUInt16BE(sequence & 0xffff, 5);
	const header = Buffer.from(packet.subarray(0, 12));
	header[0] = (header[0] ?? 0) | 0x10; // X bit
	return Buffer.concat([header, extension, packet.subarray(12)]);
}

/** The transport-cc feedback messages (RTPFB, FMT 15) of a compound RTCP packet. */
function transportCcFeedbackIn(message: Buffer): TransportCcFeedback[] {
	const found: TransportCcFeedback[] = [];
	for (let offset = 0; offset + 4 <= message.length; ) {
		const format = (message[offset] ?? 0) & 0x1f;
		const type = message[offset + 1];
		const length = (message.readUInt16BE(offset + 2) + 1) * 4;
		if (type === 205 && format === 15 && offset + 16 <= message.length) {
			found.push({ baseSequence: message.readUInt16BE(offset + 12), statusCount: message.readUInt16BE(offset + 14) });
		}
		offset += length;
	}
	return found;
}
