// The server a bench run measures: either one the bench starts as a child
// process (`node --max-semi-space-size=16 server/main.ts`, exactly what
// `npm start` runs, with its own ports, certificate and terminal socket), or
// one already running somewhere that the bench only talks to over HTTPS. Only
// a started one has process ids, so only then can the bench read its CPU and
// memory.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_NODE_ARGS } from '../server/nodeHeap.ts';
import { ensureCertificate } from '../server/tls/certificates.ts';
import { findFreePortRange } from '../tests/helpers/freePorts.ts';
import { buildAppIfMissing } from '../tools/appBuild.ts';

export interface ServerUnderTest {
	/** https://127.0.0.1:PORT */
	readonly baseUrl: string;
	/** PEM to trust, or undefined to trust the system's CAs. */
	readonly ca: string | undefined;
	/** Undefined when attached to a server the bench did not start. */
	readonly nodePid: number | undefined;
	/** http://127.0.0.1:PORT/metrics of a server the bench started; undefined when attached. */
	readonly metricsUrl: string | undefined;
	/** The mediasoup-worker processes (children of the node process); empty when attached. */
	workerPids(): number[];
	close(): Promise<void>;
}

export type RoomSpread = 'auto' | 'always' | 'never';

export interface StartServerOptions {
	workers: number;
	roomSpread?: RoomSpread;
	/** Extra environment for the server; wins over what the bench sets. */
	env?: Record<string, string>;
	/** Receives the server's stdout and stderr, line by line. */
	log?: (line: string) => void;
	/** Node flags besides npm start's (e.g. --trace-gc, which NODE_OPTIONS may not carry). */
	nodeArgs?: readonly string[];
}

const rootDir = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/**
 * Plain transports of the server under test (and of raw's bare mediasoup).
 * Above the default range so a server started by hand (or by another test)
 * rarely competes for the same ports, and wide enough for a few thousand
 * receivers.
 */
export const MEDIA_PORT_RANGE = { min: 20000, max: 29999 };

/** Servers started and not yet stopped, with their temp dirs: stopped if the bench is interrupted. */
const started = new Map<ChildProcess, string>();

/**
 * For SIGINT/SIGTERM: the bench exits without reaching its finally blocks,
 * and a server it started would go on running (it is not in the terminal's
 * process group's way: its output is piped and rarely written).
 */
export function killStartedServers(): void {
	for (const [child, tempDir] of started) {
		child.kill('SIGINT');
		rmSync(tempDir, { recursive: true, force: true });
	}
	started.clear();
}

export async function startServerProcess(options: StartServerOptions): Promise<ServerUnderTest> {
	// server/main.ts refuses to start without a built app (`npm start` builds it).
	await buildAppIfMissing({ rootDir, production: true });
	const tempDir = mkdtempSync(path.join(os.tmpdir(), 'bench-server-'));
	try {
		const certificate = await ensureCertificate({ certDir: tempDir, log: { debug: () => {} } });
		// One free range for all, so the HTTPS and metrics ports are never WebRtcServer ports.
		const webRtcServerPort = await findFreePortRange(options.workers + 2);
		const httpsPort = webRtcServerPort + options.workers;
		const metricsPort = httpsPort + 1;
		const env: Record<string, string> = {
			...stringEnv(process.env),
			HTTPS_LISTEN_IP: '127.0.0.1',
			HTTPS_LISTEN_PORT: String(httpsPort),
			HTTPS_CERT_FULLCHAIN: certificate.cert,
			HTTPS_CERT_PRIVKEY: certificate.key,
			MEDIASOUP_LISTEN_IP: '127.0.0.1',
			MEDIASOUP_ANNOUNCED_ADDRESS: '127.0.0.1',
			MEDIASOUP_NUM_WORKERS: String(options.workers),
			MEDIASOUP_WEBRTC_SERVER_PORT: String(webRtcServerPort),
			MEDIASOUP_MIN_PORT: String(MEDIA_PORT_RANGE.min),
			MEDIASOUP_MAX_PORT: String(MEDIA_PORT_RANGE.max),
			TERMINAL_SOCKET: path.join(tempDir, 'terminal.sock'),
			METRICS_PORT: String(metricsPort),
			// Per-request logging would cost the server CPU the bench then counts.
			LOG_LEVEL: 'warn',
			// The bench's peers never resume a session: a grace period would only
			// keep departed peers (and their rooms) alive.
			RECONNECT_GRACE_MS: '0',
			...(options.roomSpread ? { MEDIASOUP_ROOM_SPREAD: options.roomSpread } : {}),
			...options.env,
		};
		const nodeArgs = [...SERVER_NODE_ARGS, ...(options.nodeArgs ?? [])];
		const child = spawn(process.execPath, [...nodeArgs, path.join(rootDir, 'server/main.ts')], {
			cwd: rootDir,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		started.set(child, tempDir);
		child.once('exit', () => started.delete(child));
		const output = captureOutput(child, options.log);
		const ca = readFileSync(certificate.cert, 'utf8');
		const baseUrl = `https://127.0.0.1:${httpsPort}`;
		await waitUntilServing(baseUrl, ca, child, output);
		const pid = child.pid;
		if (pid === undefined) throw new Error('server process has no pid');
		return {
			baseUrl,
			ca,
			nodePid: pid,
			metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
			workerPids: () => childPids(pid),
			close: async () => {
				await stopChild(child);
				rmSync(tempDir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		rmSync(tempDir, { recursive: true, force: true });
		throw error;
	}
}

/** A fresh server process for `body`, stopped afterwards however `body` ends. */
export async function withServerProcess<T>(
	options: StartServerOptions,
	body: (server: ServerUnderTest) => Promise<T>,
): Promise<T> {
	const server = await startServerProcess(options);
	try {
		return await body(server);
	} finally {
		await server.close();
	}
}

export function attachToServer(baseUrl: string, ca?: string): ServerUnderTest {
	return {
		baseUrl: baseUrl.replace(/\/+$/, ''),
		ca,
		nodePid: undefined,
		metricsUrl: undefined,
		workerPids: () => [],
		close: async () => {},
	};
}

/** The direct children of a process, from the kernel's per-thread children lists. */
export function childPids(pid: number): number[] {
	const pids = new Set<number>();
	let tasks: string[];
	try {
		tasks = readdirSync(`/proc/${pid}/task`);
	} catch {
		return [];
	}
	for (const task of tasks) {
		try {
			const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
			for (const word of text.split(' ')) if (word.trim()) pids.add(Number(word));
		} catch {
			// The thread ended between listing and reading.
		}
	}
	return [...pids].sort((a, b) => a - b);
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
	return result;
}

/** Forwards output line by line and keeps the last lines for error messages. */
function captureOutput(child: ChildProcess, log: ((line: string) => void) | undefined): string[] {
	const tail: string[] = [];
	const onData = (chunk: Buffer) => {
		for (const line of chunk.toString('utf8').split('\n')) {
			if (!line.trim()) continue;
			tail.push(line);
			if (tail.length > 40) tail.shift();
			log?.(line);
		}
	};
	child.stdout?.on('data', onData);
	child.stderr?.on('data', onData);
	return tail;
}

async function waitUntilServing(baseUrl: string, ca: string, child: ChildProcess, output: string[]): Promise<void> {
	const deadline = Date.now() + READY_TIMEOUT_MS;
	let exited = false;
	child.once('exit', () => {
		exited = true;
	});
	while (Date.now() < deadline) {
		if (exited || child.exitCode !== null) {
			throw new Error(`server exited with code ${child.exitCode} before serving:\n${output.join('\n')}`);
		}
		if (await answers(baseUrl, ca)) return;
		await sleep(200);
	}
	child.kill('SIGKILL');
	throw new Error(`server did not answer on ${baseUrl} within ${READY_TIMEOUT_MS / 1000} s:\n${output.join('\n')}`);
}

/** Any HTTP answer means the server is listening; the routes are mounted before it listens. */
function answers(baseUrl: string, ca: string): Promise<boolean> {
	return new Promise((resolve) => {
		const req = request(`${baseUrl}/`, { method: 'GET', ca, timeout: 2000 }, (res) => {
			res.resume();
			resolve(true);
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(false));
		req.end();
	});
}

/** SIGINT stops the server at once (SIGTERM would drain it first), closing workers in order; SIGKILL if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.kill('SIGINT');
	const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
	await exited;
	clearTimeout(timer);
}
