// What Prometheus does to a server, as the bench does it: GET /metrics every
// `intervalMs`, one at a time, timing each scrape from the request to the
// last byte of the answer. A new connection each time: Node's server drops a
// connection idle for 5 s, so one kept alive across a 5 s interval can be
// reset just as the next request goes out (loopback's handshake costs less
// than 0.1 ms). A scrape that fails is counted, and the scraping goes on.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Scrape {
	ms: number;
	bytes: number;
}

export class MetricsScraper {
	readonly scrapes: Scrape[] = [];
	/** Why scrapes of start()'s loop failed. */
	readonly failures: string[] = [];
	readonly #url: string;
	#stopped = false;
	#loop: Promise<void> | undefined;

	constructor(url: string) {
		this.#url = url;
	}

	/** Scrapes every `intervalMs` (from the start of one to the start of the next) until stop(). */
	start(intervalMs: number): this {
		this.#loop ??= (async () => {
			while (!this.#stopped) {
				const started = performance.now();
				await this.scrape().catch((error: unknown) => {
					this.failures.push(error instanceof Error ? error.message : String(error));
				});
				await sleep(Math.max(0, intervalMs - (performance.now() - started)));
			}
		})();
		return this;
	}

	/** One scrape: its text, after recording how long it took. */
	scrape(): Promise<string> {
		const started = performance.now();
		return new Promise<string>((resolve, reject) => {
			const req = request(this.#url, { agent: false }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () => {
					const body = Buffer.concat(chunks);
					if (res.statusCode !== 200) {
						reject(new Error(`GET ${this.#url}: ${res.statusCode} ${body.toString('utf8', 0, 200)}`));
						return;
					}
					this.scrapes.push({ ms: performance.now() - started, bytes: body.length });
					resolve(body.toString('utf8'));
				});
			});
			req.on('error', reject);
			req.end();
		});
	}

	async stop(): Promise<void> {
		this.#stopped = true;
		await this.#loop;
	}
}

/** A sample's value in a scrape (the first line of that name and labels), undefined when absent. */
export function sampleValue(text: string, series: string): number | undefined {
	const escaped = series.replace(/[{}()[\].*+?^$|\\]/g, '\\$&');
	const value = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1];
	return value === undefined ? undefined : Number(value);
}
