// The limits of config.limits that the bench's own load runs into. Every bench
// peer connects from 127.0.0.1, so `join --peers 600` meets
// limits.peersPerRoom and `rooms --rooms 200` (800 peers at once) meets
// limits.connectionsPerIpPerMinute: limits that guard a server against one
// client, not against the load test of its operator. The servers the bench
// starts get limits that fit the load (never below the defaults; --server-env
// still wins); a server given with --server must be configured for it.
import { config as defaults } from '../config.example.ts';
import type { FanoutOptions } from './FanoutOptions.ts';

/** What one scenario asks of a server at most. */
export interface BenchLoad {
	/** The most peers in one room. */
	peersPerRoom: number;
	/** WebSocket connections within a minute, all from this machine. */
	connections: number;
}

export function limitsForLoad({ peersPerRoom, connections }: BenchLoad): Record<string, string> {
	return {
		LIMIT_PEERS_PER_ROOM: String(Math.max(peersPerRoom, defaults.limits.peersPerRoom)),
		LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: String(Math.max(connections, defaults.limits.connectionsPerIpPerMinute)),
	};
}

/**
 * A fanout room: the sender and up to the ramp's largest count of receivers,
 * every one a broadcaster, and broadcasters count as members of the room
 * (limits.peersPerRoom). No WebSocket connections: they come over REST.
 */
export function fanoutLoad({ ramp }: Pick<FanoutOptions, 'ramp'>): BenchLoad {
	const counts = ramp.sequence ?? ramp.receivers ?? [ramp.max];
	return { peersPerRoom: Math.max(...counts) + 1, connections: 0 };
}
