// The two kernel tables the counters read: per-socket UDP state and the
// machine-wide UDP statistics (both for this network namespace).
import { readFileSync } from 'node:fs';

/**
 * The drops column of the IPv4 UDP socket bound to `port` in /proc/net/udp:
 * datagrams the kernel discarded for that socket (buffer full, filter).
 */
export function udpSocketDrops(port: number): number | undefined {
	const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
	for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n')) {
		const fields = line.trim().split(/\s+/);
		// sl, local_address (HEXIP:HEXPORT), rem_address, ... drops last.
		if (fields[1]?.endsWith(portHex)) return Number(fields[fields.length - 1]);
	}
	return undefined;
}

/** A counter of the Udp: lines of /proc/net/snmp, e.g. NoPorts or RcvbufErrors. */
export function udpStatistic(name: string): number {
	const lines = readFileSync('/proc/net/snmp', 'utf8')
		.split('\n')
		.filter((line) => line.startsWith('Udp: '));
	const names = lines[0]?.split(/\s+/) ?? [];
	const values = lines[1]?.split(/\s+/) ?? [];
	const index = names.indexOf(name);
	if (index < 0) throw new Error(`/proc/net/snmp has no Udp ${name}`);
	return Number(values[index]);
}
