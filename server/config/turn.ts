// The TURN settings as a whole: a host without coturn's secret could only hand
// out credentials coturn refuses, and a secret without a host tells clients of
// no server, so either one alone is refused with both settings named. Once
// both are there, the URLs clients get are made here: TURN over UDP, over TCP
// and over TLS, so a network that lets only TCP, or only TLS, out still
// reaches the relay.
import { isIP } from 'node:net';
import type { Config, TurnService } from './Config.ts';
import { type ConfigProblem, problemWithFix, type SettingSources, settingTarget } from './ConfigError.ts';

export function checkTurn(config: Config, sources: SettingSources): ConfigProblem[] {
	const { host, secret } = config.turn;
	if (host !== undefined && secret === undefined) {
		return [
			problemWithFix(
				sources,
				'turn.secret',
				undefined,
				`is missing: clients would get TURN credentials for ${host} that its coturn refuses`,
				`Set ${settingTarget(sources, 'turn.secret')} to coturn's static-auth-secret, or unset ${settingTarget(sources, 'turn.host')} for no TURN.`,
			),
		];
	}
	if (host === undefined && secret !== undefined) {
		return [
			problemWithFix(
				sources,
				'turn.host',
				undefined,
				'is missing: turn.secret is set, but clients are told of no TURN server without it',
				`Set ${settingTarget(sources, 'turn.host')} to coturn's hostname as clients reach it, or unset ${settingTarget(sources, 'turn.secret')} for no TURN.`,
			),
		];
	}
	return [];
}

/** The TURN server clients are told of, or undefined for none (checkTurn has passed). */
export function resolveTurn(turn: Config['turn']): TurnService | undefined {
	const { host, port, tlsPort, secret, credentialTtlSeconds } = turn;
	if (host === undefined || secret === undefined) return undefined;
	// RFC 7065: an IPv6 address in a turn: URI goes in brackets.
	const address = isIP(host) === 6 ? `[${host}]` : host;
	return {
		urls: [
			`turn:${address}:${port}?transport=udp`,
			`turn:${address}:${port}?transport=tcp`,
			`turns:${address}:${tlsPort}?transport=tcp`,
		],
		secret,
		credentialTtlSeconds,
	};
}
