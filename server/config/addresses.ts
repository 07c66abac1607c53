// Facts about IP addresses that decide what the server announces.
import type { networkInterfaces } from 'node:os';

export type NetworkInterfaces = ReturnType<typeof networkInterfaces>;

/** The wildcard addresses: listen on every interface, reachable at none of them. */
export function isAnyAddress(ip: string): boolean {
	return ip === '0.0.0.0' || ip === '::' || ip === '0:0:0:0:0:0:0:0';
}

export interface InterfaceAddress {
	interfaceName: string;
	address: string;
}

/** The first IPv4 address not on a loopback interface, in the order the OS lists them. */
export function firstExternalIPv4(interfaces: NetworkInterfaces): InterfaceAddress | undefined {
	for (const [interfaceName, infos] of Object.entries(interfaces)) {
		const info = infos?.find((i) => i.family === 'IPv4' && !i.internal);
		if (info) return { interfaceName, address: info.address };
	}
	return undefined;
}
