// Requests between nodes through their Redis inboxes, against a real
// redis-server: an answer comes back to the asker, a handler's error and an
// unknown method come back as errors, a node that is not there times out, and
// after Redis restarts empty requests work again without restarting the nodes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NodeRequestError, NodeRequests } from '../../server/cluster/NodeRequests.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { connectedStore, log } from './clusterParts.ts';

let redis: RedisServer;

before(async () => {
	redis = await RedisServer.start();
});

after(() => redis.close());

async function node(nodeId: string): Promise<NodeRequests> {
	const requests = new NodeRequests({
		store: await connectedStore(redis.url, nodeId),
		redisUrl: redis.url,
		nodeId,
		log,
	});
	after(async () => {
		requests.close();
		await requests.whenStopped();
	});
	return requests;
}

test('a request is answered by the other node, errors come back as errors', async () => {
	const a = await node('req-a');
	const b = await node('req-b');
	b.handle('add', (data, from) => {
		const { x, y } = data as { x: number; y: number };
		return { sum: x + y, from };
	});
	b.handle('fail', () => {
		throw new Error('no pipe for producer p1');
	});
	await Promise.all([a.whenListening(), b.whenListening()]);
	assert.deepEqual(await a.request('req-b', 'add', { x: 20, y: 22 }), { sum: 42, from: 'req-a' });
	const many = await Promise.all(Array.from({ length: 50 }, (_, i) => a.request('req-b', 'add', { x: i, y: 1 })));
	assert.deepEqual(
		many.map((answer) => (answer as { sum: number }).sum),
		Array.from({ length: 50 }, (_, i) => i + 1),
	);
	await assert.rejects(a.request('req-b', 'fail', {}), (error: Error) => {
		assert.ok(error instanceof NodeRequestError);
		assert.equal(error.message, 'no pipe for producer p1');
		return true;
	});
	await assert.rejects(a.request('req-b', 'nope', {}), /node req-b has no request method nope/);
	await assert.rejects(a.request('req-nobody', 'add', {}, 300), /node req-nobody did not answer add within 300 ms/);
});

test('after Redis restarts empty, requests work again', async () => {
	const a = await node('restart-a');
	const b = await node('restart-b');
	b.handle('ping', () => 'pong');
	await waitFor(
		'answered',
		async () => (await a.request('restart-b', 'ping', null, 500).catch(() => undefined)) === 'pong',
	);
	await redis.restart();
	await waitFor(
		'answered after the restart',
		async () => (await a.request('restart-b', 'ping', null, 500).catch(() => undefined)) === 'pong',
		{ timeoutMs: 10_000 },
	);
});
