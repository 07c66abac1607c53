// When the traffic counters are read from the workers: only when a scrape
// pokes, never while a reading runs, at most every minIntervalMs, and never
// sooner than 20 times what the last reading kept the workers busy after it
// began (so readings take at most 5% of the time, however many objects a
// server has); and how a reading spreads its requests.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import type { WorkerPool } from '../../server/media/WorkerPool.ts';
import { MediaTracker } from '../../server/metrics/MediaTracker.ts';
import { DUTY_FACTOR, SPREAD_SHARE, TrafficSampler } from '../../server/metrics/TrafficSampler.ts';

let worker: types.Worker;
let tracker: MediaTracker;

before(async () => {
	worker = await mediasoup.createWorker({ logLevel: 'none' });
	// The pool as the tracker sees it: its live workers and its replacement events.
	const pool = Object.assign(new EventEmitter(), { workers: [{ index: 0, worker }] }) as unknown as WorkerPool;
	tracker = new MediaTracker(pool, { iceDisconnected() {}, iceFailed() {}, dtlsFailed() {} });
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	const listenInfo = { protocol: 'udp', ip: '127.0.0.1' } as const;
	const sender = await router.createPlainTransport({ listenInfo, comedia: true });
	const producer = await sender.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [{ mimeType: 'audio/opus', payloadType: 101, clockRate: 48000, channels: 2 }],
			encodings: [{ ssrc: 1111 }],
		},
	});
	for (let index = 0; index < 20; index++) {
		const receiver = await router.createPlainTransport({ listenInfo, comedia: true });
		for (let copy = 0; copy < 10; copy++) {
			await receiver.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
		}
	}
});

after(() => {
	tracker.close();
	worker.close();
});

test('a reading starts on a poke, reads every object, and the next waits 20 times its busy time', async () => {
	const scores: number[] = [];
	const sampler = new TrafficSampler(tracker, 0, (score) => scores.push(score));
	try {
		assert.equal(sampler.samples, 0, 'nothing is read until someone scrapes');
		sampler.poke();
		sampler.poke(); // while it runs: no second reading
		await sampler.settled();
		assert.equal(sampler.samples, 1);
		const last = sampler.last;
		assert.ok(last);
		assert.equal(last.objects, 21 + 1 + 200, 'the transports, the producer and the consumers');
		assert.equal(scores.length, 200, 'a score per consumer of a plain transport');
		const startedAt = performance.now() - last.durationMs;
		assert.ok(last.busyMs <= last.durationMs + 1, `busy ${last.busyMs} ms within the ${last.durationMs} ms it lasted`);

		sampler.poke();
		await sampler.settled();
		assert.equal(sampler.samples, 1, 'too soon after the last reading: none');

		await sleep(Math.max(0, startedAt + DUTY_FACTOR * last.busyMs - performance.now()) + 20);
		sampler.poke();
		await sampler.settled();
		assert.equal(sampler.samples, 2, 'once 20 times its duration passed, the next one');
	} finally {
		sampler.close();
	}
});

test('minIntervalMs holds back readings however short they are', async () => {
	// Its reading lasts 1.5 s (three pauses of 0.5 s): the next poke comes before the 4 s are over.
	const sampler = new TrafficSampler(tracker, 4000, () => {});
	try {
		sampler.poke();
		await sampler.settled();
		const busyMs = sampler.last?.busyMs ?? 0;
		await sleep(DUTY_FACTOR * busyMs + 20);
		sampler.poke();
		await sampler.settled();
		assert.equal(sampler.samples, 1);
	} finally {
		sampler.close();
	}
});

test('a reading spreads its batches over half the interval: the workers never answer it in one burst', async () => {
	// 222 objects: 4 batches of at most 100 (transports, the producer, consumers twice).
	const minIntervalMs = 2000;
	const sampler = new TrafficSampler(tracker, minIntervalMs, () => {});
	try {
		sampler.poke();
		await sampler.settled();
		const last = sampler.last;
		assert.ok(last);
		assert.equal(last.objects, 222);
		// Three pauses of a quarter of the spread each.
		const pausesMs = (3 / 4) * minIntervalMs * SPREAD_SHARE;
		assert.ok(
			last.durationMs >= pausesMs,
			`the reading lasted ${last.durationMs} ms, at least its pauses' ${pausesMs}`,
		);
		assert.ok(
			last.durationMs - last.busyMs >= pausesMs - 5,
			`busy ${last.busyMs} ms of ${last.durationMs}: the rest was pauses`,
		);
	} finally {
		sampler.close();
	}
});

test('closing a sampler stops its reading at the next batch', async () => {
	// A pause of 7.5 s between batches (60 s spread over half, 4 batches).
	const sampler = new TrafficSampler(tracker, 60_000, () => {});
	sampler.poke();
	const closedAt = performance.now();
	sampler.close();
	await sampler.settled();
	const waitedMs = performance.now() - closedAt;
	assert.ok(waitedMs < 2000, `the reading ended ${waitedMs} ms after the close, without its pauses`);
	assert.equal(sampler.samples, 0, 'and it counts for nothing');
});
