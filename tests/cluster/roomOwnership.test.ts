// A room's coordination has one owner at a time, against a real redis-server:
// two contenders, exactly one wins; when the winner is cut off from Redis
// (a frozen TCP link: a partition, not a polite close) it stops believing it
// owns the room before the other can take it, the other takes it with a
// higher fencing token, and the old owner's renewals are refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RoomOwnership } from '../../server/cluster/RoomOwnership.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { TcpProxy } from '../helpers/TcpProxy.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { connectedStore, directory, LEASE_MS, log } from './clusterParts.ts';

let redis: RedisServer;

before(async () => {
	redis = await RedisServer.start();
});

after(() => redis.close());

test('two contenders at once: exactly one owns the room; release lets the other in with a higher token', async () => {
	const a = directory(await connectedStore(redis.url, 'own-a'));
	const b = directory(await connectedStore(redis.url, 'own-b'));
	const [first, second] = await Promise.all([
		RoomOwnership.acquire(a, 'contested', 'own-a', log),
		RoomOwnership.acquire(b, 'contested', 'own-b', log),
	]);
	const won = [first, second].filter((result) => result instanceof RoomOwnership);
	assert.equal(won.length, 1, 'exactly one winner');
	const winner = won[0] as RoomOwnership;
	const loser = [first, second].find((result) => !(result instanceof RoomOwnership));
	assert.ok(loser && !(loser instanceof RoomOwnership));
	assert.deepEqual(loser.owner && { nodeId: loser.owner.nodeId, token: loser.owner.token }, {
		nodeId: winner.nodeId,
		token: winner.token,
	});
	assert.ok(winner.valid);
	assert.deepEqual(await a.owner('contested').then((owner) => owner?.nodeId), winner.nodeId);

	winner.close();
	await winner.whenReleased();
	assert.equal(await a.owner('contested'), undefined, 'released at once, not after the lease');
	const other = winner.nodeId === 'own-a' ? { dir: b, id: 'own-b' } : { dir: a, id: 'own-a' };
	const next = await RoomOwnership.acquire(other.dir, 'contested', other.id, log);
	assert.ok(next instanceof RoomOwnership);
	assert.ok(next.token > winner.token, `token ${next.token} > ${winner.token}`);
	next.close();
	await next.whenReleased();
});

test('an owner renews its lease for as long as it holds the room', async () => {
	const a = directory(await connectedStore(redis.url, 'renew-a'));
	const owner = await RoomOwnership.acquire(a, 'long-meeting', 'renew-a', log);
	assert.ok(owner instanceof RoomOwnership);
	await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2.5));
	assert.ok(owner.valid, 'still valid after 2.5 leases');
	const held = await a.owner('long-meeting');
	assert.equal(held?.token, owner.token);
	assert.ok((held?.leaseMsLeft ?? 0) > LEASE_MS / 3, `lease left ${held?.leaseMsLeft}`);
	owner.close();
	await owner.whenReleased();
});

test('partitioned owner: it stops believing before the other takes over with a higher token; its renewals are refused', async (t) => {
	const proxy = await TcpProxy.start({ host: redis.host, port: redis.port });
	t.after(() => proxy.close());
	const a = directory(await connectedStore(`redis://127.0.0.1:${proxy.port}`, 'part-a', 200));
	const b = directory(await connectedStore(redis.url, 'part-b'));

	const owner = await RoomOwnership.acquire(a, 'split', 'part-a', log);
	assert.ok(owner instanceof RoomOwnership);
	let lostAt: number | undefined;
	owner.observer.once('lost', () => {
		lostAt = performance.now();
	});

	proxy.freeze();
	const frozenAt = performance.now();
	let takeover: RoomOwnership | undefined;
	let validWhenTakenOver: boolean | undefined;
	await waitFor(
		'B takes the room over',
		async () => {
			const result = await RoomOwnership.acquire(b, 'split', 'part-b', log);
			if (!(result instanceof RoomOwnership)) return false;
			validWhenTakenOver = owner.valid;
			takeover = result;
			return true;
		},
		{ timeoutMs: LEASE_MS * 4, intervalMs: 20 },
	);
	assert.ok(takeover);
	t.after(() => takeover?.close());
	assert.equal(validWhenTakenOver, false, 'A no longer believed it owned the room when B got it');
	assert.ok(lostAt !== undefined && lostAt - frozenAt <= LEASE_MS, 'A was told it lost the room within its lease');
	assert.equal(owner.closed, true);
	assert.ok(takeover.token > owner.token, `fencing token ${takeover.token} > ${owner.token}`);

	proxy.restore();
	const storeA = directory(await connectedStore(`redis://127.0.0.1:${proxy.port}`, 'part-a2'));
	assert.equal(
		await storeA.renewOwnership('split', 'part-a', owner.token),
		false,
		"the old owner's renewal is refused",
	);
	assert.equal(await storeA.releaseOwnership('split', 'part-a', owner.token), false, 'and so is its release');
	assert.equal((await b.owner('split'))?.token, takeover.token, 'B still owns it');
	assert.ok(takeover.valid);
});

test('fencing tokens keep growing across a Redis that restarted empty', async () => {
	const store = await connectedStore(redis.url, 'fence-a');
	const a = directory(store);
	const before = await RoomOwnership.acquire(a, 'fenced', 'fence-a', log);
	assert.ok(before instanceof RoomOwnership);
	await redis.restart();
	await waitFor('reachable again', () => store.reachable, { timeoutMs: 10_000 });
	const afterRestart = await RoomOwnership.acquire(a, 'fenced', 'fence-a', log);
	assert.ok(afterRestart instanceof RoomOwnership, 'the old lease went with the restart');
	assert.ok(afterRestart.token > before.token, `${afterRestart.token} > ${before.token}`);
	before.close();
	afterRestart.close();
	await afterRestart.whenReleased();
});
