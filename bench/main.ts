// `npm run bench`: the load tester. Parses the command line (BenchOptions),
// runs the scenarios one after the other (never two at once: they would
// measure each other), prints progress on stderr and the results on stdout,
// and writes them as JSON, text and HTML with plots into --out, and each plot
// as an SVG file of its own into --out/plots.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAuthCompare } from './authCompare.ts';
import { type BenchOptions, HELP, parseBenchArgs, type Scenario, UsageError } from './BenchOptions.ts';
import { type BenchLoad, limitsForLoad } from './benchLimits.ts';
import { GcTrace } from './GcTrace.ts';
import { type ComparisonRun, runCompare, runSpread, runVariants, serverFanout } from './interleaved.ts';
import { runMetricsCost } from './metricsCost.ts';
import type { Comparison } from './report/Comparison.ts';
import { machineInfo } from './report/Comparison.ts';
import { htmlReport } from './report/htmlReport.ts';
import { plotFiles } from './report/lineChart.ts';
import { textReport } from './report/textReport.ts';
import type { ScenarioReport } from './ScenarioReport.ts';
import { attachToServer, killStartedServers, type ServerUnderTest, withServerProcess } from './ServerUnderTest.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runJoin } from './scenarios/join.ts';
import { runRaw } from './scenarios/raw.ts';
import { runReconnect } from './scenarios/reconnect.ts';
import { runRooms } from './scenarios/rooms.ts';
import { workerBinaryEnv } from './workerBinary.ts';

async function main(): Promise<number> {
	let options: BenchOptions | 'help';
	try {
		options = parseBenchArgs(process.argv.slice(2));
	} catch (error) {
		// parseArgs throws TypeErrors with a code for unknown options and missing values.
		if (error instanceof UsageError || isParseArgsError(error)) {
			process.stderr.write(`bench: ${(error as Error).message}\nSee: npm run bench -- --help\n`);
			return 2;
		}
		throw error;
	}
	if (options === 'help') {
		process.stdout.write(HELP);
		return 0;
	}
	const progress = progressLine(options.quiet);
	// However the bench ends (an uncaught exception too), no server it started stays behind.
	process.once('exit', killStartedServers);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			progress(`${signal}: stopping the servers the bench started`);
			killStartedServers();
			process.exit(130);
		});
	}
	const reports: ScenarioReport[] = [];
	const comparisons: Comparison[] = [];
	progress(`scenarios: ${options.scenarios.join(', ')}; results in ${options.outDir}`);
	for (const scenario of options.scenarios) {
		const run = await runScenario(scenario, options, progress);
		reports.push(...run.reports);
		comparisons.push(...run.comparisons);
	}
	const machine = machineInfo();
	mkdirSync(options.outDir, { recursive: true });
	const json = `${JSON.stringify({ machine, comparisons, reports }, null, '\t')}\n`;
	const text = textReport(reports, comparisons, machine);
	writeFileSync(path.join(options.outDir, 'report.json'), json);
	writeFileSync(path.join(options.outDir, 'report.txt'), text);
	writeFileSync(path.join(options.outDir, 'report.html'), htmlReport(reports, comparisons, machine));
	// Each plot on its own too, for bench/RESULTS.md.
	const plots = plotFiles(reports);
	mkdirSync(path.join(options.outDir, 'plots'), { recursive: true });
	for (const { name, svg } of plots) writeFileSync(path.join(options.outDir, 'plots', name), svg);
	process.stdout.write(options.json ? json : text);
	progress(
		`wrote ${['report.json', 'report.txt', 'report.html'].map((name) => path.join(options.outDir, name)).join(', ')} and ${plots.length} plots in ${path.join(options.outDir, 'plots')}`,
	);
	return 0;
}

async function runScenario(
	scenario: Scenario,
	options: BenchOptions,
	progress: (line: string) => void,
): Promise<ComparisonRun> {
	const single = (report: ScenarioReport): ComparisonRun => ({ reports: [report], comparisons: [] });
	// Several binaries or suites: alternated round by round (BenchOptions allows it for fanout and raw only).
	const several = options.srtpSuites.length * options.workerBins.length > 1;
	switch (scenario) {
		case 'compare':
			return runCompare(options, progress);
		case 'spread':
			return runSpread(options, progress, os.availableParallelism());
		case 'raw':
			if (several) return runVariants('raw', options, progress);
			return single(await runRaw(options.fanout, { progress }));
		case 'fanout':
			if (several) return runVariants('fanout', options, progress);
			if (options.serverUrl === undefined)
				return single(await serverFanout(options.fanout, options.fanout.roomSpread, progress));
			return single(
				await withServer(
					options,
					options.fanout.workers,
					(server) => runFanout(options.fanout, { server, progress }),
					NO_PEERS,
				),
			);
		case 'join': {
			const gcTrace = options.traceGc ? new GcTrace() : undefined;
			return single(
				await withServer(
					options,
					options.joinWorkers,
					(server) =>
						runJoin({ peers: options.joinPeers, settleMs: options.joinSettleMs, gcTrace }, { server, progress }),
					{ peersPerRoom: options.joinPeers, connections: options.joinPeers },
					gcTrace,
				),
			);
		}
		case 'auth':
			return runAuthCompare(options, progress);
		case 'metrics':
			return runMetricsCost(options, progress);
		case 'reconnect':
			return {
				reports: await runReconnect({ trials: options.trials, outages: options.outages }, { progress }),
				comparisons: [],
			};
		case 'rooms':
			return single(
				await withServer(
					options,
					options.joinWorkers,
					(server) => runRooms({ rooms: options.rooms, peersPerRoom: options.peersPerRoom }, { server, progress }),
					{ peersPerRoom: options.peersPerRoom, connections: options.rooms * options.peersPerRoom },
				),
			);
	}
}

/** Fanout's load comes over REST and plain transports: no WebSocket peers. */
const NO_PEERS: BenchLoad = { peersPerRoom: 0, connections: 0 };

/**
 * The server given by --server, or a fresh one with `workers` workers and
 * limits that let `load` in, stopped afterwards.
 */
async function withServer<T>(
	options: BenchOptions,
	workers: number,
	body: (server: ServerUnderTest) => Promise<T>,
	load: BenchLoad,
	gcTrace?: GcTrace,
): Promise<T> {
	if (options.serverUrl !== undefined) {
		return body(
			attachToServer(options.serverUrl, options.ca === undefined ? undefined : readFileSync(options.ca, 'utf8')),
		);
	}
	const trace = gcTrace ? { nodeArgs: ['--trace-gc'], log: gcTrace.onLine } : {};
	const env = { ...workerBinaryEnv(options.fanout.workerBin), ...limitsForLoad(load), ...options.serverEnv };
	return withServerProcess({ workers, env, ...trace }, body);
}

function progressLine(quiet: boolean): (line: string) => void {
	if (quiet) return () => {};
	return (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function isParseArgsError(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
