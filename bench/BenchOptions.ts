// The bench's command line: which scenarios to run and with what sizes.
// node:util's parseArgs does the parsing (strict: an unknown option is an
// error); this file turns its strings into checked numbers and says which
// option was wrong, and holds the --help text next to the defaults it names.
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import { OUTAGE_KINDS, type OutageKind } from '../tests/helpers/OutageKind.ts';
import { DEFAULT_FANOUT_OPTIONS, type FanoutOptions, type WorkerBinary } from './FanoutOptions.ts';
import type { RoomSpread } from './ServerUnderTest.ts';

export const SCENARIOS = [
	'fanout',
	'raw',
	'compare',
	'spread',
	'join',
	'auth',
	'rooms',
	'reconnect',
	'metrics',
] as const;
export type Scenario = (typeof SCENARIOS)[number];
/**
 * What `npm run bench` runs without a scenario: everything the published
 * results need, but reconnect, which needs root (network namespaces) and
 * Chromium.
 */
export const ALL: readonly Scenario[] = ['compare', 'spread', 'join', 'rooms'];

export interface BenchOptions {
	scenarios: Scenario[];
	/** Attach to this running server (https://HOST:PORT) instead of starting one per run. */
	serverUrl: string | undefined;
	ca: string | undefined;
	/** fanout.srtp and fanout.workerBin are the first of these. */
	fanout: FanoutOptions;
	/**
	 * --srtp: what receivers get, one run each (undefined: plain RTP). More
	 * than one, or more than one worker binary: fanout and raw alternate them
	 * round by round (interleaved.ts, runVariants).
	 */
	srtpSuites: (types.SrtpCryptoSuite | undefined)[];
	/** --worker-bin: the binaries to measure; [undefined]: mediasoup's. */
	workerBins: (WorkerBinary | undefined)[];
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
	/** reconnect: trials of each path. */
	trials: number;
	/** reconnect: how Bob's network goes away on the resume path (each one measured, side by side). */
	outages: OutageKind[];
	/** metrics: scrapes of the full room. */
	scrapes: number;
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
  auth      join in open mode and in token mode (a token per peer, checked
            at the WebSocket handshake), interleaved --rounds times:
            token/open of the join percentiles and of the handshake
  rooms     --rooms rooms of --peers-per-room peers, everyone joining at once
  metrics   what the metrics cost: fanout with metrics off and on (scraped
            every 5 s), interleaved --rounds times: scraped/off capacity
            (target >= 0.97); then --scrapes scrapes of a room of --peers
            peers: p50/p99/max (target < 50 ms) and the stats reading
  reconnect two people in Chromium (each in a network namespace; needs root):
            Bob's network away 5 s (--outage), then back -> first new frame
            at the other side (resume, target p95 <= 1 s); SIGKILL of the
            room's worker -> frames on new consumers at both pages (rejoin,
            target p95 <= 3 s); --trials times each
  all       ${ALL.join(', ')}

Options:
  --server URL          measure a running server (fanout, join, rooms only);
                        all bench peers come from one address, so it must
                        allow them (LIMIT_PEERS_PER_ROOM,
                        LIMIT_CONNECTIONS_PER_IP_PER_MINUTE); the servers the
                        bench starts get limits that fit --peers and --rooms
  --ca FILE             PEM certificate to trust for --server
  --workers N           workers for fanout and raw (default 1), and for
                        compare (1) and spread (${cores})
  --spread MODE         fanout/raw room spread: auto, always, never (default never)
  --rounds N            interleaved rounds of compare, spread, auth and metrics
                        (default 3)
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
  --srtp [LIST]         fanout, raw, compare, spread: receivers get SRTP
                        instead of plain RTP. gcm (alone: the default):
                        AEAD_AES_256_GCM, what WebRTC with Chrome uses;
                        aes-cm: AES_CM_128_HMAC_SHA1_80, the suite every
                        endpoint must support; none: plain RTP. A list, e.g.
                        none,gcm,aes-cm: fanout and raw run each, alternated
                        --rounds times
  --worker-bin LIST     fanout, raw (and with one binary every scenario): the
                        mediasoup-worker binaries to run, [LABEL=]PATH,...;
                        with two or more, fanout and raw alternate them
                        --rounds times and compare each with the first
                        (capacity, worker CPU per packet). Default: mediasoup's
                        (MEDIASOUP_WORKER_BIN or its own)
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
  --trials N            reconnect: trials of each path (default 10)
  --outage KIND,...     reconnect: how Bob's network goes away on the resume
                        path: link (his link goes down: Chromium sees a
                        network change), drop (a router drops every packet,
                        links up: nobody sees anything); default link,drop,
                        each trial of one right after the same trial of the
                        other
  --scrapes N           metrics: scrapes of the full room (default 40)
  --out DIR             where report.json, report.txt and report.html go
                        (default bench/results/<date-time>)
  --json                print the JSON report on stdout instead of the text
  --quiet               no progress lines on stderr
  -h, --help            this text
`;

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
	const { values, positionals } = parseArgs({
		args: withSrtpValue(argv),
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
			srtp: { type: 'string' },
			'worker-bin': { type: 'string' },
			peers: { type: 'string' },
			settle: { type: 'string' },
			'join-workers': { type: 'string' },
			'trace-gc': { type: 'boolean', default: false },
			'server-env': { type: 'string', multiple: true },
			rooms: { type: 'string' },
			'peers-per-room': { type: 'string' },
			trials: { type: 'string' },
			outage: { type: 'string' },
			scrapes: { type: 'string' },
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
	const srtpSuites = values.srtp === undefined ? [undefined] : srtpList(values.srtp);
	const workerBins = values['worker-bin'] === undefined ? [undefined] : workerBinaryList(values['worker-bin']);
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
		srtp: srtpSuites[0],
		workerBin: workerBins[0],
	};
	if (fanout.ramp.start > fanout.ramp.max)
		throw new UsageError(`--start (${fanout.ramp.start}) is above --max (${fanout.ramp.max})`);
	const options: BenchOptions = {
		scenarios,
		serverUrl: values.server,
		ca: values.ca,
		fanout,
		srtpSuites,
		workerBins,
		workersGiven: values.workers !== undefined,
		rounds: integer('--rounds', values.rounds, 3, 1),
		joinPeers: integer('--peers', values.peers, 200, 1),
		joinSettleMs: integer('--settle', values.settle, DEFAULT_JOIN_SETTLE_MS, 0),
		joinWorkers: integer('--join-workers', values['join-workers'], cores, 1),
		rooms: integer('--rooms', values.rooms, 50, 1),
		peersPerRoom: integer('--peers-per-room', values['peers-per-room'], 4, 1),
		trials: integer('--trials', values.trials, 10, 1),
		outages: outageList(values.outage ?? OUTAGE_KINDS.join(',')),
		scrapes: integer('--scrapes', values.scrapes, 40, 1),
		traceGc: values['trace-gc'],
		serverEnv: serverEnv(values['server-env'] ?? []),
		outDir: values.out ?? path.join('bench', 'results', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)),
		json: values.json,
		quiet: values.quiet,
	};
	checkServerUse(options);
	checkVariants(options);
	return options;
}

function outageList(text: string): OutageKind[] {
	const kinds = text.split(',').map((kind) => kind.trim());
	for (const kind of kinds) {
		if (!(OUTAGE_KINDS as readonly string[]).includes(kind)) {
			throw new UsageError(`--outage: "${kind}" is not one of ${OUTAGE_KINDS.join(', ')}`);
		}
	}
	return [...new Set(kinds as OutageKind[])];
}

const SRTP_CHOICES: Record<string, types.SrtpCryptoSuite | undefined> = {
	none: undefined,
	gcm: 'AEAD_AES_256_GCM',
	'aes-cm': 'AES_CM_128_HMAC_SHA1_80',
};

function isScenarioName(name: string): boolean {
	return name === 'all' || (SCENARIOS as readonly string[]).includes(name);
}

/**
 * --srtp alone means gcm, as when it was a flag: parseArgs wants a value for
 * a string option, so the bare flag gets one. The next argument is its value
 * unless it is an option or a scenario.
 */
function withSrtpValue(argv: string[]): string[] {
	const result: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const arg = argv[index] as string;
		if (arg !== '--srtp') {
			result.push(arg);
			continue;
		}
		const next = argv[index + 1];
		if (next !== undefined && !next.startsWith('-') && !isScenarioName(next)) {
			result.push(`--srtp=${next}`);
			index++;
		} else {
			result.push('--srtp=gcm');
		}
	}
	return result;
}

function srtpList(text: string): (types.SrtpCryptoSuite | undefined)[] {
	const names = text.split(',').map((name) => name.trim());
	for (const name of names) {
		if (!Object.hasOwn(SRTP_CHOICES, name)) {
			throw new UsageError(`--srtp takes gcm, aes-cm or none (or a list of them), not "${name}"`);
		}
	}
	if (new Set(names).size !== names.length) throw new UsageError(`--srtp names a suite twice: "${text}"`);
	return names.map((name) => SRTP_CHOICES[name]);
}

/** [LABEL=]PATH,...: executable files, each label once (default: the cache folder the binary is in). */
function workerBinaryList(text: string): WorkerBinary[] {
	const binaries = text.split(',').map((item): WorkerBinary => {
		const equals = item.indexOf('=');
		const file = (equals === -1 ? item : item.slice(equals + 1)).trim();
		const label = equals === -1 ? defaultLabel(file) : item.slice(0, equals).trim();
		if (!label || !file) throw new UsageError(`--worker-bin takes [LABEL=]PATH,..., not "${item}"`);
		try {
			accessSync(file, constants.X_OK);
		} catch {
			throw new UsageError(`--worker-bin: "${file}" is not an executable file`);
		}
		return { label, path: path.resolve(file) };
	});
	const labels = binaries.map((binary) => binary.label);
	if (new Set(labels).size !== labels.length) {
		throw new UsageError(`--worker-bin labels must differ (${labels.join(', ')}): name them, LABEL=PATH`);
	}
	return binaries;
}

/** .../mediasoup-worker/3.27.1-8ed6b13d64a58d39/mediasoup-worker -> 3.27.1-8ed6b13d64a58d39 */
function defaultLabel(file: string): string {
	const name = path.basename(file);
	return name === 'mediasoup-worker' ? path.basename(path.dirname(path.resolve(file))) : name;
}

/**
 * Several binaries or suites are alternated by fanout and raw only. A server
 * the bench does not start runs whatever binary it runs.
 */
function checkVariants(options: BenchOptions): void {
	if (options.serverUrl !== undefined && options.workerBins[0] !== undefined) {
		throw new UsageError('--worker-bin needs servers the bench starts: drop --server');
	}
	const variants = options.srtpSuites.length * options.workerBins.length;
	if (variants === 1) return;
	const others = options.scenarios.filter((scenario) => scenario !== 'fanout' && scenario !== 'raw');
	if (others.length > 0) {
		throw new UsageError(
			`several --worker-bin binaries or --srtp suites are alternated by fanout and raw only, not ${others.join(', ')}`,
		);
	}
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

/** compare, spread, auth and metrics start servers with their own settings; a running server has its own. */
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
	const needOwn = options.scenarios.filter(
		(scenario) =>
			scenario === 'compare' ||
			scenario === 'spread' ||
			scenario === 'auth' ||
			scenario === 'reconnect' ||
			scenario === 'metrics',
	);
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
