// The node registry against a real redis-server: nodes list each other with
// their addresses and load, a SIGKILLed node is gone within its lease, a node
// that closes is gone at once, and after Redis restarts empty every node is
// back by itself.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startNode } from '../helpers/nodeProcess.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { connectedStore, description, LEASE_MS, registry } from './clusterParts.ts';

let redis: RedisServer;

before(async () => {
	redis = await RedisServer.start();
});

after(() => redis.close());

const ids = async (registryOf: ReturnType<typeof registry>) => (await registryOf.list()).map((node) => node.record.id);

test('each node lists every live node with its addresses, workers, load and lease', async () => {
	const a = registry(await connectedStore(redis.url, 'list-a'), 'list-a', 0);
	const b = registry(await connectedStore(redis.url, 'list-b'), 'list-b', 1);
	await waitFor('both registered', () => a.registered && b.registered);

	const seenByA = await a.list();
	const nodeB = seenByA.find((node) => node.record.id === 'list-b');
	assert.ok(nodeB, 'A sees B');
	assert.deepEqual({ ...nodeB.record, startedAt: 0 }, { ...description('list-b', 1), id: 'list-b', startedAt: 0 });
	assert.ok(nodeB.leaseMsLeft > 0 && nodeB.leaseMsLeft <= LEASE_MS, `lease left ${nodeB.leaseMsLeft}`);
	assert.deepEqual(
		(await b.list()).map((node) => node.record.id).filter((id) => id.startsWith('list-')),
		['list-a', 'list-b'],
	);
	a.close();
	b.close();
	await Promise.all([a.whenLeft(), b.whenLeft()]);
});

test('a heartbeat carries what the node says now (load, draining)', async () => {
	let draining = false;
	const node = registry(await connectedStore(redis.url, 'drain-a'), 'drain-a', 2, () => ({
		...description('drain-a', 2),
		draining,
	}));
	await waitFor('registered', () => node.registered);
	draining = true;
	assert.equal(await node.heartbeat(), true);
	const listed = (await node.list()).find((entry) => entry.record.id === 'drain-a');
	assert.equal(listed?.record.draining, true);
	node.close();
	await node.whenLeft();
});

test('a node that closes is gone at once; one SIGKILLed is gone within its lease', async (t) => {
	const observer = registry(await connectedStore(redis.url, 'observer'), 'observer', 3);
	const child = startNode([path.join(import.meta.dirname, 'registeredNode.ts')], {
		REDIS_URL: redis.url,
		NODE_ID: 'doomed',
	});
	t.after(() => child.child.kill('SIGKILL'));
	await waitFor('the child registered', () => child.output().includes('registered'), { timeoutMs: 15_000 });
	assert.ok((await ids(observer)).includes('doomed'));

	child.child.kill('SIGKILL');
	const killedAt = performance.now();
	await waitFor('the killed node gone', async () => !(await ids(observer)).includes('doomed'), {
		timeoutMs: LEASE_MS * 3,
		intervalMs: 20,
	});
	const goneAfter = performance.now() - killedAt;
	assert.ok(goneAfter <= LEASE_MS + 100, `gone after ${Math.round(goneAfter)} ms, lease ${LEASE_MS} ms`);

	const quitter = registry(await connectedStore(redis.url, 'quitter'), 'quitter', 4);
	await waitFor('registered', () => quitter.registered);
	assert.ok((await ids(observer)).includes('quitter'));
	quitter.close();
	await quitter.whenLeft();
	assert.ok(!(await ids(observer)).includes('quitter'), 'gone without waiting for its lease');
	observer.close();
	await observer.whenLeft();
});

test('Redis restarted empty: nodes stay up, see it unreachable, and register again when it is back', async () => {
	const storeA = await connectedStore(redis.url, 'restart-a');
	const storeB = await connectedStore(redis.url, 'restart-b');
	const a = registry(storeA, 'restart-a', 5);
	const b = registry(storeB, 'restart-b', 6);
	await waitFor('both registered', () => a.registered && b.registered);

	await redis.stop();
	await waitFor('unreachable seen', () => !storeA.reachable && !storeB.reachable);
	assert.equal(await a.heartbeat(), false, 'a heartbeat without Redis fails without throwing');
	await assert.rejects(a.list());

	await redis.start();
	await waitFor('reachable again', () => storeA.reachable && storeB.reachable, { timeoutMs: 10_000 });
	await waitFor('both back in the registry', async () => {
		const listed = await a.list().catch(() => []);
		const found = listed.map((node) => node.record.id);
		return found.includes('restart-a') && found.includes('restart-b');
	});
	a.close();
	b.close();
	await Promise.all([a.whenLeft(), b.whenLeft()]);
});
