// Temporary project roots for configuration tests: a copy of the real
// config.example.ts, optionally a config.ts next to it. Tests never write
// into the repository.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { ResolvedConfig } from '../../server/config/Config.ts';
import { type LoadConfigOptions, loadConfig } from '../../server/config/loadConfig.ts';
import type { NetworkInterfaces } from '../../server/config/network.ts';

const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../..');

export function tempDir(prefix = 'config-test-'): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

/** A project root holding config.example.ts and, if given, this config.ts source. */
export function projectRoot(configTs?: string): string {
	const root = tempDir();
	copyFileSync(path.join(REPOSITORY_ROOT, 'config.example.ts'), path.join(root, 'config.example.ts'));
	if (configTs !== undefined) writeFileSync(path.join(root, 'config.ts'), configTs);
	return root;
}

/** A config.ts that takes the defaults and changes what `changes` (a JS expression over `base`) says. */
export function configTsFrom(changes: string): string {
	return `import { config as base } from './config.example.ts';\nexport const config = ${changes};\n`;
}

export function iface(address: string, internal = false): NetworkInterfaceInfo {
	const ipv6 = address.includes(':');
	return ipv6
		? {
				address,
				netmask: 'ffff:ffff:ffff:ffff::',
				family: 'IPv6',
				mac: '02:00:00:00:00:01',
				internal,
				cidr: null,
				scopeid: 0,
			}
		: { address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: null };
}

/** A typical machine: loopback first, then an interface with IPv6 before IPv4. */
export const LAN_MACHINE: NetworkInterfaces = {
	lo: [iface('127.0.0.1', true), iface('::1', true)],
	eth0: [iface('fd00::7'), iface('192.168.1.7')],
	eth1: [iface('10.0.0.7')],
};

/** Settings from a temporary root with a clean environment and LAN_MACHINE's addresses. */
export function load(
	root: string,
	env: NodeJS.ProcessEnv = {},
	options: LoadConfigOptions = {},
): Promise<ResolvedConfig> {
	return loadConfig({ rootDir: root, env, networkInterfaces: LAN_MACHINE, hostname: 'testhost', ...options });
}
