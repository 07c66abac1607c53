// The cluster's parts as a node has them (a store, its registry, the room
// directory), made against a test's Redis with short leases so the tests
// wait well under a second for one to run out. Each part closes with the test.
import { after } from 'node:test';
import pino from 'pino';
import { ClusterStore } from '../../server/cluster/ClusterStore.ts';
import { type NodeDescription, NodeRegistry } from '../../server/cluster/NodeRegistry.ts';
import { RoomDirectory } from '../../server/cluster/RoomDirectory.ts';

export const HEARTBEAT_MS = 200;
export const LEASE_MS = 1000;

export const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A store connected to `url` (waits until it is), closed after the test file. */
export async function connectedStore(url: string, nodeId: string, commandTimeoutMs = 500): Promise<ClusterStore> {
	const store = new ClusterStore({ url, nodeId, log, commandTimeoutMs });
	after(() => store.close());
	if (!(await store.whenReachable(5000))) throw new Error(`Redis at ${url} not reachable`);
	return store;
}

export function description(nodeId: string, index: number): NodeDescription {
	return {
		announcedAddress: `127.0.0.${index + 2}`,
		httpsPort: 4443 + index,
		pipe: { listenIp: `127.0.0.${index + 2}`, announcedAddress: `${nodeId}.pipe.test` },
		workers: [{ index: 0, pid: 1000 + index }],
		load: { peers: index, consumers: 10 * index, workerCpu: 0.25 },
		draining: false,
	};
}

export function registry(
	store: ClusterStore,
	nodeId: string,
	index: number,
	describe = () => description(nodeId, index),
) {
	const registered = new NodeRegistry({ store, nodeId, heartbeatMs: HEARTBEAT_MS, leaseMs: LEASE_MS, describe, log });
	after(() => registered.close());
	return registered;
}

export function directory(store: ClusterStore): RoomDirectory {
	return new RoomDirectory(store, LEASE_MS);
}
