// A server configured for a cluster whose Redis is not there yet: it starts
// anyway, serves a call, and joins the cluster, room included, once Redis
// comes up on the configured address.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RoomDirectory } from '../../server/cluster/RoomDirectory.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { connectedStore } from './clusterParts.ts';

test('Redis down at start: the server starts, serves, and registers with its room once Redis is up', async () => {
	const redis = await RedisServer.start();
	after(() => redis.close());
	await redis.stop();

	const server = await startTestServer({
		env: { REDIS_URL: redis.url, CLUSTER_NODE_ID: 'early-node', CLUSTER_HEARTBEAT_MS: '200', CLUSTER_LEASE_MS: '1000' },
	});
	const peers: TestPeer[] = [];
	after(async () => {
		for (const peer of peers) peer.close();
		await server.close();
	});
	assert.equal(server.server.cluster?.reachable, false);
	const peer = await server.connect('before-redis', 'dave');
	peers.push(peer);
	await peer.join({ displayName: 'Dave' });
	await peer.produce('audio');

	await redis.start();
	const directory = new RoomDirectory(await connectedStore(redis.url, 'watcher'), 1000);
	await waitFor('the node and its room in Redis', async () => (await directory.members('before-redis')).length === 1, {
		timeoutMs: 10_000,
	});
	assert.deepEqual(await directory.roomsOf('early-node'), ['before-redis']);
	assert.equal((await directory.owner('before-redis'))?.nodeId, 'early-node');
});
