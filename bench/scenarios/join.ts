// The `join` scenario: signaling-only peers (LoadPeer: mediasoup-client's
// FakeHandler, producing audio and video, consuming everyone) join one room
// one after the other while the earlier ones stay, so the room grows to
// `peers`. For each newcomer it times the join a user waits for:
//
//   joinMs = from the WebSocket open (protoo 'open') until the peer has
//   loaded the router's capabilities, created its send and receive
//   transports, joined, produced audio and video (both answered), and
//   accepted every consumer it is owed (2 per peer already in the room).
//
// The order is the browser app's (app/RoomClient.ts). The next peer starts
// only once every earlier peer has accepted the newcomer's two consumers
// (othersMs), so each join is timed in a quiet room of the size it names.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiKey, mintToken } from '../../server/auth/tokens.ts';
import type { GcTrace } from '../GcTrace.ts';
import { LoadPeer } from '../LoadPeer.ts';
import { type ProcessStats, readProcessGroupStats } from '../processStats.ts';
import type { ScenarioContext } from '../ScenarioContext.ts';
import type { ScenarioReport } from '../ScenarioReport.ts';
import type { ServerUnderTest } from '../ServerUnderTest.ts';

export interface JoinOptions {
	/** How many peers join, one after the other (default 200). */
	peers: number;
	/** Default: a fresh random id, so runs never share a room. */
	roomId?: string;
	/**
	 * How long the full room sits idle, everyone still in, before the server's
	 * memory is read again (default 0: not read again). Right after the last
	 * join the server still holds the garbage of the join burst, which V8 gives
	 * back only once it is quiet for a while.
	 */
	settleMs?: number;
	/** The server's GC trace: each row then says what collections the join waited for. */
	gcTrace?: GcTrace | undefined;
	/** Token mode: each peer connects with a token minted with this key (the server has it in AUTH_KEYS). */
	apiKey?: ApiKey | undefined;
	/** Runs once every peer has joined, before the room sits idle and the peers leave (the metrics scenario scrapes then). */
	atFullRoom?: (() => Promise<void>) | undefined;
}

/** The targets, on a 2-core machine. */
export const JOIN_TARGETS = {
	p95Peers41to50Ms: 50,
	p95Peers191to200Ms: 200,
	/** At 200 peers. */
	memoryPerPeerMb: 2,
};

export const JOIN_INTERVAL =
	'joinMs: WebSocket open -> getRouterRtpCapabilities, send and recv createWebRtcTransport, join, ' +
	'produce audio+video answered, and every owed newConsumer (2 per earlier peer) accepted';

/** How long the server gets after the peers leave before its memory is read again. */
const SETTLE_AFTER_CLOSE_MS = 1000;

const MB = 1024 * 1024;

export async function runJoin(options: JoinOptions, context: ScenarioContext): Promise<ScenarioReport> {
	const peers = options.peers;
	const roomId = options.roomId ?? `bench-join-${randomBytes(4).toString('hex')}`;
	const { server } = context;
	const settleMs = options.settleMs ?? 0;
	const joined: LoadPeer[] = [];
	const rows: Record<string, number>[] = [];
	const before = serverUsage(server);
	const beforeSplit = serverSplit(server);
	const benchCpuBefore = process.cpuUsage();
	let end: ServerUsage;
	let endSplit: ServerSplit;
	let settledSplit: ServerSplit | undefined;
	let allConsumed: boolean;
	try {
		for (let index = 0; index < peers; index++) {
			rows.push(await joinNext(server, roomId, joined, options));
			if ((index + 1) % 10 === 0 || index + 1 === peers) context.progress(progressLine(rows, peers));
		}
		end = serverUsage(server);
		endSplit = serverSplit(server);
		allConsumed = consumeEachOther(joined);
		await options.atFullRoom?.();
		if (settleMs > 0) {
			context.progress(`join: the room of ${peers} sits idle for ${settleMs} ms`);
			await sleep(settleMs);
			settledSplit = serverSplit(server);
		}
	} finally {
		for (const peer of joined) peer.close();
	}
	const benchCpuMs = cpuMs(process.cpuUsage(benchCpuBefore));
	const grown = growthPerPeerMb(beforeSplit, endSplit, peers);
	await sleep(SETTLE_AFTER_CLOSE_MS);
	const afterClose = serverUsage(server);
	return {
		scenario: 'join',
		title: `${peers} peers join one room, one after the other`,
		parameters: {
			peers,
			roomId,
			access: options.apiKey ? 'token mode: every peer connects with its own token' : 'open mode',
			serverWorkers: server.workerPids().length,
			measured: JOIN_INTERVAL,
			order: 'sequential: the next peer opens its WebSocket once every earlier peer consumes the newcomer',
			memoryPerPeer: '(server node + workers RSS after the last join - RSS before the first peer) / peers',
			settleMs,
			settledMemoryPerPeer: 'the same, once the full room sat idle settleMs',
			gcTrace: options.gcTrace
				? "gcPauseMs, fullGcs, fullGcPauseMs, fullGcMarkingMs: the server's --trace-gc pauses and incremental marking during each join"
				: 'off',
		},
		rows,
		summary: {
			allConsumed,
			...latencySummary(rows),
			serverRssBeforeMb: round(before.rssBytes / MB),
			serverRssEndMb: round(end.rssBytes / MB),
			serverRssAfterCloseMb: round(afterClose.rssBytes / MB),
			memoryPerPeerMb: roundPerPeer((end.rssBytes - before.rssBytes) / MB / peers),
			// Where the memory goes: the node process (JS objects per consumer) or the workers (C++ ones).
			nodeMemoryPerPeerMb: roundPerPeer(grown.node),
			workersMemoryPerPeerMb: roundPerPeer(grown.workers),
			...settledMemory(beforeSplit, settledSplit, peers),
			serverCpuMs: Math.round(end.cpuMs - before.cpuMs),
			// Node's thread is what a join waits on; the workers' CPU is spread over cores.
			nodeCpuMs: Math.round(endSplit.node.cpuMs - beforeSplit.node.cpuMs),
			workersCpuMs: Math.round(endSplit.workers.cpuMs - beforeSplit.workers.cpuMs),
			benchCpuMs: Math.round(benchCpuMs),
			...targetSummary(rows, (end.rssBytes - before.rssBytes) / MB / peers),
		},
		plots: [
			{ title: 'Join latency as the room grows', x: 'peer', y: ['joinMs', 'joinedMs', 'consumersMs', 'othersMs'] },
			{ title: 'Server memory (node + workers)', x: 'peer', y: ['serverRssMb'] },
			{ title: 'CPU per join (server vs load generator)', x: 'peer', y: ['serverCpuMs', 'benchCpuMs'] },
			// Only with --trace-gc; a plot without data is left out.
			{
				title: 'Server GC during each join',
				x: 'peer',
				y: ['joinMs', 'gcPauseMs', 'fullGcPauseMs', 'fullGcMarkingMs'],
			},
		],
	};
}

/** One newcomer: connect, join, wait until it and every earlier peer consume what they are owed. */
async function joinNext(
	server: ServerUnderTest,
	roomId: string,
	joined: LoadPeer[],
	{ gcTrace, apiKey }: JoinOptions,
): Promise<Record<string, number>> {
	const peerId = `peer-${joined.length + 1}`;
	// Minting is the application backend's work, not the server's: before the clock starts.
	const token = apiKey ? await mintToken({ apiKey, identity: peerId, grants: { room: roomId } }) : undefined;
	const startedAt = Date.now();
	const serverBefore = serverUsage(server);
	const benchBefore = process.cpuUsage();
	const earlier = [...joined];
	const peer = await LoadPeer.connect({
		wsBaseUrl: wsBaseUrl(server),
		ca: server.ca,
		roomId,
		peerId,
		token,
	});
	joined.push(peer);
	const owed = 2 * earlier.length;
	const consumed = peer.whenConsumers(owed);
	// Each earlier peer already has 2 consumers per peer before the newcomer.
	const othersConsumed = Promise.all(earlier.map((other) => other.whenConsumers(owed)));
	const marks = await peer.join();
	const consumersMs = (await consumed) - peer.openedAt;
	const othersMs = Math.max(peer.openedAt, ...(await othersConsumed)) - peer.openedAt;
	const serverAfter = serverUsage(server);
	return {
		peer: joined.length,
		joinMs: round(Math.max(marks.producedMs, consumersMs)),
		connectMs: round(peer.connectMs),
		capabilitiesMs: round(marks.capabilitiesMs),
		transportsMs: round(marks.transportsMs),
		joinedMs: round(marks.joinedMs),
		producedMs: round(marks.producedMs),
		consumersMs: round(consumersMs),
		othersMs: round(othersMs),
		consumers: owed,
		consumersAccepted: peer.consumerCount,
		serverRssMb: round(serverAfter.rssBytes / MB),
		serverCpuMs: round(serverAfter.cpuMs - serverBefore.cpuMs),
		benchCpuMs: round(cpuMs(process.cpuUsage(benchBefore))),
		...gcTrace?.between(startedAt, Date.now()),
	};
}

/**
 * Percentiles of joinMs, and of othersMs (how long the earlier peers took to
 * consume the newcomer): the server serves a newcomer's own consumers first,
 * so what the join gains the others may wait for.
 */
function latencySummary(rows: Record<string, number>[]): Record<string, number | string> {
	const windows = { Peers41to50: [41, 50], Peers191to200: [191, 200], All: [1, rows.length] } as const;
	const summary: Record<string, number | string> = {};
	for (const [name, [first, last]] of Object.entries(windows)) {
		const joins = columnOf(rows, 'joinMs', first, last);
		const others = columnOf(rows, 'othersMs', first, last);
		for (const p of [50, 95, 99]) summary[`p${p}${name}Ms`] = joins ? percentile(joins, p) : 'n/a';
		// The slowest join is what a user staring at a frozen page remembers.
		summary[`max${name}Ms`] = joins ? Math.max(...joins) : 'n/a';
		for (const p of [50, 95]) summary[`othersP${p}${name}Ms`] = others ? percentile(others, p) : 'n/a';
	}
	// The WebSocket handshake, where a token is checked.
	const connects = columnOf(rows, 'connectMs', 1, rows.length);
	for (const p of [50, 99]) summary[`connectP${p}Ms`] = connects ? percentile(connects, p) : 'n/a';
	summary.connectMaxMs = connects ? Math.max(...connects) : 'n/a';
	return summary;
}

function targetSummary(
	rows: Record<string, number>[],
	memoryPerPeerMb: number,
): Record<string, number | string | boolean> {
	const p95Early = columnOf(rows, 'joinMs', 41, 50);
	const p95Late = columnOf(rows, 'joinMs', 191, 200);
	const passEarly = p95Early ? percentile(p95Early, 95) <= JOIN_TARGETS.p95Peers41to50Ms : 'n/a';
	const passLate = p95Late ? percentile(p95Late, 95) <= JOIN_TARGETS.p95Peers191to200Ms : 'n/a';
	// The memory target is stated at 200 peers; a smaller room says nothing about it.
	const passMemory = rows.length >= 200 ? memoryPerPeerMb < JOIN_TARGETS.memoryPerPeerMb : 'n/a';
	return {
		targetP95Peers41to50Ms: JOIN_TARGETS.p95Peers41to50Ms,
		targetP95Peers191to200Ms: JOIN_TARGETS.p95Peers191to200Ms,
		targetMemoryPerPeerMb: JOIN_TARGETS.memoryPerPeerMb,
		passP95Peers41to50: passEarly,
		passP95Peers191to200: passLate,
		passMemoryPerPeer: passMemory,
		pass: [passEarly, passLate, passMemory].every((pass) => pass === true),
	};
}

/** A column of rows first..last (1-based), or undefined when the run did not reach them all. */
function columnOf(rows: Record<string, number>[], column: string, first: number, last: number): number[] | undefined {
	if (rows.length < last) return undefined;
	return rows.slice(first - 1, last).map((row) => row[column] ?? 0);
}

/** How much the RSS of Node and of the workers grew from `from` to `to`, per peer, in MB. */
function growthPerPeerMb(from: ServerSplit, to: ServerSplit, peers: number): { node: number; workers: number } {
	const grew = (a: ProcessStats, b: ProcessStats) => (b.rssBytes - a.rssBytes) / MB / peers;
	return { node: grew(from.node, to.node), workers: grew(from.workers, to.workers) };
}

/** Memory per peer once the room sat idle; 'n/a' when it was not read again. */
function settledMemory(
	before: ServerSplit,
	settled: ServerSplit | undefined,
	peers: number,
): Record<string, number | string> {
	if (!settled) {
		return {
			serverRssSettledMb: 'n/a',
			settledMemoryPerPeerMb: 'n/a',
			settledNodeMemoryPerPeerMb: 'n/a',
			settledWorkersMemoryPerPeerMb: 'n/a',
		};
	}
	const { node, workers } = growthPerPeerMb(before, settled, peers);
	return {
		serverRssSettledMb: round((settled.node.rssBytes + settled.workers.rssBytes) / MB),
		settledMemoryPerPeerMb: roundPerPeer(node + workers),
		settledNodeMemoryPerPeerMb: roundPerPeer(node),
		settledWorkersMemoryPerPeerMb: roundPerPeer(workers),
	};
}

function progressLine(rows: Record<string, number>[], peers: number): string {
	const last = rows.slice(-10).map((row) => row.joinMs ?? 0);
	const rss = rows.at(-1)?.serverRssMb ?? 0;
	return `join: ${rows.length}/${peers} peers, last 10: p50 ${percentile(last, 50)} ms, max ${Math.max(...last)} ms, server RSS ${rss} MB`;
}

// --- shared with the rooms scenario -------------------------------------------

/** Whether every peer consumes the audio and the video of every other peer of the group. */
export function consumeEachOther(group: LoadPeer[]): boolean {
	return group.every((peer) => group.every((other) => other === peer || peer.consumesAllOf(other.id)));
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[rank - 1] ?? Number.NaN;
}

export type ServerUsage = ProcessStats;

/** CPU time and RSS of the server: its node process plus every mediasoup worker. */
export function serverUsage(server: ServerUnderTest): ServerUsage {
	const pids = [server.nodePid, ...server.workerPids()].filter((pid) => pid !== undefined);
	return readProcessGroupStats(pids);
}

/** The server's usage in two parts: its node process and its mediasoup workers. */
interface ServerSplit {
	node: ProcessStats;
	workers: ProcessStats;
}

function serverSplit(server: ServerUnderTest): ServerSplit {
	return {
		node: readProcessGroupStats(server.nodePid === undefined ? [] : [server.nodePid]),
		workers: readProcessGroupStats(server.workerPids()),
	};
}

export function wsBaseUrl(server: ServerUnderTest): string {
	return server.baseUrl.replace(/^http/, 'ws').replace(/\/$/, '');
}

export function cpuMs(usage: NodeJS.CpuUsage): number {
	return (usage.user + usage.system) / 1000;
}

export function round(value: number, digits = 1): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

/** MB per peer to 10 KB: a tenth of a MB is 5% of the 2 MB target, too coarse to compare runs. */
function roundPerPeer(value: number): number {
	return round(value, 2);
}
