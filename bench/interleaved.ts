// The two comparisons the published numbers rest on. Single runs on this kind
// of machine vary by about 15%, so neither compares one run with another:
// both alternate the runs they compare, round after round, in one bench
// process, and take the median of the per-round ratios.
//
//   compare: fanout through the server vs raw (bare mediasoup), one worker.
//   spread:  one room spread over all workers vs pinned to one, for the
//            server and for raw; the server's speed-up as a share of raw's.
import type { BenchOptions } from './BenchOptions.ts';
import type { FanoutOptions } from './FanoutOptions.ts';
import { type Comparison, median } from './report/Comparison.ts';
import type { ScenarioReport } from './ScenarioReport.ts';
import { type RoomSpread, withServerProcess } from './ServerUnderTest.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runRaw } from './scenarios/raw.ts';

export interface ComparisonRun {
	reports: ScenarioReport[];
	comparisons: Comparison[];
}

type Progress = (line: string) => void;

/** The targets for the two ratios. */
export const TARGETS = { serverOverRaw: 0.95, spreadShareOfRaw: 0.9 };

export async function runCompare(bench: BenchOptions, progress: Progress): Promise<ComparisonRun> {
	const workers = bench.workersGiven ? bench.fanout.workers : 1;
	const options: FanoutOptions = { ...bench.fanout, workers, roomSpread: 'never' };
	const reports: ScenarioReport[] = [];
	const ratios: number[] = [];
	const notes: string[] = [];
	for (let round = 1; round <= bench.rounds; round++) {
		const run = { ...options, round };
		// Alternating which goes first cancels a drift (thermal, neighbours) over the run.
		const order = round % 2 === 1 ? (['raw', 'server'] as const) : (['server', 'raw'] as const);
		const byKind: Partial<Record<'raw' | 'server', ScenarioReport>> = {};
		for (const kind of order) {
			byKind[kind] = kind === 'raw' ? await runRaw(run, { progress }) : await serverFanout(run, 'never', progress);
		}
		const server = capacity(byKind.server);
		const raw = capacity(byKind.raw);
		reports.push(byKind.raw as ScenarioReport, byKind.server as ScenarioReport);
		ratios.push(raw > 0 ? server / raw : 0);
		notes.push(`round ${round}: server ${server}, raw ${raw} receivers`);
		progress(`compare round ${round}/${bench.rounds}: server ${server} / raw ${raw} = ${ratio(server, raw)}`);
	}
	const value = median(ratios);
	return {
		reports,
		comparisons: [
			{
				title: `Fanout capacity through the server vs bare mediasoup, ${workers} worker${workers === 1 ? '' : 's'}`,
				metric: 'server / raw: receivers served with < 1% loss',
				value,
				target: TARGETS.serverOverRaw,
				pass: value >= TARGETS.serverOverRaw,
				rounds: ratios,
				note: `${notes.join('; ')}${unbracketed(reports)}`,
			},
		],
	};
}

export async function runSpread(bench: BenchOptions, progress: Progress, cores: number): Promise<ComparisonRun> {
	const workers = bench.workersGiven ? bench.fanout.workers : Math.max(2, cores);
	const reports: ScenarioReport[] = [];
	const serverSpeedups: number[] = [];
	const rawSpeedups: number[] = [];
	const shares: number[] = [];
	const notes: string[] = [];
	const kinds = ['server always', 'server never', 'raw spread', 'raw pinned'] as const;
	for (let round = 1; round <= bench.rounds; round++) {
		const run = { ...bench.fanout, workers, round };
		// Rotate the order each round so no kind always runs first or last.
		const order = kinds.map((_, index) => kinds[(index + round - 1) % kinds.length] as (typeof kinds)[number]);
		const byKind: Partial<Record<(typeof kinds)[number], ScenarioReport>> = {};
		for (const kind of order) {
			if (kind === 'server always')
				byKind[kind] = await serverFanout({ ...run, roomSpread: 'always' }, 'always', progress);
			else if (kind === 'server never')
				byKind[kind] = await serverFanout({ ...run, roomSpread: 'never' }, 'never', progress);
			else if (kind === 'raw spread') byKind[kind] = await runRaw({ ...run, roomSpread: 'always' }, { progress });
			else byKind[kind] = await runRaw({ ...run, roomSpread: 'never' }, { progress });
		}
		for (const kind of kinds) reports.push(byKind[kind] as ScenarioReport);
		const [always, never, spread, pinned] = kinds.map((kind) => capacity(byKind[kind]));
		const serverSpeedup = (never ?? 0) > 0 ? (always ?? 0) / (never as number) : 0;
		const rawSpeedup = (pinned ?? 0) > 0 ? (spread ?? 0) / (pinned as number) : 0;
		serverSpeedups.push(serverSpeedup);
		rawSpeedups.push(rawSpeedup);
		shares.push(rawSpeedup > 0 ? serverSpeedup / rawSpeedup : 0);
		notes.push(`round ${round}: server ${always}/${never}, raw ${spread}/${pinned} receivers`);
		progress(
			`spread round ${round}/${bench.rounds}: server x${serverSpeedup.toFixed(2)}, raw x${rawSpeedup.toFixed(2)}, share ${ratio(serverSpeedup, rawSpeedup)}`,
		);
	}
	const share = median(shares);
	const note = `${notes.join('; ')}${unbracketed(reports)}`;
	return {
		reports,
		comparisons: [
			{
				title: `One room on ${workers} workers vs pinned to one: the server's speed-up`,
				metric: 'capacity with room spread always / with room spread never',
				value: median(serverSpeedups),
				rounds: serverSpeedups,
				note,
			},
			{
				title: `${workers} piped routers vs one router: bare mediasoup's speed-up (same harness)`,
				metric: 'capacity spread over routers / on one router',
				value: median(rawSpeedups),
				rounds: rawSpeedups,
			},
			{
				title: "The server's multi-core speed-up as a share of bare mediasoup's",
				metric: '(server always / never) / (raw spread / pinned), per round',
				value: share,
				target: TARGETS.spreadShareOfRaw,
				pass: share >= TARGETS.spreadShareOfRaw,
				rounds: shares,
			},
		],
	};
}

/** A fanout ramp against a server process of its own, stopped afterwards (no leftovers between runs). */
export async function serverFanout(
	options: FanoutOptions,
	roomSpread: RoomSpread,
	progress: Progress,
): Promise<ScenarioReport> {
	return withServerProcess({ workers: options.workers, roomSpread }, (server) =>
		runFanout({ ...options, roomSpread }, { server, progress }),
	);
}

function capacity(report: ScenarioReport | undefined): number {
	const value = report?.summary.capacityReceivers;
	return typeof value === 'number' ? value : 0;
}

function ratio(a: number, b: number): string {
	return b > 0 ? (a / b).toFixed(3) : 'n/a';
}

/** A ramp that never saw loss only gives a lower bound: the ratio then means little. */
function unbracketed(reports: ScenarioReport[]): string {
	const open = reports.filter((report) => report.summary.capacityBracketed === false);
	return open.length === 0 ? '' : `; ${open.length} ramp(s) reached --max without loss: raise --max`;
}
