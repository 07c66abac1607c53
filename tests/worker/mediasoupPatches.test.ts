// Our patches to mediasoup (patches/mediasoup+*.patch): the set-up applied
// them all, the worker's too. Of the Node layer's: the patched clone() copies
// as structuredClone() does, the corked channel delivers a burst of requests
// larger than a pipe holds, consumers of one producer share the RTP
// parameters they have in common, a transport's one listener for its
// consumers forgets each as it closes, an emitter's listener table finds
// listeners by their exact name only, and a consumer costs Node's heap what
// the patches say.
// (mediasoup's own suite, `npm run test:worker`, also runs on the patched layer.)
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { types as ms } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { missingPatches, patchedPackages } from '../../scripts/checkPatches.ts';
import { forwardConsumerEvents, type PeerConsumer } from '../../server/room/PeerConsumer.ts';
import { deepFreeze } from '../../server/signaling/deepFreeze.ts';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { plainVp8Producer } from '../helpers/plainVp8Producer.ts';
import { feedbackNames, feedbackTypes, vp8Consumers, withoutTransportCc } from '../helpers/vp8Consumers.ts';

const require = createRequire(import.meta.url);
// mediasoup's exports map hides its files; its main is node/lib/index.js.
const mediasoupDir = path.resolve(path.dirname(require.resolve('mediasoup')), '..', '..');
const { clone } = require(path.join(mediasoupDir, 'node/lib/utils.js')) as { clone: <T>(value: T) => T };

test('the set-up applied every patch of patches/ for mediasoup to node_modules/mediasoup', () => {
	const mediasoupPatches = patchedPackages().find((pkg) => pkg.name === 'mediasoup');
	assert.ok(mediasoupPatches);
	assert.equal(mediasoupPatches.patches.length, 17, 'ten to the worker, seven to the Node layer');
	assert.deepEqual(missingPatches(mediasoupPatches), []);
});

test('the patched clone() gives what structuredClone() gives, as an independent copy', () => {
	const rtpParameters = {
		mid: '1',
		codecs: [
			{
				mimeType: 'video/VP8',
				payloadType: 101,
				clockRate: 90000,
				parameters: {},
				rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
			},
		],
		headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} }],
		encodings: [{ ssrc: 1234, rtx: { ssrc: 5678 }, dtx: undefined }],
		rtcp: { cname: 'x', reducedSize: true },
	};
	const cyclic: Record<string, unknown> = { name: 'cycle' };
	cyclic.self = cyclic;
	const values: unknown[] = [
		rtpParameters,
		{ score: 10, producerScores: [10, 9, null], nested: [[1, [2, [3]]]] },
		// JSON.parse makes "__proto__" an own key; a copy must not turn it into a prototype.
		JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
		// biome-ignore lint/suspicious/noSparseArray: the hole is what is tested.
		[1, , 3],
		new Map([['a', { b: 1 }]]),
		cyclic,
		'text',
		0,
		null,
		Number.NaN,
		undefined,
	];
	for (const value of values) {
		const copy = clone(value);
		assert.deepStrictEqual(copy, structuredClone(value));
		if (typeof value === 'object' && value !== null) assert.notEqual(copy, value, 'a new object');
	}

	const copy = clone(rtpParameters);
	const [codec] = copy.codecs;
	const [feedback] = codec?.rtcpFeedback ?? [];
	assert.ok(feedback);
	feedback.parameter = 'changed';
	assert.equal(rtpParameters.codecs[0]?.rtcpFeedback[0]?.parameter, 'pli', 'nested objects are not shared');
	assert.ok('dtx' in (copy.encodings[0] ?? {}), 'undefined values stay, as with structuredClone');
	const proto = clone(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
	assert.equal(Object.getPrototypeOf(proto), Object.prototype);
	assert.equal(proto.polluted, undefined);
	assert.throws(() => clone({ run() {} }), { name: 'DataCloneError' }, 'a function still cannot be cloned');
});

let worker: ms.Worker;
let router: ms.Router;

before(async () => {
	({ worker, router } = await opusVp8Router());
});

after(() => worker.close());

test('consumers of one producer with the same capabilities share codecs, each still sees its own parameters', async () => {
	const { consume, close } = await vp8Consumers(router);
	const withTcc = router.rtpCapabilities;
	const [a, b, c] = await Promise.all([consume(withTcc), consume(withTcc), consume(withoutTransportCc(withTcc))]);
	assert.ok(a && b && c);
	assert.ok(feedbackTypes(a)?.includes('transport-cc') && !feedbackTypes(a)?.includes('goog-remb'));
	assert.ok(
		feedbackTypes(c)?.includes('goog-remb') && !feedbackTypes(c)?.includes('transport-cc'),
		'not given the other set',
	);
	assert.deepEqual(a.rtpParameters.codecs, b.rtpParameters.codecs);
	assert.deepEqual(a.rtpParameters.headerExtensions, b.rtpParameters.headerExtensions);
	assert.notEqual(a.rtpParameters.encodings?.[0]?.ssrc, b.rtpParameters.encodings?.[0]?.ssrc, 'own SSRCs');
	assert.notEqual(a.rtpParameters.mid, b.rtpParameters.mid, 'own MIDs');

	// The getter hands out a copy anyone may change, as before.
	const copy = a.rtpParameters;
	const [codec] = copy.codecs;
	assert.ok(codec);
	codec.payloadType = 1;
	copy.headerExtensions?.pop();
	assert.notEqual(a.rtpParameters.codecs[0]?.payloadType, 1);
	assert.notEqual(b.rtpParameters.codecs[0]?.payloadType, 1);
	assert.deepEqual(a.rtpParameters.headerExtensions, b.rtpParameters.headerExtensions);
	assert.equal((await a.dump()).rtpParameters.codecs[0]?.payloadType, b.rtpParameters.codecs[0]?.payloadType);
	close();
});

test('consumers of devices with many different capabilities each get what their capabilities allow', async () => {
	// More different sets than the patch shares per producer (8): the later ones keep their own.
	const { transport: sending, producer } = await plainVp8Producer(router);
	const receiving = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const all = router.rtpCapabilities;
	const full = await receiving.consume({ producerId: producer.id, rtpCapabilities: all, paused: true });
	// The producer's extensions a consumer may get; each variant drops some of them.
	const videoUris = (full.rtpParameters.headerExtensions ?? []).map((ext) => ext.uri);
	const variants: { caps: ms.RtpCapabilities; uris: string[]; feedback: string[] }[] = [];
	for (let dropped = 0; dropped <= videoUris.length; dropped++) {
		for (const withFir of [true, false]) {
			const uris = videoUris.slice(dropped);
			const droppedUris = videoUris.slice(0, dropped);
			const codecs = (all.codecs ?? []).map((codec) => ({
				...codec,
				rtcpFeedback: codec.rtcpFeedback?.filter((fb) => withFir || fb.type !== 'ccm'),
			}));
			const headerExtensions = all.headerExtensions?.filter((ext) => !droppedUris.includes(ext.uri));
			const vp8 = codecs.find((codec) => codec.mimeType === 'video/VP8');
			variants.push({ caps: { codecs, headerExtensions }, uris, feedback: feedbackNames(vp8?.rtcpFeedback) });
		}
	}
	assert.ok(variants.length > 8, `${variants.length} different capabilities`);
	for (const variant of variants) {
		const consumer = await receiving.consume({ producerId: producer.id, rtpCapabilities: variant.caps, paused: true });
		const { codecs, headerExtensions = [] } = consumer.rtpParameters;
		assert.deepEqual(
			headerExtensions.map((ext) => ext.uri),
			variant.uris,
		);
		const got = feedbackNames(codecs[0]?.rtcpFeedback);
		// mediasoup keeps transport-cc or REMB, whichever the header extensions allow.
		const expected = variant.feedback.filter((fb) =>
			variant.uris.some((uri) => uri.includes('transport-wide-cc'))
				? fb !== 'goog-remb'
				: variant.uris.some((uri) => uri.includes('abs-send-time'))
					? fb !== 'transport-cc'
					: fb !== 'goog-remb' && fb !== 'transport-cc',
		);
		assert.deepEqual(got, expected, `feedback with ${variant.uris.length} extensions`);
	}
	sending.close();
	receiving.close();
});

test('consume() validates frozen capabilities once, others on every call, and leaves the producer as it was', async () => {
	// Patch 011: a frozen capabilities object is normalized once; the producer's parameters are read, not copied.
	const ortc = require(path.join(mediasoupDir, 'node/lib/ortc.js')) as Record<string, (...args: unknown[]) => unknown>;
	const validate = ortc.validateAndNormalizeRtpCapabilities;
	assert.ok(validate);
	let validations = 0;
	ortc.validateAndNormalizeRtpCapabilities = (...args: unknown[]) => {
		validations++;
		return validate(...args);
	};
	const { producer, consume, close } = await vp8Consumers(router);
	const consumable = producer.consumableRtpParameters;
	try {
		const frozen = deepFreeze(structuredClone(router.rtpCapabilities));
		const fromFrozen = [await consume(frozen), await consume(frozen), await consume(frozen)];
		assert.equal(validations, 1, 'a frozen object is validated once');
		const open = structuredClone(router.rtpCapabilities);
		const fromOpen = await consume(open);
		assert.deepEqual(fromOpen.rtpParameters.codecs, fromFrozen[0]?.rtpParameters.codecs, 'the same result');
		assert.deepEqual(fromOpen.rtpParameters.headerExtensions, fromFrozen[2]?.rtpParameters.headerExtensions);
		assert.ok(feedbackTypes(fromOpen)?.includes('transport-cc'));
		// An object that is not frozen may change between calls, and each call sees it as it is.
		open.headerExtensions = withoutTransportCc(open).headerExtensions;
		const changed = await consume(open);
		assert.ok(feedbackTypes(changed)?.includes('goog-remb') && !feedbackTypes(changed)?.includes('transport-cc'));
		assert.equal(validations, 3, 'validated on every call');
		// Frozen capabilities mediasoup refuses are refused on every call, not remembered as good.
		const refused = deepFreeze({ codecs: [{ kind: 'video', mimeType: 'video/VP8' }] }) as ms.RtpCapabilities;
		for (let call = 0; call < 2; call++) await assert.rejects(consume(refused), TypeError);
		// The producer's own parameters, now read in place, are as they were, also after a consumer's copy changed.
		const copy = fromFrozen[0]?.rtpParameters;
		copy?.headerExtensions?.pop();
		if (copy?.codecs[0]) copy.codecs[0].payloadType = 1;
		assert.deepEqual(producer.consumableRtpParameters, consumable);
	} finally {
		ortc.validateAndNormalizeRtpCapabilities = validate;
		close();
	}
});

test('a transport forgets its consumers when they close or lose their producer', async () => {
	// Patch 010 gives a transport one listener for all its consumers.
	const { transport: sending, producer } = await plainVp8Producer(router);
	const receiving = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const consumersOf = (transport: ms.Transport) => Reflect.get(transport, 'consumers') as Map<string, ms.Consumer>;
	const consume = () => receiving.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const [closed, orphaned] = await Promise.all([consume(), consume()]);
	const other = await plainVp8Producer(router);
	const kept = await receiving.consume({ producerId: other.producer.id, rtpCapabilities: router.rtpCapabilities });
	assert.equal(consumersOf(receiving).size, 3);
	closed.close();
	assert.deepEqual([...consumersOf(receiving).keys()].sort(), [orphaned.id, kept.id].sort());
	const producerClosed = new Promise<void>((resolve) => orphaned.once('producerclose', resolve));
	sending.close();
	await producerClosed;
	assert.deepEqual([...consumersOf(receiving).keys()], [kept.id], 'only the consumer whose producer lives');
	assert.deepEqual((await receiving.dump()).consumerIds, [kept.id]);
	other.transport.close();
	receiving.close();
});

test("an emitter's listeners are its own and found by their exact name only", async () => {
	// Patch 012 keeps them in an object whose prototype has no properties:
	// names that Object.prototype has must find nothing.
	const { transport, producer } = await plainVp8Producer(router);
	const other = await plainVp8Producer(router);
	const heard: string[] = [];
	const names = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'score'];
	const emitter = producer as unknown as NodeJS.EventEmitter;
	const before = emitter.eventNames();
	for (const name of names) assert.equal(emitter.emit(name), false, `no listener for "${name}" yet`);
	const listeners = new Map(names.map((name) => [name, () => heard.push(name)]));
	for (const [name, listener] of listeners) emitter.on(name, listener);
	for (const name of names) assert.equal(emitter.emit(name), true);
	assert.deepEqual(heard, names);
	const otherNames = (other.producer as unknown as NodeJS.EventEmitter).eventNames();
	assert.deepEqual(
		otherNames.filter((name) => names.includes(String(name))),
		[],
		'another producer hears none',
	);
	for (const name of ['__proto__', 'toString']) emitter.off(name, listeners.get(name) ?? assert.fail());
	assert.equal(emitter.emit('__proto__'), false);
	assert.equal(emitter.listenerCount('toString'), 0);
	assert.deepEqual(emitter.eventNames(), [...before, 'constructor', 'hasOwnProperty', 'score']);
	// mediasoup's own events still reach the listeners.
	const paused = new Promise<void>((resolve) => producer.observer.once('pause', resolve));
	await producer.pause();
	await paused;
	transport.close();
	other.transport.close();
});

test("10,000 consumers of one producer, with the room's listeners, cost Node's heap under 1.5 KB each", async () => {
	// 1.35-1.40 KB here; 1.42-1.47 without patch 013. The room used to add two
	// close listeners to each consumer's observer, about 165 bytes more. With
	// those, 2.0 KB with 3,000 consumers, and 2.5-2.7 KB without patch 012
	// (listener tables in dictionary mode). Before 009 and 010, each consumer
	// also held its own copy of the codecs and header extensions (4.4 KB
	// without the room's listeners).
	v8.setFlagsFromString('--expose-gc');
	const gc = vm.runInNewContext('gc') as () => void;
	const { transport: sending, producer } = await plainVp8Producer(router);
	const receiving = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const count = 10_000;
	gc();
	const before = process.memoryUsage().heapUsed;
	const consumers: ms.Consumer[] = [];
	while (consumers.length < count) {
		const batch = Array.from({ length: 500 }, () =>
			receiving.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true }),
		);
		consumers.push(...(await Promise.all(batch)));
	}
	// What the room adds to each consumer (server/room/PeerConsumer.ts): five
	// events, the same functions for all. Participant and RoomRouter find
	// consumers through their transports and add nothing.
	for (const consumer of consumers) forwardConsumerEvents(consumer as PeerConsumer);
	gc();
	const perConsumer = (process.memoryUsage().heapUsed - before) / count;
	assert.equal(receiving.closed, false);
	assert.equal(new Set(consumers.map((consumer) => consumer.id)).size, count);
	assert.ok(perConsumer < 1500, `${perConsumer.toFixed(0)} bytes of heap per consumer`);
	sending.close();
	receiving.close();
});

test("600 consume() requests issued in one tick, far more than a pipe's 64 KB, are all answered", async () => {
	const { producer } = await plainVp8Producer(router);
	const receiving = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });

	const consumers = await Promise.all(
		Array.from({ length: 600 }, () =>
			receiving.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true }),
		),
	);
	assert.equal(new Set(consumers.map((consumer) => consumer.id)).size, 600);
	await Promise.all(consumers.map((consumer) => consumer.resume()));
	assert.ok(consumers.every((consumer) => !consumer.paused));

	const dump = await receiving.dump();
	assert.equal(dump.consumerIds.length, 600, 'the worker holds every consumer');
	router.close();
	const after = await worker.dump();
	assert.deepEqual(after.routerIds, [], 'nothing left in the worker');
});

test('a worker closed in the same tick as requests rejects them and its process exits', async () => {
	const other = await mediasoup.createWorker({ logLevel: 'warn' });
	const died: Error[] = [];
	other.on('died', (error) => died.push(error));
	const exited = new Promise<void>((resolve) => other.on('subprocessclose', () => resolve()));
	const pending = Array.from({ length: 50 }, () => other.getResourceUsage());
	other.close();
	const results = await Promise.allSettled(pending);
	assert.ok(
		results.every((result) => result.status === 'rejected'),
		'requests of a closed worker are rejected',
	);
	await exited;
	assert.deepEqual(died, [], 'a close, not a death');
});
