// transportConsumers() reads the Map each mediasoup transport keeps of its
// consumers; Participant and RoomRouter rely on it instead of a close
// listener per consumer. It must hold exactly the live consumers, whichever
// way one closes: these run on a real worker, so a mediasoup upgrade that
// changes the Map shows here.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import { transportConsumers } from '../../server/media/transportConsumers.ts';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { plainVp8Producer } from '../helpers/plainVp8Producer.ts';

let worker: ms.Worker;
let router: ms.Router;

before(async () => {
	({ worker, router } = await opusVp8Router());
});

after(() => worker.close());

async function consumersOf(producer: ms.Producer, transport: ms.Transport, count: number): Promise<ms.Consumer[]> {
	const made: ms.Consumer[] = [];
	for (let i = 0; i < count; i++) {
		made.push(await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }));
	}
	return made;
}

const ids = (transport: ms.Transport) => [...transportConsumers(transport).keys()].sort();

test("a transport's consumers: each closed one leaves, by itself, with its producer, or with the transport", async () => {
	const first = await plainVp8Producer(router);
	const second = await plainVp8Producer(router);
	const receiving = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const [a, b] = await consumersOf(first.producer, receiving, 2);
	const [c] = await consumersOf(second.producer, receiving, 1);
	assert.ok(a && b && c);
	assert.deepEqual(ids(receiving), [a.id, b.id, c.id].sort());
	assert.equal(transportConsumers(receiving).get(b.id), b);

	a.close();
	assert.deepEqual(ids(receiving), [b.id, c.id].sort());

	// The worker tells the consumer its producer closed, a moment later.
	const producerClosed = once(c, 'producerclose');
	second.producer.close();
	await producerClosed;
	assert.equal(c.closed, true);
	assert.deepEqual(ids(receiving), [b.id]);

	receiving.close();
	assert.equal(b.closed, true);
	assert.deepEqual(ids(receiving), []);
	first.transport.close();
	second.transport.close();
});

test('when the router closes, its transports are left with no consumers', async () => {
	const other = await worker.createRouter({
		mediaCodecs: router.rtpCapabilities.codecs?.filter((c) => c.mimeType === 'video/VP8'),
	});
	const { producer } = await plainVp8Producer(other);
	const receiving = await other.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const consumer = await receiving.consume({ producerId: producer.id, rtpCapabilities: other.rtpCapabilities });
	assert.equal(transportConsumers(receiving).size, 1);
	other.close();
	assert.equal(consumer.closed, true);
	assert.equal(transportConsumers(receiving).size, 0);
});

test('an object without mediasoup’s consumers Map is refused, naming it', () => {
	const notATransport = { constructor: { name: 'FakeTransport' } } as unknown as ms.Transport;
	assert.throws(() => transportConsumers(notATransport), /FakeTransport has no consumers Map: mediasoup changed/);
});
