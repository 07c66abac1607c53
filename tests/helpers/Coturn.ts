// A real TURN server for tests: Debian's coturn (`turnserver`, the Debian
// package coturn, which scripts/setup.sh --for-tests installs), started by the
// test on loopback on free ports, with the shared-secret scheme the server's
// credentials are for (use-auth-secret). Nothing of the machine's coturn is
// used or touched: no configuration file (-n), its pid file, database and
// nothing else in a temporary folder of its own, no admin CLI. It relays to
// loopback peers, which coturn refuses by default: mediasoup's WebRtcServer
// listens on 127.0.0.1 in tests. Its log (verbose: one line per TURN request,
// with the username and the result) is there for the test to read.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
	/** A TLS listener on tlsPort with this certificate; without, tlsPort is free but nothing listens there. */
	tls?: { cert: string; key: string };
	/** Which plain listeners run (default both): without UDP, clients reach it as through a network that blocks UDP. */
	listeners?: { udp: boolean; tcp: boolean };
	/** Listen on these ports (e.g. those of a coturn started before) instead of free ones. */
	ports?: { port: number; tlsPort: number };
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
	readonly #tcp: boolean;
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
		this.#tcp = options.listeners?.tcp ?? true;
		this.#logFile = path.join(this.#dir, 'turnserver.log');
		const tls = options.tls
			? [`--cert=${options.tls.cert}`, `--pkey=${options.tls.key}`, '--no-dtls']
			: ['--no-tls', '--no-dtls'];
		const { udp, tcp } = options.listeners ?? { udp: true, tcp: true };
		const listeners = [...(udp ? [] : ['--no-udp']), ...(tcp ? [] : ['--no-tcp'])];
		const args = [
			'-n',
			'--listening-ip=127.0.0.1',
			'--relay-ip=127.0.0.1',
			`--listening-port=${port}`,
			`--tls-listening-port=${this.tlsPort}`,
			`--min-port=${RELAY_PORTS.min}`,
			`--max-port=${RELAY_PORTS.max}`,
			'--use-auth-secret',
			`--static-auth-secret=${options.secret}`,
			'--realm=conference.test',
			'--fingerprint',
			'--allow-loopback-peers',
			'--no-cli',
			'--no-rfc5780',
			'--relay-threads=1',
			...tls,
			...listeners,
			'--verbose',
			// A file, which coturn flushes line by line (its stdout, a pipe here, it buffers by the 4 KiB).
			`--log-file=${this.#logFile}`,
			'--simple-log',
			'--no-stdout-log',
			`--pidfile=${path.join(this.#dir, 'turnserver.pid')}`,
			`--userdb=${path.join(this.#dir, 'turndb')}`,
		];
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

	/** Listening once its TCP (or else TLS) port takes connections: its listeners open in one step. */
	async #ready(): Promise<void> {
		const exited = exitOf(this.#child).then((code) => {
			throw new Error(`turnserver exited (code ${code}) before listening:\n${this.log()}`);
		});
		// Only the race below waits on it: once listening, a later exit (close()) is no failure.
		exited.catch(() => {});
		const port = this.#tcp ? this.port : this.tlsPort;
		const listening = waitFor(`turnserver on 127.0.0.1:${port}`, () => tcpAccepts(port), {
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
