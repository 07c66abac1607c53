// A node reduced to its registration, run as a child process so a test can
// SIGKILL it: registers with REDIS_URL as NODE_ID, prints "registered" once
// its record is in Redis, then heartbeats until killed.
import pino from 'pino';
import { ClusterStore } from '../../server/cluster/ClusterStore.ts';
import { NodeRegistry } from '../../server/cluster/NodeRegistry.ts';
import { description, HEARTBEAT_MS, LEASE_MS } from './clusterParts.ts';

const url = process.env.REDIS_URL;
const nodeId = process.env.NODE_ID;
if (!url || !nodeId) throw new Error('REDIS_URL and NODE_ID must be set');
const log = pino({ level: 'silent' });
const store = new ClusterStore({ url, nodeId, log });
const registry = new NodeRegistry({
	store,
	nodeId,
	heartbeatMs: HEARTBEAT_MS,
	leaseMs: LEASE_MS,
	describe: () => description(nodeId, 7),
	log,
});
while (!(await registry.heartbeat())) await new Promise((resolve) => setTimeout(resolve, 50));
console.log('registered');
