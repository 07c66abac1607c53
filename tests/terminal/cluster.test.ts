// `.cluster` on a server started with REDIS_URL, against a real redis-server:
// it shows this node and another one with their addresses, leases and rooms,
// the rooms with their nodes and owner; a room that empties leaves the
// directory, Redis going away is shown without harming calls, and once it is
// back the node and its room leases are there again. Closing the server
// takes its record out of Redis at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { ClusterStore } from '../../server/cluster/ClusterStore.ts';
import { NodeRegistry } from '../../server/cluster/NodeRegistry.ts';
import { RoomDirectory } from '../../server/cluster/RoomDirectory.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { TerminalClient } from './terminalClient.ts';

const LEASE_MS = 1000;
const log = pino({ level: 'silent' });

let redis: RedisServer;
let server: TestServer;
let terminal: TerminalClient;
let otherStore: ClusterStore;
let other: NodeRegistry;
const peers: TestPeer[] = [];

before(async () => {
	redis = await RedisServer.start();
	server = await startTestServer({
		env: {
			REDIS_URL: redis.url,
			CLUSTER_NODE_ID: 'terminal-node',
			CLUSTER_PIPE_ANNOUNCED_ADDRESS: '127.0.0.9',
			CLUSTER_HEARTBEAT_MS: '200',
			CLUSTER_LEASE_MS: String(LEASE_MS),
		},
	});
	terminal = await TerminalClient.connect(server.server.terminalSocketPath);
	// Another node of the cluster, reduced to its registration and one room.
	otherStore = new ClusterStore({ url: redis.url, nodeId: 'other-node', log });
	await otherStore.whenReachable(5000);
	other = new NodeRegistry({
		store: otherStore,
		nodeId: 'other-node',
		heartbeatMs: 200,
		leaseMs: LEASE_MS,
		describe: () => ({
			announcedAddress: '127.0.0.3',
			httpsPort: 4443,
			pipe: { listenIp: '127.0.0.3', announcedAddress: '127.0.0.3' },
			workers: [{ index: 0, pid: 1 }],
			load: { peers: 0, consumers: 0, workerCpu: 0 },
			draining: false,
		}),
		log,
	});
	await new RoomDirectory(otherStore, 60_000).renewMembership('remote-room', 'other-node');
});

after(async () => {
	for (const peer of peers) peer.close();
	await terminal?.close();
	await server?.close();
	other?.close();
	await other?.whenLeft();
	otherStore?.close();
	await redis?.close();
});

async function joined(roomId: string, peerId: string): Promise<TestPeer> {
	const peer = await server.connect(roomId, peerId);
	peers.push(peer);
	await peer.join({ displayName: peerId });
	await peer.produce('audio');
	return peer;
}

test('.cluster shows both nodes with addresses and leases, and each room with its nodes and owner', async () => {
	await joined('cluster-room', 'alice');
	const answer = await waitFor('the room in the directory', async () => {
		const text = await terminal.send('.cluster');
		return text.includes("roomId: 'cluster-room'") && text.includes("id: 'other-node'") && text;
	});
	assert.match(answer, /node: 'terminal-node',\s+redis: \{ reachable: true, registered: true \}/);
	assert.match(answer, /id: 'terminal-node',\s+self: true,\s+leaseMsLeft: \d+,\s+announcedAddress: '127\.0\.0\.1'/);
	assert.match(answer, /pipe: \{ listenIp: '127\.0\.0\.1', announcedAddress: '127\.0\.0\.9' \}/);
	const pid = server.server.pool.workers[0]?.pid;
	assert.match(answer, new RegExp(`workers: \\[ \\{ index: 0, pid: ${pid} \\} \\]`));
	assert.match(answer, /rooms: \[ 'cluster-room' \]/);
	assert.match(answer, /id: 'other-node',\s+leaseMsLeft: \d+,\s+announcedAddress: '127\.0\.0\.3'/);
	assert.match(answer, /rooms: \[ 'remote-room' \]/);
	assert.match(
		answer,
		/roomId: 'cluster-room',\s+nodes: \[ \{ nodeId: 'terminal-node', leaseMsLeft: \d+ \} \],\s+owner: \{ token: \d+, nodeId: 'terminal-node', leaseMsLeft: \d+ \}/,
	);
	assert.match(
		answer,
		/roomId: 'remote-room',\s+nodes: \[ \{ nodeId: 'other-node', leaseMsLeft: \d+ \} \],\s+owner: undefined/,
	);
	await waitFor('the load counted', async () =>
		/load: \{ peers: 1, consumers: 0, workerCpu: [\d.]+ \}/.test(await terminal.send('.cluster')),
	);
});

test('a room that empties leaves the directory at once', async () => {
	const bob = await joined('short-call', 'bob');
	const directory = new RoomDirectory(otherStore, LEASE_MS);
	await waitFor('short-call hosted', async () => (await directory.members('short-call')).length === 1);
	bob.close();
	await waitFor('short-call gone', async () => (await directory.members('short-call')).length === 0, {
		timeoutMs: LEASE_MS / 2,
	});
	assert.equal(await directory.owner('short-call'), undefined, 'its ownership released, not left to lapse');
});

test('Redis down: .cluster says so, calls go on and new ones start; back: the node and its rooms return', async () => {
	await redis.stop();
	await waitFor('unreachable', () => !server.server.cluster?.reachable);
	assert.match(
		await terminal.send('.cluster'),
		/redis: \{ reachable: false, registered: (true|false) \},\s+error: 'Redis is not reachable: no cluster view'\s*\}/,
	);
	await joined('during-outage', 'carol');

	await redis.start();
	const directory = new RoomDirectory(otherStore, LEASE_MS);
	await waitFor('the other connection back', () => otherStore.reachable, { timeoutMs: 10_000 });
	await waitFor(
		'this node and its rooms back in Redis',
		async () => {
			const rooms = await directory.roomsOf('terminal-node').catch((): string[] => []);
			return rooms.includes('cluster-room') && rooms.includes('during-outage');
		},
		{ timeoutMs: 10_000 },
	);
	const owner = await directory.owner('during-outage');
	assert.equal(owner?.nodeId, 'terminal-node');
});

test('closing the server takes its record out of the registry at once', async () => {
	await waitFor('registered', async () => (await other.list()).some((node) => node.record.id === 'terminal-node'));
	await server.close();
	assert.ok(!(await other.list()).some((node) => node.record.id === 'terminal-node'));
	assert.deepEqual(await new RoomDirectory(otherStore, LEASE_MS).roomsOf('terminal-node'), []);
});
