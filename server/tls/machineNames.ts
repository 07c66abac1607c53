// Every name a browser on this machine or the local network might use to
// reach the server: a self-signed certificate is only accepted for the names
// it lists, and "accept the warning" has to work whichever one is typed.
import { isIP } from 'node:net';
import type { networkInterfaces } from 'node:os';

export interface MachineNames {
	dns: string[];
	ips: string[];
}

export function machineNames(
	hostname: string,
	interfaces: ReturnType<typeof networkInterfaces>,
	extraNames: readonly string[],
): MachineNames {
	const interfaceIps = Object.values(interfaces).flatMap((infos) => (infos ?? []).map((info) => info.address));
	const all = ['localhost', hostname, '127.0.0.1', '::1', ...interfaceIps, ...extraNames].filter((n) => n !== '');
	const unique = [...new Set(all)];
	return { dns: unique.filter((n) => isIP(n) === 0), ips: unique.filter((n) => isIP(n) !== 0) };
}

/** The names for a message to a person. */
export function describeNames(names: MachineNames): string {
	return [...names.dns, ...names.ips].join(', ');
}
