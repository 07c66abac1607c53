// Many nodes' worth of churn on the room directory, against a real
// redis-server: 200 acquire/hold/release cycles at once over 3 connections
// and a handful of rooms, each holder checking on arrival that nobody else
// holds its room. It ends with every room owned by at most one at every
// moment, every cycle done, and no lease or room key left behind.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { keys } from '../../server/cluster/keys.ts';
import { RoomOwnership } from '../../server/cluster/RoomOwnership.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { connectedStore, directory, log } from './clusterParts.ts';

let redis: RedisServer;

before(async () => {
	redis = await RedisServer.start();
});

after(() => redis.close());

const CYCLES = 200;
const ROOMS = 8;

test(`${CYCLES} concurrent ownership cycles over 3 nodes: never two owners, nothing left behind`, async () => {
	const nodes = await Promise.all(
		['churn-0', 'churn-1', 'churn-2'].map(async (nodeId) => ({
			nodeId,
			directory: directory(await connectedStore(redis.url, nodeId, 2000)),
		})),
	);
	const holders = new Map<string, string>();
	const violations: string[] = [];
	let owned = 0;

	const cycle = async (index: number) => {
		const node = nodes[index % nodes.length];
		assert.ok(node);
		const roomId = `churn-room-${index % ROOMS}`;
		await node.directory.renewMembership(roomId, node.nodeId);
		// Until it gets the room: the contenders of a room take turns.
		for (;;) {
			const result = await RoomOwnership.acquire(node.directory, roomId, node.nodeId, log);
			if (result instanceof RoomOwnership) {
				const other = holders.get(roomId);
				if (other !== undefined) violations.push(`${roomId}: ${node.nodeId} (cycle ${index}) while ${other} held it`);
				holders.set(roomId, `${node.nodeId} (cycle ${index})`);
				owned += 1;
				await sleep(Math.random() * 5);
				if (!result.valid) violations.push(`${roomId}: cycle ${index} lost its lease while holding`);
				holders.delete(roomId);
				result.close();
				await result.whenReleased();
				break;
			}
			await sleep(Math.random() * 5);
		}
		await node.directory.releaseMembership(roomId, node.nodeId);
	};
	await Promise.all(Array.from({ length: CYCLES }, (_, index) => cycle(index)));

	assert.deepEqual(violations, []);
	assert.equal(owned, CYCLES);
	const [first] = nodes;
	assert.ok(first);
	assert.deepEqual(await first.directory.rooms(), [], 'no room left in the directory');
	const store = await connectedStore(redis.url, 'churn-check');
	assert.deepEqual((await store.redis.keys('mc:*')).sort(), [keys.fence], 'no lease, membership or room key left');
});
