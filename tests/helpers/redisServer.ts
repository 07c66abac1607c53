// A real redis-server (Debian's package) for tests: on a free loopback port,
// in a temporary folder, without persistence (--save '', no AOF), so every
// start is an empty Redis, as after a crash of an unpersisted one. stop() and
// start() on the same port play a Redis restart; close() stops it and removes
// its folder. The test's after() must call close().
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePortRange } from './freePorts.ts';
import { exitOf } from './nodeProcess.ts';
import { waitFor } from './waitFor.ts';

export class RedisServer {
	readonly port: number;
	readonly host = '127.0.0.1';
	readonly #dir: string;
	#child: ChildProcess | undefined;
	#output = '';

	static async start(): Promise<RedisServer> {
		const server = new RedisServer(await findFreePortRange(1));
		await server.start();
		return server;
	}

	private constructor(port: number) {
		this.port = port;
		this.#dir = mkdtempSync(path.join(os.tmpdir(), 'redis-test-'));
	}

	get url(): string {
		return `redis://${this.host}:${this.port}`;
	}

	get running(): boolean {
		return this.#child !== undefined;
	}

	/** Starts it (again) on the same port; resolves once it accepts connections. */
	async start(): Promise<void> {
		if (this.#child) throw new Error('redis-server is already running');
		this.#output = '';
		const args = ['--port', String(this.port), '--bind', this.host, '--save', '', '--appendonly', 'no'];
		const child = spawn('redis-server', [...args, '--dir', this.#dir], { stdio: ['ignore', 'pipe', 'pipe'] });
		this.#child = child;
		const collect = (chunk: Buffer) => {
			this.#output += chunk.toString();
		};
		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
		child.once('exit', () => {
			if (this.#child === child) this.#child = undefined;
		});
		await waitFor(`redis-server on port ${this.port} (output: ${this.#output.slice(-300)})`, () => {
			if (this.#child !== child) throw new Error(`redis-server exited: ${this.#output.slice(-500)}`);
			return this.#output.includes('Ready to accept connections');
		});
	}

	/** Stops it (SIGTERM; SIGKILL after 5 s) and waits for the process to exit. */
	async stop(): Promise<void> {
		const child = this.#child;
		if (!child) return;
		const exited = exitOf(child);
		child.kill('SIGTERM');
		const force = setTimeout(() => child.kill('SIGKILL'), 5000);
		await exited;
		clearTimeout(force);
		this.#child = undefined;
	}

	async restart(): Promise<void> {
		await this.stop();
		await this.start();
	}

	async close(): Promise<void> {
		await this.stop();
		rmSync(this.#dir, { recursive: true, force: true });
	}
}
