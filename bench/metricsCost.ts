// `npm run bench -- metrics`: what the metrics cost the server.
//
//   1. Fanout capacity with metrics on and scraped every 5 s (as Prometheus
//      would, by the bench) against the same run with metrics off
//      (METRICS_ENABLED=false), alternated --rounds times in one bench
//      process like `compare`: the median of the per-round ratios (target
//      >= 0.97), and the worker's CPU per forwarded packet at the receiver
//      counts both runs measured without loss.
//   2. One scrape of a server with --peers peers in one room (the join
//      scenario's room, full): --scrapes scrapes 250 ms apart, p50/p99/max
//      (target: under 50 ms), with the stats readings they start running in
//      the background; how long a reading took and how many objects it read,
//      and the server's Node CPU over the scraping.
import type { BenchOptions } from './BenchOptions.ts';
import { fanoutLoad, limitsForLoad } from './benchLimits.ts';
import { type ComparisonRun, capacity, costRatio } from './interleaved.ts';
import { MetricsScraper, sampleValue } from './MetricsScraper.ts';
import { readProcessStats } from './processStats.ts';
import { type Comparison, median } from './report/Comparison.ts';
import type { ScenarioReport } from './ScenarioReport.ts';
import { type ServerUnderTest, withServerProcess } from './ServerUnderTest.ts';
import { runFanout } from './scenarios/fanout.ts';
import { percentile, runJoin } from './scenarios/join.ts';
import { workerBinaryEnv } from './workerBinary.ts';

type Progress = (line: string) => void;
type Mode = 'off' | 'scraped';

/** How often the bench scrapes during a fanout run: a busy Prometheus set-up. */
export const SCRAPE_INTERVAL_MS = 5000;
/** Between two scrapes of the full room. */
const ROOM_SCRAPE_INTERVAL_MS = 250;

export const METRICS_TARGETS = { capacityRatio: 0.97, scrapeP99Ms: 50 };

export async function runMetricsCost(bench: BenchOptions, progress: Progress): Promise<ComparisonRun> {
	const fanout = await fanoutWithAndWithout(bench, progress);
	const scrape = await scrapeOfFullRoom(bench, progress);
	return { reports: [...fanout.reports, scrape.report], comparisons: [...fanout.comparisons, ...scrape.comparisons] };
}

async function fanoutWithAndWithout(bench: BenchOptions, progress: Progress): Promise<ComparisonRun> {
	const workers = bench.workersGiven ? bench.fanout.workers : 1;
	const reports: ScenarioReport[] = [];
	const ratios: number[] = [];
	const costs: number[] = [];
	const notes: string[] = [];
	const scrapes: number[] = [];
	const failures: string[] = [];
	for (let round = 1; round <= bench.rounds; round++) {
		const order: Mode[] = round % 2 === 1 ? ['off', 'scraped'] : ['scraped', 'off'];
		const byMode: Partial<Record<Mode, ScenarioReport>> = {};
		for (const mode of order) {
			progress(`metrics round ${round}/${bench.rounds}: fanout with metrics ${mode}`);
			const options = { ...bench.fanout, workers, roomSpread: 'never' as const, round };
			const env = {
				...workerBinaryEnv(options.workerBin),
				...limitsForLoad(fanoutLoad(options)),
				...bench.serverEnv,
				METRICS_ENABLED: mode === 'off' ? 'false' : 'true',
			};
			const report = await withServerProcess({ workers, roomSpread: 'never', env }, async (server) => {
				const scraper =
					mode === 'scraped' ? new MetricsScraper(metricsUrl(server)).start(SCRAPE_INTERVAL_MS) : undefined;
				try {
					return await runFanout(options, { server, progress });
				} finally {
					await scraper?.stop();
					scrapes.push(...(scraper?.scrapes.map((scrape) => scrape.ms) ?? []));
					failures.push(...(scraper?.failures ?? []));
				}
			});
			report.title = `${report.title}, metrics ${mode === 'off' ? 'off' : `on, scraped every ${SCRAPE_INTERVAL_MS / 1000} s`}`;
			byMode[mode] = report;
			reports.push(report);
		}
		const [on, off] = [capacity(byMode.scraped), capacity(byMode.off)];
		ratios.push(off > 0 ? on / off : 0);
		const cost = costRatio(
			byMode.scraped as ScenarioReport,
			byMode.off as ScenarioReport,
			bench.fanout.lossThreshold * 100,
		);
		if (!Number.isNaN(cost.ratio)) costs.push(cost.ratio);
		notes.push(`round ${round}: ${on} / ${off} receivers, ${cost.detail}`);
		progress(`metrics round ${round}: scraped/off capacity ${on}/${off}`);
	}
	const value = median(ratios);
	return {
		reports,
		comparisons: [
			{
				title: `Fanout capacity with metrics scraped every ${SCRAPE_INTERVAL_MS / 1000} s vs metrics off, ${workers} worker${workers === 1 ? '' : 's'}`,
				metric: 'scraped / off: receivers served with < 1% loss',
				value,
				target: METRICS_TARGETS.capacityRatio,
				pass: value >= METRICS_TARGETS.capacityRatio,
				rounds: ratios,
				note: `${notes.join('; ')}; scrapes during the scraped runs: ${latencies(scrapes)}${failures.length > 0 ? `, ${failures.length} failed (${[...new Set(failures)].join(', ')})` : ''}`,
			},
			{
				title: 'Worker CPU per forwarded packet, metrics scraped vs off',
				metric: 'scraped / off: worker us per packet at the counts both served without loss',
				value: median(costs),
				rounds: costs,
			},
		],
	};
}

async function scrapeOfFullRoom(
	bench: BenchOptions,
	progress: Progress,
): Promise<{ report: ScenarioReport; comparisons: Comparison[] }> {
	const peers = bench.joinPeers;
	const env = {
		...workerBinaryEnv(bench.fanout.workerBin),
		...limitsForLoad({ peersPerRoom: peers, connections: peers }),
		...bench.serverEnv,
	};
	let measured: FullRoomScrapes | undefined;
	const join = await withServerProcess({ workers: bench.joinWorkers, env }, (server) =>
		runJoin(
			{
				peers,
				atFullRoom: async () => {
					progress(`metrics: ${bench.scrapes} scrapes of the room of ${peers} peers`);
					measured = await scrapeFullRoom(server, bench.scrapes);
				},
			},
			{ server, progress },
		),
	);
	if (!measured) throw new Error('the join did not reach a full room');
	const { scrapes, reading, nodeCpuPercent } = measured;
	const ms = scrapes.map((scrape) => scrape.ms);
	const p99 = round(percentile(ms, 99));
	const report: ScenarioReport = {
		scenario: 'metrics',
		title: `Scrapes of /metrics, ${peers} peers in one room`,
		parameters: {
			peers,
			serverWorkers: bench.joinWorkers,
			scrapes: scrapes.length,
			intervalMs: ROOM_SCRAPE_INTERVAL_MS,
			measured: 'GET /metrics from the request to the last byte, keep-alive, one at a time',
		},
		rows: scrapes.map((scrape, index) => ({ scrape: index + 1, ms: round(scrape.ms), kb: round(scrape.bytes / 1024) })),
		summary: {
			scrapeP50Ms: round(percentile(ms, 50)),
			scrapeP99Ms: p99,
			scrapeMaxMs: round(Math.max(...ms)),
			scrapeKb: round((scrapes.at(-1)?.bytes ?? 0) / 1024),
			statsReadingSeconds: reading.seconds,
			statsReadingObjects: reading.objects,
			serverNodeCpuPercentWhileScraped: nodeCpuPercent,
			joinP50AllMs: join.summary.p50AllMs ?? 'n/a',
			joinP95AllMs: join.summary.p95AllMs ?? 'n/a',
		},
		plots: [{ title: 'Scrape duration, full room', x: 'scrape', y: ['ms'] }],
	};
	return {
		report,
		comparisons: [
			{
				title: `One scrape of a server with ${peers} peers in one room`,
				metric: 'scrape p99 (ms)',
				value: p99,
				target: METRICS_TARGETS.scrapeP99Ms,
				pass: p99 < METRICS_TARGETS.scrapeP99Ms,
				rounds: [p99],
				note: `${latencies(ms)}; a stats reading (${reading.objects} objects) took ${reading.seconds} s in the background`,
			},
		],
	};
}

interface FullRoomScrapes {
	scrapes: { ms: number; bytes: number }[];
	reading: { seconds: number | string; objects: number | string };
	nodeCpuPercent: number | string;
}

/**
 * `count` scrapes of the full room, 250 ms apart. The first one starts a
 * stats reading (nothing was read before: nobody scraped); the scrapes go on
 * while it runs, and the reading's own numbers are read at the end.
 */
async function scrapeFullRoom(server: ServerUnderTest, count: number): Promise<FullRoomScrapes> {
	const scraper = new MetricsScraper(metricsUrl(server));
	const cpuBefore = server.nodePid === undefined ? undefined : readProcessStats(server.nodePid);
	const started = performance.now();
	for (let index = 0; index < count; index++) {
		const begun = performance.now();
		await scraper.scrape();
		await new Promise((resolve) =>
			setTimeout(resolve, Math.max(0, ROOM_SCRAPE_INTERVAL_MS - (performance.now() - begun))),
		);
	}
	const elapsedMs = performance.now() - started;
	const cpuAfter = server.nodePid === undefined ? undefined : readProcessStats(server.nodePid);
	const timed = [...scraper.scrapes];
	// The reading's own numbers, once one ended (untimed scrapes; a reading
	// spreads over half of the stats interval). Before that its gauges say 0.
	let text = '';
	for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
		text = await scraper.scrape();
		if ((sampleValue(text, 'msconf_stats_reading_duration_seconds') ?? 0) > 0) break;
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
	const seconds = sampleValue(text, 'msconf_stats_reading_duration_seconds');
	const objects = sampleValue(text, 'msconf_stats_reading_objects');
	await scraper.stop();
	return {
		scrapes: timed,
		reading: { seconds: seconds ? round(seconds, 2) : 'none ended', objects: objects ?? 'n/a' },
		nodeCpuPercent: cpuBefore && cpuAfter ? round(((cpuAfter.cpuMs - cpuBefore.cpuMs) / elapsedMs) * 100) : 'n/a',
	};
}

function metricsUrl(server: ServerUnderTest): string {
	if (!server.metricsUrl) throw new Error('the metrics scenario needs a server the bench starts (no --server)');
	return server.metricsUrl;
}

function latencies(ms: number[]): string {
	if (ms.length === 0) return 'none';
	return `${ms.length} scrapes, p50 ${round(percentile(ms, 50))} ms, p99 ${round(percentile(ms, 99))} ms, max ${round(Math.max(...ms))} ms`;
}

function round(value: number, digits = 1): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
