// `.cluster`: the cluster as Redis holds it now: every live node with its
// addresses, workers, load, lease and the rooms it hosts, and every room with
// its nodes' membership leases and its owner (fencing token, lease). Read at
// each call, so it shows what the other nodes see, not what this node thinks.
import type { ClusterNode } from '../cluster/ClusterNode.ts';
import { errorMessage } from '../errorMessage.ts';

export const CLUSTER_OFF =
	'cluster mode is off: this server runs as one node (set REDIS_URL to join a cluster; docs/CLUSTER.md)';

export async function clusterSummary(cluster: ClusterNode | undefined) {
	if (!cluster) return CLUSTER_OFF;
	const redis = { reachable: cluster.reachable, registered: cluster.registry.registered };
	if (!cluster.reachable) return { node: cluster.nodeId, redis, error: 'Redis is not reachable: no cluster view' };
	try {
		const [nodes, rooms] = await Promise.all([cluster.registry.list(), cluster.directory.rooms()]);
		const roomsOf = await Promise.all(nodes.map(({ record }) => cluster.directory.roomsOf(record.id)));
		return {
			node: cluster.nodeId,
			redis,
			nodes: nodes.map(({ record, leaseMsLeft }, index) => ({
				id: record.id,
				...(record.id === cluster.nodeId ? { self: true } : {}),
				leaseMsLeft,
				announcedAddress: record.announcedAddress,
				httpsPort: record.httpsPort,
				pipe: record.pipe,
				workers: record.workers,
				load: record.load,
				draining: record.draining,
				rooms: roomsOf[index] ?? [],
			})),
			rooms,
		};
	} catch (error) {
		return { node: cluster.nodeId, redis, error: `no cluster view: ${errorMessage(error)}` };
	}
}
