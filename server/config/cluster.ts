// The cluster section's rules and the values chosen at start. A lease must
// outlast two heartbeats, so one heartbeat lost to a slow Redis round trip or
// a long garbage collection does not make a live node look dead to the
// others. The node's id and pipe addresses, when unset, come from the
// machine: hostname-pid is unique per process on a host, and readable in
// `.cluster` and the logs.
import type { Config, ResolvedCluster } from './Config.ts';
import { type ConfigProblem, problemWithFix, type SettingSources, settingTarget } from './ConfigError.ts';
import { isAnyAddress } from './network.ts';

export function checkCluster(config: Config, sources: SettingSources): ConfigProblem[] {
	const { heartbeatMs, leaseMs } = config.cluster;
	if (leaseMs >= 2 * heartbeatMs) return [];
	return [
		problemWithFix(
			sources,
			'cluster.leaseMs',
			leaseMs,
			`is shorter than two heartbeats (cluster.heartbeatMs is ${heartbeatMs}): one late heartbeat would make this node look dead`,
			`Set ${settingTarget(sources, 'cluster.leaseMs')} to at least ${2 * heartbeatMs}, or lower ${settingTarget(sources, 'cluster.heartbeatMs')}.`,
		),
	];
}

export function resolveCluster(
	config: Config,
	announcedAddress: string,
	machine: { hostname: string; pid: number },
): ResolvedCluster {
	const { redisUrl, nodeId, pipeListenIp, pipeAnnouncedAddress, heartbeatMs, leaseMs } = config.cluster;
	const listenIp = pipeListenIp ?? config.mediasoup.listenIp;
	return {
		redisUrl,
		nodeId: nodeId ?? defaultNodeId(machine.hostname, machine.pid),
		pipeListenIp: listenIp,
		pipeAnnouncedAddress: pipeAnnouncedAddress ?? (isAnyAddress(listenIp) ? announcedAddress : listenIp),
		heartbeatMs,
		leaseMs,
	};
}

/** hostname-pid, with what a node id may not hold replaced (a hostname may be a FQDN, never anything odder). */
export function defaultNodeId(hostname: string, pid: number): string {
	const host = hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 50) || 'node';
	return `${host}-${pid}`;
}
