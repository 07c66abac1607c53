// Our patch to mediasoup's C++ worker that starts a stream's score afresh when
// it comes back from inactivity
// (patches/mediasoup+3.27.1+015+score-starts-afresh-after-inactivity.patch).
// A sender whose network goes away keeps numbering its packets; when the
// network returns, the first sender report used to count the whole gap as
// lost, so the score mediasoup had just reset to 10 fell to 0 again, and a
// simulcast consumer left the layer for another score interval (about a
// second) before it took it again: the resume path's frames came back that
// much later (issue 22's reconnect bench).
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { localUdpSocket, rtpPacket, senderReport, vp8KeyFramePayload } from '../helpers/rtp.ts';
import { waitFor } from '../helpers/waitFor.ts';

const PAYLOAD_TYPE = 96;
// Two encodings: mediasoup checks a stream for inactivity only in simulcast.
const SSRCS = [5001, 5002];
const PACKET_INTERVAL_MS = 20;
const REPORT_EVERY_PACKETS = 10;
// Longer than the worker's 1.5 s inactivity check.
const OUTAGE_MS = 2500;

let worker: ms.Worker;
let transport: ms.PlainTransport;
let producer: ms.Producer;
let socket: Socket;

before(async () => {
	let router: ms.Router;
	({ worker, router } = await opusVp8Router());
	transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
	producer = await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: PAYLOAD_TYPE, clockRate: 90000 }],
			encodings: SSRCS.map((ssrc) => ({ ssrc })),
		},
	});
	socket = await localUdpSocket();
});

after(() => {
	socket.close();
	worker.close();
});

/**
 * Both encodings at 50 packets a second with a sender report every 200 ms,
 * as a browser's simulcast would. While `online` is false, the packets are
 * numbered but never sent: a network that drops everything.
 */
class SimulcastSender {
	online = true;
	#sequence = 1000;
	#sent = 0;
	readonly #timer: NodeJS.Timeout;

	constructor() {
		this.#timer = setInterval(() => this.#tick(), PACKET_INTERVAL_MS);
	}

	stop(): void {
		clearInterval(this.#timer);
	}

	#tick(): void {
		const sequence = this.#sequence++;
		const timestamp = sequence * 1800;
		if (!this.online) return;
		this.#sent++;
		for (const ssrc of SSRCS) {
			this.#send(
				rtpPacket({ payloadType: PAYLOAD_TYPE, ssrc, sequence, timestamp, marker: true }, vp8KeyFramePayload()),
			);
			if (this.#sent % REPORT_EVERY_PACKETS === 0) {
				this.#send(
					senderReport({ ssrc, wallClockMs: Date.now(), rtpTimestamp: timestamp, packets: this.#sent, octets: 0 }),
				);
			}
		}
	}

	#send(message: Buffer): void {
		socket.send(message, transport.tuple.localPort, '127.0.0.1');
	}
}

/** The producer's score of each encoding, as its `score` events give them. */
function scoresOf(event: ms.ProducerScore[]): number[] {
	return SSRCS.map((ssrc) => event.find((score) => score.ssrc === ssrc)?.score ?? -1);
}

test('a stream back from an outage keeps its score: the gap is not counted as loss', async () => {
	const events: number[][] = [];
	producer.on('score', (score) => events.push(scoresOf(score)));
	const sender = new SimulcastSender();
	try {
		await waitFor('both encodings to score 10', () => scoresOf(producer.score).every((score) => score === 10));

		sender.online = false;
		await waitFor('the outage to make both encodings inactive (score 0)', () =>
			scoresOf(producer.score).every((score) => score === 0),
		);
		await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - 1500));

		const back = events.length;
		sender.online = true;
		await waitFor('both encodings to be scored again', () => scoresOf(producer.score).every((score) => score > 0));
		// Ten sender reports of each encoding after the return.
		await new Promise((resolve) => setTimeout(resolve, 10 * REPORT_EVERY_PACKETS * PACKET_INTERVAL_MS));

		const afterReturn = events.slice(back);
		const firstScored = afterReturn.findIndex((scores) => scores.every((score) => score > 0));
		const relapses = afterReturn.slice(firstScored).filter((scores) => scores.some((score) => score === 0));
		assert.deepEqual(relapses, [], `scores after the return: ${JSON.stringify(afterReturn)}`);
		assert.deepEqual(scoresOf(producer.score), [10, 10], 'nothing was lost after the return');
	} finally {
		sender.stop();
	}
});
