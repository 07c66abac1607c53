// Our patch to mediasoup's C++ worker that shares the parsed codecs and header
// extensions of equal RTP parameters (patches/
// mediasoup+3.27.1+004+share-parsed-rtp-parameters.patch): in the worker, each consumer still
// has the codecs, RTCP feedback and header extensions its own capabilities
// allow, next to consumers of the same producer with other capabilities, and
// after every consumer that shared a list has closed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { feedbackNames, vp8Consumers, withoutTransportCc } from '../helpers/vp8Consumers.ts';

let worker: ms.Worker;
let router: ms.Router;

before(async () => {
	({ worker, router } = await opusVp8Router());
});

after(() => worker.close());

/** What both sides must agree on: codecs with their feedback, and header extensions. */
function summary(rtpParameters: ms.RtpParameters): string[] {
	const codecs = rtpParameters.codecs.map((codec) => {
		const feedback = feedbackNames(codec.rtcpFeedback).join(', ');
		return `${codec.mimeType}/${codec.payloadType} ${JSON.stringify(codec.parameters ?? {})} [${feedback}]`;
	});
	const extensions = (rtpParameters.headerExtensions ?? []).map((ext) => `${ext.id} ${ext.uri}`);
	return [...codecs, ...extensions];
}

/** The consumer's parameters as the worker holds them, and as mediasoup's Node layer gave them. */
async function workerAndNode(consumer: ms.Consumer): Promise<{ inWorker: string[]; inNode: string[] }> {
	const dump = await consumer.dump();
	return { inWorker: summary(dump.rtpParameters), inNode: summary(consumer.rtpParameters) };
}

test('consumers with different capabilities each keep their own codecs and header extensions in the worker', async () => {
	const { consume, close } = await vp8Consumers(router);
	const withTcc = router.rtpCapabilities;
	const withoutTcc = withoutTransportCc(withTcc);
	try {
		const shared = [await consume(withTcc), await consume(withTcc)];
		const other = await consume(withoutTcc);
		const sides = await Promise.all([...shared, other].map(workerAndNode));
		for (const { inWorker, inNode } of sides) assert.deepEqual(inWorker, inNode);
		assert.deepEqual(sides[0]?.inWorker, sides[1]?.inWorker, 'the same capabilities give the same parameters');
		assert.notDeepEqual(sides[2]?.inWorker, sides[0]?.inWorker, 'other capabilities give others');
		assert.ok(sides[2]?.inWorker.some((line) => line.includes('goog-remb')));
		assert.ok(!sides[2]?.inWorker.some((line) => line.includes('transport-wide-cc')));

		// Once every holder of a list is gone, the next consumer parses and keeps its own again.
		for (const consumer of shared) consumer.close();
		const later = await consume(withTcc);
		const { inWorker, inNode } = await workerAndNode(later);
		assert.deepEqual(inWorker, inNode);
		assert.deepEqual(inWorker, sides[0]?.inWorker);
		assert.deepEqual((await workerAndNode(other)).inWorker, sides[2]?.inWorker, 'the other one is untouched');
	} finally {
		close();
	}
});

test('producers with different codec parameters each keep their own in the worker', async () => {
	// Opus producers whose codecs differ only in their parameters must not be taken for equal.
	const sending = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const produce = (ssrc: number, parameters: Record<string, number>) =>
		sending.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters }],
				encodings: [{ ssrc }],
			},
		});
	try {
		const mono = await produce(3001, { useinbandfec: 1, stereo: 0 });
		const stereo = await produce(3002, { useinbandfec: 1, stereo: 1 });
		const again = await produce(3003, { useinbandfec: 1, stereo: 0 });
		const parameters = async (producer: ms.Producer) => (await producer.dump()).rtpParameters.codecs[0]?.parameters;
		assert.deepEqual(await parameters(mono), { useinbandfec: 1, stereo: 0 });
		assert.deepEqual(await parameters(stereo), { useinbandfec: 1, stereo: 1 });
		assert.deepEqual(await parameters(again), { useinbandfec: 1, stereo: 0 });
	} finally {
		sending.close();
	}
});
