// The bench's command line: which scenarios to run and with what sizes.
// node:util's parseArgs does the parsing (strict: an unknown option is an
// error); this file turns its strings into checked numbers and says which
// option was wrong, and holds the --help text next to the defaults it names.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FANOUT_OPTIONS, type FanoutOptions } from './FanoutOptions.ts';
import type { RoomSpread } from './ServerUnderTest.ts';

export const SCENARIOS = ['fanout', 'raw', 'compare', 'spread', 'join', 'rooms'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** What `npm run bench` runs without a scenario: everything the published results need. */
export const ALL: readonly Scenario[] = ['compare', 'spread', 'join', 'rooms'];

export interface BenchOptions {
	scenarios: Scenario[];
	/** Attach to this running server (https://HOST:PORT) instead of starting one per run. */
	serverUrl: string | undefined;
	ca: string | undefined;
	fanout: FanoutOptions;
	/** Whether --workers was given: compare and spread have their own defaults otherwise. */
	workersGiven: boolean;
	rounds: number;
	joinPeers: number;
	/** join: how long the full room sits idle before its settled memory is read. */
	joinSettleMs: number;
	/** Server workers for join and rooms. */
	joinWorkers: number;
	rooms: number;
	peersPerRoom: number;
	/** join: the server runs with --trace-gc, and each join row says what collections it waited for. */
	traceGc: boolean;
	/** Extra environment for the servers the bench starts (A/B runs of settings, NODE_OPTIONS). */
	serverEnv: Record<string, string>;
	outDir: string;
	json: boolean;
	quiet: boolean;
}

export class UsageError extends Error {}

const cores = os.availableParallelism();
/** Long enough for V8's memory reducer, which waits for a quiet spell, to give back the join's garbage. */
const DEFAULT_JOIN_SETTLE_MS = 20_000;

export const HELP = `Usage: npm run bench -- [scenario ...] [options]

Measures the server with the bench's own load: generated RTP to plain
receivers (fanout), the same through bare mediasoup (raw), and signaling-only
peers joining rooms (join, rooms). Starts a server process for every server
run (node server/main.ts on free ports) unless --server is given.

Scenarios (default: ${ALL.join(' ')}):
  fanout    one sender (opus + 1 Mbps VP8 RTP) into a room over the REST
            broadcaster API, N plain-transport receivers; ramps N until loss
  raw       the same traffic through bare mediasoup objects in this process
  compare   raw and fanout interleaved --rounds times on one worker:
            server/raw capacity, median of the rounds (target >= 0.95)
  spread    one room on all ${cores} workers (MEDIASOUP_ROOM_SPREAD=always) vs
            pinned to one (never), and raw piped routers vs one router,
            interleaved --rounds times: the server's speed-up as a share of
            bare mediasoup's (target >= 0.9)
  join      --peers peers join one room one after the other: join latency
            (WebSocket open to every consumer accepted) and memory per peer
  rooms     --rooms rooms of --peers-per-room peers, everyone joining at once
  all       ${ALL.join(', ')}

Options:
  --server URL          measure a running server (fanout, join, rooms only)
  --ca FILE             PEM certificate to trust for --server
  --workers N           workers for fanout and raw (default 1), and for
                        compare (1) and spread (${cores})
  --spread MODE         fanout/raw room spread: auto, always, never (default never)
  --rounds N            interleaved rounds of compare and spread (default 3)
  --receivers LIST      exact receiver counts, e.g. 100,200,400 (no bisection)
  --sequence LIST       counts measured in this order, each one even after a
                        lossy step, e.g. 600,1400,600 (how a worker recovers)
  --start N             first receiver count of a ramp (default ${DEFAULT_FANOUT_OPTIONS.ramp.start})
  --step N              receivers added per step (default ${DEFAULT_FANOUT_OPTIONS.ramp.step}; 0: double each step)
  --max N               largest receiver count (default ${DEFAULT_FANOUT_OPTIONS.ramp.max})
  --refine N            bisection steps after the first lossy step (default ${DEFAULT_FANOUT_OPTIONS.ramp.refine})
  --warmup MS           wait after resizing before measuring (default ${DEFAULT_FANOUT_OPTIONS.warmupMs})
  --window MS           measurement window per step (default ${DEFAULT_FANOUT_OPTIONS.windowMs})
  --loss PERCENT        loss that ends a ramp (default ${DEFAULT_FANOUT_OPTIONS.lossThreshold * 100})
  --samples N           receivers whose every packet is read (default ${DEFAULT_FANOUT_OPTIONS.samples})
  --srtp                fanout, raw, compare, spread: receivers get SRTP
                        (AEAD_AES_256_GCM, what WebRTC uses) instead of plain RTP
  --peers N             join: peers (default 200)
  --settle MS           join: how long the full room sits idle, everyone still
                        in, before the server's memory is read again (default
                        ${DEFAULT_JOIN_SETTLE_MS}; 0: not read again)
  --join-workers N      join and rooms: server workers (default ${cores})
  --trace-gc            join: the server runs with Node's --trace-gc; each join
                        row gets the server's GC pauses during it (gcPauseMs,
                        fullGcs, fullGcPauseMs)
  --server-env K=V      environment for the servers the bench starts (repeat
                        for more), e.g. NODE_HEAP_GROWING_PERCENT=100 or
                        NODE_OPTIONS=--max-semi-space-size=64 for an A/B
  --rooms N             rooms: rooms (default 50)
  --peers-per-room N    rooms: peers per room (default 4)
  --out DIR             where report.json, report.txt and report.html go
                        (default bench/results/<date-time>)
  --json                print the JSON report on stdout instead of the text
  --quiet               no progress lines on stderr
  -h, --help            this text
`;

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		strict: true,
		options: {
			server: { type: 'string' },
			ca: { type: 'string' },
			workers: { type: 'string' },
			spread: { type: 'string' },
			rounds: { type: 'string' },
			receivers: { type: 'string' },
			sequence: { type: 'string' },
			start: { type: 'string' },
			step: { type: 'string' },
			max: { type: 'string' },
			refine: { type: 'string' },
			warmup: { type: 'string' },
			window: { type: 'string' },
			loss: { type: 'string' },
			samples: { type: 'string' },
			srtp: { type: 'boolean', default: false },
			peers: { type: 'string' },
			settle: { type: 'string' },
			'join-workers': { type: 'string' },
			'trace-gc': { type: 'boolean', default: false },
			'server-env': { type: 'string', multiple: true },
			rooms: { type: 'string' },
			'peers-per-room': { type: 'string' },
			out: { type: 'string' },
			json: { type: 'boolean', default: false },
			quiet: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) return 'help';
	if (values.sequence !== undefined && values.receivers !== undefined) {
		throw new UsageError('--sequence and --receivers cannot be combined: a sequence already lists every count');
	}
	const scenarios = scenarioList(positionals);
	const base = DEFAULT_FANOUT_OPTIONS;
	const fanout: FanoutOptions = {
		...base,
		workers: integer('--workers', values.workers, base.workers, 1),
		roomSpread: spreadMode(values.spread ?? base.roomSpread),
		ramp: {
			receivers: values.receivers === undefined ? undefined : receiverList(values.receivers),
			sequence: values.sequence === undefined ? undefined : countList('--sequence', values.sequence),
			start: integer('--start', values.start, base.ramp.start, 1),
			// 0 doubles the count at each step instead.
			step: integer('--step', values.step, base.ramp.step ?? 0, 0) || undefined,
			max: integer('--max', values.max, base.ramp.max, 1),
			refine: integer('--refine', values.refine, base.ramp.refine, 0),
		},
		warmupMs: integer('--warmup', values.warmup, base.warmupMs, 0),
		windowMs: integer('--window', values.window, base.windowMs, 100),
		lossThreshold: number('--loss', values.loss, base.lossThreshold * 100, 0, 100) / 100,
		samples: integer('--samples', values.samples, base.samples, 1),
		srtp: values.srtp,
	};
	if (fanout.ramp.start > fanout.ramp.max)
		throw new UsageError(`--start (${fanout.ramp.start}) is above --max (${fanout.ramp.max})`);
	const options: BenchOptions = {
		scenarios,
		serverUrl: values.server,
		ca: values.ca,
		fanout,
		workersGiven: values.workers !== undefined,
		rounds: integer('--rounds', values.rounds, 3, 1),
		joinPeers: integer('--peers', values.peers, 200, 1),
		joinSettleMs: integer('--settle', values.settle, DEFAULT_JOIN_SETTLE_MS, 0),
		joinWorkers: integer('--join-workers', values['join-workers'], cores, 1),
		rooms: integer('--rooms', values.rooms, 50, 1),
		peersPerRoom: integer('--peers-per-room', values['peers-per-room'], 4, 1),
		traceGc: values['trace-gc'],
		serverEnv: serverEnv(values['server-env'] ?? []),
		outDir: values.out ?? path.join('bench', 'results', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)),
		json: values.json,
		quiet: values.quiet,
	};
	checkServerUse(options);
	return options;
}

function scenarioList(positionals: string[]): Scenario[] {
	if (positionals.length === 0) return [...ALL];
	const scenarios = new Set<Scenario>();
	for (const name of positionals) {
		if (name === 'all') for (const scenario of ALL) scenarios.add(scenario);
		else if ((SCENARIOS as readonly string[]).includes(name)) scenarios.add(name as Scenario);
		else throw new UsageError(`unknown scenario "${name}"; one of: ${[...SCENARIOS, 'all'].join(', ')}`);
	}
	return [...scenarios];
}

/** compare and spread start servers with their own settings; a running server has its own. */
function checkServerUse(options: BenchOptions): void {
	if (options.serverUrl === undefined) {
		if (options.ca !== undefined) throw new UsageError('--ca only goes with --server');
		return;
	}
	if (options.traceGc || Object.keys(options.serverEnv).length > 0) {
		throw new UsageError('--trace-gc and --server-env are for servers the bench starts, not for --server');
	}
	if (!/^https:\/\/[^/]+\/?$/.test(options.serverUrl)) {
		throw new UsageError(`--server must look like https://HOST:PORT, not "${options.serverUrl}"`);
	}
	const needOwn = options.scenarios.filter((scenario) => scenario === 'compare' || scenario === 'spread');
	if (needOwn.length > 0) {
		throw new UsageError(
			`${needOwn.join(' and ')} start their own servers (with set worker counts and room spread); drop --server or run fanout, join, rooms`,
		);
	}
}

function integer(option: string, text: string | undefined, fallback: number, min: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (!Number.isInteger(value) || value < min)
		throw new UsageError(`${option} must be an integer >= ${min}, not "${text}"`);
	return value;
}

function number(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (!Number.isFinite(value) || value < min || value > max) {
		throw new UsageError(`${option} must be a number from ${min} to ${max}, not "${text}"`);
	}
	return value;
}

function receiverList(text: string): number[] {
	const counts = countList('--receivers', text);
	for (let index = 1; index < counts.length; index++) {
		if ((counts[index] as number) <= (counts[index - 1] as number)) {
			throw new UsageError(`--receivers must increase, not "${text}"`);
		}
	}
	return counts;
}

function countList(option: string, text: string): number[] {
	return text.split(',').map((part) => integer(option, part.trim(), 0, 1));
}

function serverEnv(pairs: string[]): Record<string, string> {
	const env: Record<string, string> = {};
	for (const pair of pairs) {
		const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
		if (!match) throw new UsageError(`--server-env takes NAME=VALUE, not "${pair}"`);
		env[match[1] as string] = match[2] as string;
	}
	return env;
}

function spreadMode(text: string): RoomSpread {
	if (text === 'auto' || text === 'always' || text === 'never') return text;
	throw new UsageError(`--spread must be auto, always or never, not "${text}"`);
}
