// What Prometheus does to a server, as the bench does it: GET /metrics every
// `intervalMs`, one at a time, timing each scrape from the request to the
// last byte of the answer (the connection kept alive, as Prometheus keeps it).
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Scrape {
	ms: number;
	bytes: number;
}

export class MetricsScraper {
	readonly scrapes: Scrape[] = [];
	readonly #url: string;
	readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
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
				await this.scrape();
				await sleep(Math.max(0, intervalMs - (performance.now() - started)));
			}
		})();
		return this;
	}

	/** One scrape: its text, after recording how long it took. */
	scrape(): Promise<string> {
		const started = performance.now();
		return new Promise<string>((resolve, reject) => {
			const req = request(this.#url, { agent: this.#agent }, (res) => {
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
		this.#agent.destroy();
	}
}

/** A sample's value in a scrape (the first line of that name and labels), undefined when absent. */
export function sampleValue(text: string, series: string): number | undefined {
	const escaped = series.replace(/[{}()[\].*+?^$|\\]/g, '\\$&');
	const value = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text)?.[1];
	return value === undefined ? undefined : Number(value);
}
