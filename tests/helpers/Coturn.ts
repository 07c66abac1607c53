// A real TURN server for tests: Debian's coturn (`turnserver`, the Debian
// package coturn, which scripts/setup.sh --for-tests installs), started by the
// test on loopback on free ports with README's turnserver.conf (the TURN
// section): its ports, secret, certificate and the media server's address put
// in, plus what only a test wants. Nothing of the machine's coturn is used or
// touched: its pid file, database, log and configuration live in a temporary
// folder of its own. As README's file says, it relays to the media server
// only: here 127.0.0.1, where mediasoup's WebRtcServer listens in tests. Its
// log (verbose: one line per TURN request, with the username and the result)
// is there for the test to read.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findFreePortRange } from './freePorts.ts';
import { exitOf } from './nodeProcess.ts';
import { waitFor } from './waitFor.ts';

export const TURNSERVER_PATH = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

/**
 * Relay ports: below Linux's ephemeral range (32768-60999), mediasoup's
 * transport ports (45000-49999 by default) and the tests' WebRtcServer ports
 * (61000-65000, freePorts.ts), so a relay never takes a port another part of
 * a test is about to bind.
 */
const RELAY_PORTS = { min: 30000, max: 32767 };

export interface CoturnOptions {
	/** coturn's static-auth-secret: the server's TURN_SECRET. */
	secret: string;
	/** The certificate of the TLS listener on tlsPort; without, nothing listens there. */
	tls?: { cert: string; key: string };
	/**
	 * Which listeners run (default all): without UDP, clients reach it as
	 * through a network that blocks UDP. TLS needs `tls`.
	 */
	listeners?: Listeners;
	/** Listen on these ports (e.g. those of a coturn started before) instead of free ones. */
	ports?: { port: number; tlsPort: number };
}

export interface Listeners {
	udp: boolean;
	tcp: boolean;
	tls: boolean;
}

/** What the verbose log says of one TURN request (log_method in coturn's ns_turn_server.c). */
export interface TurnRequestLine {
	user: string;
	method: string;
	/** 'success', or the error code and reason, e.g. '401: Unauthorized'. */
	result: string;
}

export class Coturn {
	readonly port: number;
	readonly tlsPort: number;
	readonly #child: ChildProcess;
	readonly #dir: string;
	readonly #listeners: Listeners;
	readonly #logFile: string;
	/** What it printed on stdout and stderr (before its log file opens: bad options, say). */
	#output = '';

	static async start(options: CoturnOptions): Promise<Coturn> {
		if (!existsSync(TURNSERVER_PATH)) {
			throw new Error(
				`no coturn at ${TURNSERVER_PATH}: install the Debian package coturn (scripts/setup.sh --for-tests) or set TURNSERVER_PATH`,
			);
		}
		let ports = options.ports;
		if (ports === undefined) {
			const port = await findFreePortRange(2);
			ports = { port, tlsPort: port + 1 };
		}
		const coturn = new Coturn(ports.port, ports.tlsPort, options);
		try {
			await coturn.#ready();
			return coturn;
		} catch (error) {
			await coturn.close();
			throw error;
		}
	}

	private constructor(port: number, tlsPort: number, options: CoturnOptions) {
		this.port = port;
		this.tlsPort = tlsPort;
		this.#dir = mkdtempSync(path.join(os.tmpdir(), 'coturn-test-'));
		this.#listeners = options.listeners ?? { udp: true, tcp: true, tls: options.tls !== undefined };
		this.#logFile = path.join(this.#dir, 'turnserver.log');
		const { udp, tcp, tls } = this.#listeners;
		if (tls && !options.tls) throw new Error('a TLS listener needs a certificate (options.tls)');
		const config = turnserverConf(
			readmeTurnserverConf(),
			{
				'listening-port': String(port),
				'tls-listening-port': String(tlsPort),
				'static-auth-secret': options.secret,
				cert: tls ? (options.tls?.cert ?? null) : null,
				pkey: tls ? (options.tls?.key ?? null) : null,
				// The media server: mediasoup's WebRtcServer listens on 127.0.0.1 in tests.
				'allowed-peer-ip': '127.0.0.1',
				'min-port': String(RELAY_PORTS.min),
				'max-port': String(RELAY_PORTS.max),
			},
			[
				'listening-ip=127.0.0.1',
				'relay-ip=127.0.0.1',
				// coturn refuses loopback peers before it looks at allowed-peer-ip.
				'allow-loopback-peers',
				'relay-threads=1',
				...(udp ? [] : ['no-udp']),
				...(tcp ? [] : ['no-tcp']),
				...(tls ? [] : ['no-tls', 'no-dtls']),
				// One line per TURN request, to a file, which coturn flushes line by line
				// (its stdout, a pipe here, it buffers by the 4 KiB).
				'verbose',
				`log-file=${this.#logFile}`,
				'simple-log',
				'no-stdout-log',
				`pidfile=${path.join(this.#dir, 'turnserver.pid')}`,
				`userdb=${path.join(this.#dir, 'turndb')}`,
			],
		);
		const configFile = path.join(this.#dir, 'turnserver.conf');
		writeFileSync(configFile, config);
		const args = ['-c', configFile];
		this.#child = spawn(TURNSERVER_PATH, args, { cwd: this.#dir, stdio: ['ignore', 'pipe', 'pipe'] });
		const collect = (chunk: Buffer) => {
			this.#output += chunk.toString();
		};
		this.#child.stdout?.on('data', collect);
		this.#child.stderr?.on('data', collect);
	}

	/** Everything coturn logged so far. */
	log(): string {
		const logged = existsSync(this.#logFile) ? readFileSync(this.#logFile, 'utf8') : '';
		return `${this.#output}${logged}`;
	}

	/** The TURN requests coturn has answered, as its log tells them. */
	requests(): TurnRequestLine[] {
		const line = /user <([^>]*)>.*?: incoming packet (\S+) processed, (success|error (\d+): ([^\n]*))/g;
		return [...this.log().matchAll(line)].map((match) => ({
			user: match[1] ?? '',
			method: match[2] ?? '',
			result: match[3] === 'success' ? 'success' : `${match[4]}: ${(match[5] ?? '').trim()}`,
		}));
	}

	/** Listening once every listener answers: UDP a STUN Binding request, TCP and TLS a connection. */
	async #ready(): Promise<void> {
		const exited = exitOf(this.#child).then((code) => {
			throw new Error(`turnserver exited (code ${code}) before listening:\n${this.log()}`);
		});
		// Only the race below waits on it: once listening, a later exit (close()) is no failure.
		exited.catch(() => {});
		const { udp, tcp, tls } = this.#listeners;
		const answers = async () =>
			(!udp || (await answersStun(this.port))) &&
			(!tcp || (await tcpAccepts(this.port))) &&
			(!tls || (await tcpAccepts(this.tlsPort)));
		const listening = waitFor(`turnserver on 127.0.0.1:${this.port} and ${this.tlsPort}`, answers, {
			timeoutMs: 10_000,
			intervalMs: 100,
		});
		await Promise.race([listening, exited]);
	}

	async close(): Promise<void> {
		if (this.#child.exitCode === null && this.#child.signalCode === null) {
			const exit = exitOf(this.#child);
			this.#child.kill('SIGTERM');
			const killed = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
			await exit;
			clearTimeout(killed);
		}
		rmSync(this.#dir, { recursive: true, force: true });
	}
}

const README = path.resolve(import.meta.dirname, '../../README.md');
const README_MARKER = '<!-- turnserver.conf:';

/** README's turnserver.conf, as the reader sees it: the ```ini block after its marker. */
export function readmeTurnserverConf(): string {
	const text = readFileSync(README, 'utf8');
	const at = text.indexOf(README_MARKER);
	const block = at === -1 ? null : /```ini\n([\s\S]*?)```/.exec(text.slice(at));
	if (!block?.[1]) throw new Error(`README.md has no \`\`\`ini block after "${README_MARKER}"`);
	return block[1];
}

/**
 * A coturn configuration: `conf` with each key of `values` set to its value
 * (null: the line goes), then `extra` lines. Every key must be in `conf`, so
 * a README that drops one fails here instead of testing something else.
 */
export function turnserverConf(conf: string, values: Record<string, string | null>, extra: readonly string[]): string {
	const found = new Set<string>();
	const lines = conf.split('\n').flatMap((line) => {
		const key = /^([a-z0-9-]+)(=|$)/.exec(line)?.[1];
		if (key === undefined || !Object.hasOwn(values, key)) return [line];
		found.add(key);
		const value = values[key];
		return value === null || value === undefined ? [] : [`${key}=${value}`];
	});
	const missing = Object.keys(values).filter((key) => !found.has(key));
	if (missing.length > 0) throw new Error(`README's turnserver.conf has no ${missing.join(', ')}`);
	return [...lines, ...extra, ''].join('\n');
}

/** A STUN Binding request (RFC 5389: type 1, no attributes, the magic cookie) answered within 200 ms. */
function answersStun(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket('udp4');
		const request = Buffer.alloc(20);
		request.writeUInt16BE(0x0001, 0);
		request.writeUInt32BE(0x2112a442, 4);
		randomBytes(12).copy(request, 8);
		const done = (answered: boolean) => {
			clearTimeout(timer);
			socket.close();
			resolve(answered);
		};
		const timer = setTimeout(() => done(false), 200);
		socket.on('message', (answer) => done(answer.subarray(8, 20).equals(request.subarray(8, 20))));
		socket.on('error', () => done(false));
		socket.send(request, port, '127.0.0.1');
	});
}

function tcpAccepts(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}
