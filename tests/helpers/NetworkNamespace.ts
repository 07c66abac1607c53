// Networks the test can take away from one browser: each browser runs in a
// network namespace of its own (chromiumExecutable() is a wrapper that starts
// Chromium there), joined to this machine by a veth pair, and reaches the
// server at one address of this machine (ServerAddress, on its loopback, so
// that it stays reachable from the other namespaces while one link is down).
// down() takes both ends of a link down: packets are dropped without a word
// (no reset, no close), the way a Wi-Fi that went away drops them; up() brings
// the link back. Needs root (tests run as root) and touches only what it made.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_PATH } from './browserSession.ts';

function ip(...args: string[]): void {
	execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function tryIp(...args: string[]): void {
	try {
		ip(...args);
	} catch {
		// Not there: nothing to remove.
	}
}

/** An address of this machine for the server, on the loopback interface. */
export class ServerAddress {
	readonly address: string;
	#closed = false;

	/** `tag` keeps the addresses of parallel test files apart. */
	constructor(tag: number = process.pid) {
		this.address = `10.214.${tag % 250}.1`;
		tryIp('addr', 'del', `${this.address}/32`, 'dev', 'lo');
		ip('addr', 'add', `${this.address}/32`, 'dev', 'lo');
	}

	/**
	 * The server's environment for pages in namespaces: it listens and
	 * announces this address, finds a dead connection within two pings and
	 * keeps its peer `graceMs`.
	 */
	serverEnv({ pingIntervalMs, graceMs }: { pingIntervalMs: number; graceMs: number }): Record<string, string> {
		return {
			HTTPS_LISTEN_IP: '0.0.0.0',
			MEDIASOUP_LISTEN_IP: '0.0.0.0',
			MEDIASOUP_ANNOUNCED_ADDRESS: this.address,
			RECONNECT_PING_INTERVAL_MS: String(pingIntervalMs),
			RECONNECT_GRACE_MS: String(graceMs),
		};
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		tryIp('addr', 'del', `${this.address}/32`, 'dev', 'lo');
	}
}

export class NetworkNamespace {
	readonly name: string;
	readonly #serverAddress: string;
	readonly #hostLink: string;
	readonly #innerLink: string;
	readonly #hostLinkAddress: string;
	readonly #dir: string;
	#closed = false;

	/** `index` (0..249) names it and its subnet; `serverAddress` is routed over its link. */
	constructor(index: number, serverAddress: ServerAddress) {
		this.name = `conf-test-${index}`;
		this.#serverAddress = serverAddress.address;
		this.#hostLink = `vch${index}`;
		this.#innerLink = `vcn${index}`;
		this.#hostLinkAddress = `10.213.${index}.5`;
		this.#dir = mkdtempSync(path.join(os.tmpdir(), 'conference-netns-'));
		// Left over by a test that was killed: start clean.
		this.#remove();
		try {
			ip('netns', 'add', this.name);
			ip('link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#innerLink);
			ip('link', 'set', this.#innerLink, 'netns', this.name);
			ip('addr', 'add', `${this.#hostLinkAddress}/30`, 'dev', this.#hostLink);
			this.#inside('addr', 'add', `10.213.${index}.6/30`, 'dev', this.#innerLink);
			this.#inside('link', 'set', 'lo', 'up');
			this.up();
		} catch (error) {
			this.close();
			throw error;
		}
	}

	/** A Chromium that runs inside the namespace, for playwright's executablePath. */
	chromiumExecutable(): string {
		const wrapper = path.join(this.#dir, 'chromium-in-netns');
		writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.name} ${CHROMIUM_PATH} "$@"\n`);
		chmodSync(wrapper, 0o755);
		return wrapper;
	}

	/** The network goes away: nothing passes either way, and nobody is told. */
	down(): void {
		ip('link', 'set', this.#hostLink, 'down');
		this.#inside('link', 'set', this.#innerLink, 'down');
	}

	/** The network is back. */
	up(): void {
		ip('link', 'set', this.#hostLink, 'up');
		this.#inside('link', 'set', this.#innerLink, 'up');
		// A link that went down took its routes with it.
		this.#inside('route', 'replace', `${this.#serverAddress}/32`, 'via', this.#hostLinkAddress);
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#remove();
		rmSync(this.#dir, { recursive: true, force: true });
	}

	#inside(...args: string[]): void {
		ip('netns', 'exec', this.name, 'ip', ...args);
	}

	#remove(): void {
		tryIp('link', 'del', this.#hostLink);
		tryIp('netns', 'del', this.name);
	}
}
