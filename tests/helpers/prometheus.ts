// A real Prometheus (Debian's `prometheus`, installed by scripts/setup.sh
// --for-tests) for the tests: the repository's monitoring/prometheus.yml with
// only its target and scrape interval changed, alerts.yml beside it, its own
// data folder and a free port on loopback. Queries go through its HTTP API,
// as Grafana's would. close() stops it and removes its folder.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePortRange } from './freePorts.ts';
import { exitOf } from './nodeProcess.ts';
import { waitFor } from './waitFor.ts';

export const MONITORING_DIR = path.resolve(import.meta.dirname, '../../monitoring');
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** The target and interval of monitoring/prometheus.yml, the only things a test changes. */
const REPO_TARGET = '"127.0.0.1:9464"';
const REPO_INTERVAL = 'scrape_interval: 15s';

export interface Sample {
	metric: Record<string, string>;
	value: number;
}

export class Prometheus {
	readonly url: string;
	readonly #child: ChildProcess;
	readonly #dir: string;
	#output = '';

	/** Prometheus with the repository's configuration, scraping `target` (host:port) every `scrapeInterval`. */
	static async start(target: string, scrapeInterval = '1s'): Promise<Prometheus> {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'prometheus-test-'));
		const repoConfig = readFileSync(path.join(MONITORING_DIR, 'prometheus.yml'), 'utf8');
		for (const expected of [REPO_TARGET, REPO_INTERVAL]) {
			if (!repoConfig.includes(expected)) throw new Error(`monitoring/prometheus.yml no longer has ${expected}`);
		}
		const config = repoConfig
			.replace(REPO_TARGET, `"${target}"`)
			.replace(REPO_INTERVAL, `scrape_interval: ${scrapeInterval}`);
		writeFileSync(path.join(dir, 'prometheus.yml'), config);
		copyFileSync(path.join(MONITORING_DIR, 'alerts.yml'), path.join(dir, 'alerts.yml'));
		const port = await findFreePortRange(1);
		const child = spawn(
			PROMETHEUS_BIN,
			[
				`--config.file=${path.join(dir, 'prometheus.yml')}`,
				`--storage.tsdb.path=${path.join(dir, 'data')}`,
				`--web.listen-address=127.0.0.1:${port}`,
				'--log.level=warn',
			],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		const prometheus = new Prometheus(child, dir, `http://127.0.0.1:${port}`);
		try {
			await waitFor('Prometheus to be ready', () => prometheus.#ready(), { timeoutMs: 30_000, intervalMs: 100 });
		} catch (error) {
			await prometheus.close();
			throw new Error(`${(error as Error).message}\n${prometheus.#output}`);
		}
		return prometheus;
	}

	private constructor(child: ChildProcess, dir: string, url: string) {
		this.#child = child;
		this.#dir = dir;
		this.url = url;
		const collect = (chunk: Buffer) => {
			this.#output += chunk.toString();
		};
		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
	}

	/** What Prometheus printed (warnings and errors). */
	get output(): string {
		return this.#output;
	}

	/** An instant query: the samples of its vector (a scalar as one sample without labels). */
	async query(expr: string): Promise<Sample[]> {
		const data = (await this.api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
			resultType: string;
			result: unknown;
		};
		if (data.resultType === 'scalar') {
			const [, value] = data.result as [number, string];
			return [{ metric: {}, value: Number(value) }];
		}
		return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((entry) => ({
			metric: entry.metric,
			value: Number(entry.value[1]),
		}));
	}

	/** The value of a query that yields one sample. */
	async value(expr: string): Promise<number> {
		const samples = await this.query(expr);
		if (samples.length !== 1)
			throw new Error(`${expr}: ${samples.length} samples, expected one: ${JSON.stringify(samples)}`);
		return (samples[0] as Sample).value;
	}

	/** GET on the HTTP API: its `data`, or an error with Prometheus's own message. */
	async api(pathAndQuery: string): Promise<unknown> {
		const response = await fetch(`${this.url}${pathAndQuery}`);
		const body = (await response.json()) as { status: string; data?: unknown; error?: string; errorType?: string };
		if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.errorType}: ${body.error}`);
		return body.data;
	}

	async close(): Promise<void> {
		if (this.#child.exitCode === null && this.#child.signalCode === null) {
			const exited = exitOf(this.#child);
			this.#child.kill('SIGTERM');
			const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		}
		rmSync(this.#dir, { recursive: true, force: true });
	}

	async #ready(): Promise<boolean> {
		if (this.#child.exitCode !== null) throw new Error(`prometheus exited with ${this.#child.exitCode}`);
		try {
			return (await fetch(`${this.url}/-/ready`)).ok;
		} catch {
			return false;
		}
	}
}

export interface ToolRun {
	code: number | null;
	output: string;
}

/** promtool with `args`, `input` on its stdin; its output (stdout and stderr) and exit code. */
export async function promtool(args: readonly string[], input = ''): Promise<ToolRun> {
	const child = spawn(PROMTOOL_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: MONITORING_DIR });
	let output = '';
	child.stdout.setEncoding('utf8').on('data', (text: string) => {
		output += text;
	});
	child.stderr.setEncoding('utf8').on('data', (text: string) => {
		output += text;
	});
	child.stdin.end(input);
	return { code: await exitOf(child), output };
}
