// Networks the test can take away from one browser: each browser runs in a
// network namespace of its own (chromiumExecutable() is a wrapper that starts
// Chromium there) and reaches the server at one address of this machine
// (ServerAddress, on its loopback, so that it stays reachable from the other
// namespaces while one network is away) through a router namespace of its
// own: browser <-veth-> router <-veth-> this machine. The network goes away
// between the two, the way it does for a person, in one of two ways
// (OutageKind.ts): the browser's link goes down, or the router drops every
// packet with the links up. Either way the server is told nothing (no reset,
// no close, no ICMP: the router drops silently), and its packets never leave
// this machine (before the router, a host end taken down sent them out by the
// default route). up() brings the network back. Needs root (tests run as root)
// and touches only what it made.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_PATH } from './browserSession.ts';
import type { OutageKind } from './OutageKind.ts';

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
	 * The server's environment for pages in namespaces: its media listens on
	 * and announces this address, it finds a dead connection within two
	 * pings and keeps its peer `graceMs`. Media must listen on this address,
	 * not 0.0.0.0: a socket on 0.0.0.0 answers a browser's UDP from the
	 * address of the interface the answer leaves by (the link to the
	 * browser's router), which ICE does not accept as the answer to a check
	 * it sent to this address, so every page fell back to ICE over TCP.
	 */
	serverEnv({ pingIntervalMs, graceMs }: { pingIntervalMs: number; graceMs: number }): Record<string, string> {
		return {
			HTTPS_LISTEN_IP: '0.0.0.0',
			MEDIASOUP_LISTEN_IP: this.address,
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

/**
 * A queue discipline that passes nothing: a token bucket of 8 bits per second
 * whose queue holds 8 bytes (this kernel has no netem, no tc filters and no
 * iptables; a tbf it has). On the router's egress, so that neither endpoint's
 * own stack sees a local drop (a local drop makes TCP retry every 500 ms
 * instead of backing off, and a UDP sender get ENOBUFS: not what a lost
 * packet does).
 */
const DROP_ALL_QDISC = ['tbf', 'rate', '8bit', 'burst', '8', 'limit', '8'];

export class NetworkNamespace {
	readonly name: string;
	readonly #router: string;
	readonly #serverAddress: string;
	readonly #subnet: string;
	/** This machine's end of the link to the router, and the router's end. */
	readonly #hostLink: string;
	readonly #routerUplink: string;
	/** The router's end of the link to the browser, and the browser's end. */
	readonly #routerDownlink: string;
	readonly #innerLink: string;
	readonly #routerUplinkAddress: string;
	readonly #routerDownlinkAddress: string;
	readonly #dir: string;
	#outage: OutageKind | undefined;
	#closed = false;

	/** `index` (0..249) names it and its subnets; `serverAddress` is routed over its links. */
	constructor(index: number, serverAddress: ServerAddress) {
		this.name = `conf-test-${index}`;
		this.#router = `conf-rtr-${index}`;
		this.#serverAddress = serverAddress.address;
		this.#hostLink = `vch${index}`;
		this.#routerUplink = `vcu${index}`;
		this.#routerDownlink = `vcd${index}`;
		this.#innerLink = `vcn${index}`;
		const hostAddress = `10.213.${index}.1`;
		this.#routerUplinkAddress = `10.213.${index}.2`;
		this.#routerDownlinkAddress = `10.213.${index}.5`;
		this.#subnet = `10.213.${index}.4/30`;
		this.#dir = mkdtempSync(path.join(os.tmpdir(), 'conference-netns-'));
		// Left over by a test that was killed: start clean.
		this.#remove();
		try {
			ip('netns', 'add', this.name);
			ip('netns', 'add', this.#router);
			ip('link', 'add', this.#hostLink, 'type', 'veth', 'peer', 'name', this.#routerUplink);
			ip('link', 'set', this.#routerUplink, 'netns', this.#router);
			ip('addr', 'add', `${hostAddress}/30`, 'dev', this.#hostLink);
			ip('link', 'set', this.#hostLink, 'up');
			// The browser's subnet is behind the router, whatever happens to the browser's link.
			ip('route', 'replace', this.#subnet, 'via', this.#routerUplinkAddress, 'dev', this.#hostLink);
			this.#inRouter('link', 'add', this.#routerDownlink, 'type', 'veth', 'peer', 'name', this.#innerLink);
			this.#inRouter('link', 'set', this.#innerLink, 'netns', this.name);
			this.#inRouter('addr', 'add', `${this.#routerUplinkAddress}/30`, 'dev', this.#routerUplink);
			this.#inRouter('addr', 'add', `${this.#routerDownlinkAddress}/30`, 'dev', this.#routerDownlink);
			this.#inRouter('link', 'set', 'lo', 'up');
			this.#inRouter('link', 'set', this.#routerUplink, 'up');
			this.#inRouter('route', 'replace', `${this.#serverAddress}/32`, 'via', hostAddress);
			// While the browser's link is down, what is meant for it vanishes
			// here without a word (no ICMP unreachable back to the server).
			this.#inRouter('route', 'add', 'blackhole', this.#subnet, 'metric', '1000');
			execFileSync('ip', ['netns', 'exec', this.#router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
			this.#inside('addr', 'add', `10.213.${index}.6/30`, 'dev', this.#innerLink);
			this.#inside('link', 'set', 'lo', 'up');
			this.#linkUp();
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

	/** The network goes away (see OutageKind): nothing passes either way, and the server is not told. */
	down(kind: OutageKind = 'link'): void {
		if (this.#outage !== undefined) throw new Error(`${this.name}: the network is already away (${this.#outage})`);
		this.#outage = kind;
		if (kind === 'link') {
			this.#inside('link', 'set', this.#innerLink, 'down');
			this.#inRouter('link', 'set', this.#routerDownlink, 'down');
		} else {
			for (const link of [this.#routerUplink, this.#routerDownlink]) {
				this.#tcInRouter('qdisc', 'replace', 'dev', link, 'root', ...DROP_ALL_QDISC);
			}
		}
	}

	/** The network is back. */
	up(): void {
		const kind = this.#outage;
		this.#outage = undefined;
		if (kind === 'link') this.#linkUp();
		else if (kind === 'drop') {
			for (const link of [this.#routerUplink, this.#routerDownlink]) {
				this.#tcInRouter('qdisc', 'del', 'dev', link, 'root');
			}
		}
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#remove();
		rmSync(this.#dir, { recursive: true, force: true });
	}

	#linkUp(): void {
		this.#inRouter('link', 'set', this.#routerDownlink, 'up');
		this.#inside('link', 'set', this.#innerLink, 'up');
		// A link that went down took its routes with it.
		this.#inside('route', 'replace', `${this.#serverAddress}/32`, 'via', this.#routerDownlinkAddress);
	}

	#inside(...args: string[]): void {
		ip('netns', 'exec', this.name, 'ip', ...args);
	}

	#inRouter(...args: string[]): void {
		ip('netns', 'exec', this.#router, 'ip', ...args);
	}

	#tcInRouter(...args: string[]): void {
		execFileSync('ip', ['netns', 'exec', this.#router, 'tc', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
	}

	#remove(): void {
		tryIp('route', 'del', this.#subnet);
		tryIp('link', 'del', this.#hostLink);
		tryIp('netns', 'del', this.name);
		tryIp('netns', 'del', this.#router);
	}
}
