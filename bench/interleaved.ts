// The two comparisons the published numbers rest on. Single runs on this kind
// of machine vary by about 15%, so neither compares one run with another:
// both alternate the runs they compare, round after round, in one bench
// process, and take the median of the per-round ratios.
//
//   compare:  fanout through the server vs raw (bare mediasoup), one worker.
//   spread:   one room spread over all workers vs pinned to one, for the
//             server and for raw; the server's speed-up as a share of raw's.
//   variants: fanout or raw with several worker binaries (--worker-bin) or
//             receivers' SRTP suites (--srtp): each against the first.
import type { types } from 'mediasoup';
import type { BenchOptions } from './BenchOptions.ts';
import { fanoutLoad, limitsForLoad } from './benchLimits.ts';
import type { FanoutOptions, WorkerBinary } from './FanoutOptions.ts';
import { describeReceivers } from './fanoutReport.ts';
import { type Comparison, median } from './report/Comparison.ts';
import type { ScenarioReport } from './ScenarioReport.ts';
import { type RoomSpread, withServerProcess } from './ServerUnderTest.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runRaw } from './scenarios/raw.ts';
import { workerBinaryEnv } from './workerBinary.ts';

export interface ComparisonRun {
	reports: ScenarioReport[];
	comparisons: Comparison[];
}

type Progress = (line: string) => void;

/** The issue's targets for the two ratios. */
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

/** What one run of runVariants measures with. */
export interface Variant {
	workerBin: WorkerBinary | undefined;
	srtp: types.SrtpCryptoSuite | undefined;
}

/**
 * fanout or raw with every --worker-bin binary and every --srtp suite,
 * alternated --rounds times. In each round the suites take turns (rotated by
 * one each round) and, within a suite, the binaries run one after the other
 * (rotated too), so the two runs a ratio compares are always neighbours.
 * Compared per round, then the median: with several binaries each binary
 * against the first, suite by suite; with one, each suite against the first.
 * Two numbers each: capacity, and the worker's CPU per forwarded packet (the
 * mean over the receiver counts both runs measured without loss; give
 * --receivers to measure the same counts every time).
 */
export async function runVariants(
	kind: 'fanout' | 'raw',
	bench: BenchOptions,
	progress: Progress,
): Promise<ComparisonRun> {
	const { srtpSuites: suites, workerBins: binaries } = bench;
	/** results[suite][binary]: that variant's report of each round. */
	const results = suites.map(() => binaries.map((): ScenarioReport[] => []));
	const reports: ScenarioReport[] = [];
	for (let round = 1; round <= bench.rounds; round++) {
		const line: string[] = [];
		for (const suite of rotated(suites.keys(), round)) {
			for (const binary of rotated(binaries.keys(), round)) {
				const variant: Variant = { srtp: suites[suite], workerBin: binaries[binary] };
				const run: FanoutOptions = { ...bench.fanout, ...variant, round };
				const report =
					kind === 'raw' ? await runRaw(run, { progress }) : await serverFanout(run, run.roomSpread, progress);
				results[suite]?.[binary]?.push(report);
				reports.push(report);
				line.push(`${variantName(variant)} ${capacity(report)}`);
			}
		}
		progress(`${kind} round ${round}/${bench.rounds}: ${line.join(', ')} receivers`);
	}
	const lossThreshold = bench.fanout.lossThreshold * 100;
	const runs = (suite: number, binary: number): ScenarioReport[] => results[suite]?.[binary] ?? [];
	const comparisons: Comparison[] = [];
	for (const [suite, srtp] of suites.entries()) {
		for (const [binary, workerBin] of binaries.entries()) {
			comparisons.push(...absolute(kind, { srtp, workerBin }, runs(suite, binary), lossThreshold));
		}
	}
	if (binaries.length > 1) {
		for (const [suite, srtp] of suites.entries()) {
			for (const binary of binaries.keys()) {
				if (binary === 0) continue;
				const what = `${kind}, ${describeReceivers(srtp)} receivers: worker ${labelOf(binaries[binary])} / ${labelOf(binaries[0])}`;
				comparisons.push(...relative(what, runs(suite, binary), runs(suite, 0), lossThreshold));
			}
		}
	} else {
		for (const suite of suites.keys()) {
			if (suite === 0) continue;
			const what = `${kind}${binaries[0] ? `, worker ${binaries[0].label}` : ''}: ${describeReceivers(suites[suite])} / ${describeReceivers(suites[0])} receivers`;
			comparisons.push(...relative(what, runs(suite, 0), runs(0, 0), lossThreshold));
		}
	}
	return { reports, comparisons };
}

/** 0..n-1 starting at (round - 1) mod n. */
function rotated(indexes: Iterable<number>, round: number): number[] {
	const all = [...indexes];
	return all.map((_, offset) => all[(offset + round - 1) % all.length] as number);
}

function labelOf(workerBin: WorkerBinary | undefined): string {
	return workerBin?.label ?? "mediasoup's";
}

function variantName(variant: Variant): string {
	return `${labelOf(variant.workerBin)} ${variant.srtp ?? 'plain'}`;
}

/** A variant's own numbers, median over its rounds. */
function absolute(kind: string, variant: Variant, runs: ScenarioReport[], lossThreshold: number): Comparison[] {
	const name = `${kind}, worker ${labelOf(variant.workerBin)}, ${describeReceivers(variant.srtp)} receivers`;
	const capacities = runs.map(capacity);
	const costs = runs.map((run) => meanUsPerPacket(run, lossThreshold)).filter((value) => !Number.isNaN(value));
	return [
		{
			title: `${name}: capacity`,
			metric: 'receivers served with < loss threshold',
			value: median(capacities),
			rounds: capacities,
		},
		{
			title: `${name}: worker us per forwarded packet`,
			metric: 'mean over the steps without loss',
			value: median(costs),
			rounds: costs,
		},
	];
}

/** `runs` against `base`, round by round: the ratios of capacity and of CPU per packet. */
function relative(what: string, runs: ScenarioReport[], base: ScenarioReport[], lossThreshold: number): Comparison[] {
	const capacityRatios: number[] = [];
	const costRatios: number[] = [];
	const notes: string[] = [];
	for (const [index, run] of runs.entries()) {
		const against = base[index];
		if (against === undefined) continue;
		const [mine, theirs] = [capacity(run), capacity(against)];
		capacityRatios.push(theirs > 0 ? mine / theirs : 0);
		const cost = costRatio(run, against, lossThreshold);
		if (!Number.isNaN(cost.ratio)) costRatios.push(cost.ratio);
		notes.push(`round ${index + 1}: ${mine} / ${theirs} receivers, ${cost.detail}`);
	}
	return [
		{
			title: `${what}: capacity`,
			metric: 'receivers served with < loss threshold, ratio',
			value: median(capacityRatios),
			rounds: capacityRatios,
			note: `${notes.join('; ')}${unbracketed([...runs, ...base])}`,
		},
		{
			title: `${what}: worker us per forwarded packet`,
			metric: 'ratio of the means over the receiver counts both measured without loss',
			value: median(costRatios),
			rounds: costRatios,
		},
	];
}

/** Rows without loss, by receiver count (a --sequence repeat: the last one). */
function losslessRows(report: ScenarioReport, lossThreshold: number): Map<number, Record<string, number>> {
	const rows = new Map<number, Record<string, number>>();
	for (const row of report.rows) {
		if (row.receivers !== undefined && (row.lossPercent ?? 100) <= lossThreshold && row.workerUsPerPacket !== undefined)
			rows.set(row.receivers, row);
	}
	return rows;
}

function meanUsPerPacket(report: ScenarioReport, lossThreshold: number): number {
	const values = [...losslessRows(report, lossThreshold).values()].map((row) => row.workerUsPerPacket as number);
	return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function costRatio(
	run: ScenarioReport,
	base: ScenarioReport,
	lossThreshold: number,
): { ratio: number; detail: string } {
	const mine = losslessRows(run, lossThreshold);
	const theirs = losslessRows(base, lossThreshold);
	const counts = [...mine.keys()].filter((count) => theirs.has(count));
	if (counts.length === 0) return { ratio: Number.NaN, detail: 'no receiver count measured without loss by both' };
	const mean = (rows: Map<number, Record<string, number>>) =>
		counts.reduce((sum, count) => sum + (rows.get(count)?.workerUsPerPacket ?? 0), 0) / counts.length;
	const [a, b] = [mean(mine), mean(theirs)];
	return {
		ratio: b > 0 ? a / b : Number.NaN,
		detail: `${a.toFixed(2)} / ${b.toFixed(2)} us per packet at ${counts.join(',')} receivers`,
	};
}

/** A fanout ramp against a server process of its own, stopped afterwards (no leftovers between runs). */
export async function serverFanout(
	options: FanoutOptions,
	roomSpread: RoomSpread,
	progress: Progress,
): Promise<ScenarioReport> {
	return withServerProcess(
		{
			workers: options.workers,
			roomSpread,
			env: { ...workerBinaryEnv(options.workerBin), ...limitsForLoad(fanoutLoad(options)) },
		},
		(server) => runFanout({ ...options, roomSpread }, { server, progress }),
	);
}

export function capacity(report: ScenarioReport | undefined): number {
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
