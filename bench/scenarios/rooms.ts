// The `rooms` scenario: many small rooms filling at once. Every peer of every
// room (LoadPeer: FakeHandler, producing audio and video, consuming everyone)
// opens its WebSocket at the same moment and runs the browser app's join.
// A peer is done when it has produced and accepted a consumer of every other
// peer's audio and video in its room: 2 * (peersPerRoom - 1), whoever of them
// joined first. The run is done when every peer is.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadPeer } from '../LoadPeer.ts';
import type { ScenarioContext } from '../ScenarioContext.ts';
import type { ScenarioReport } from '../ScenarioReport.ts';
import type { ServerUnderTest } from '../ServerUnderTest.ts';
import { consumeEachOther, cpuMs, percentile, round, type ServerUsage, serverUsage, wsBaseUrl } from './join.ts';

export interface RoomsOptions {
	/** Default 50. */
	rooms: number;
	/** Default 4. */
	peersPerRoom: number;
	/** Room ids are `${roomPrefix}-${n}`; default a fresh random prefix. */
	roomPrefix?: string;
}

/** How often server memory is sampled during the run (for its peak). */
const SAMPLE_EVERY_MS = 100;
const SETTLE_AFTER_CLOSE_MS = 1000;
const MB = 1024 * 1024;

interface PeerResult {
	room: number;
	/** Run start -> WebSocket open (TLS and upgrade under load). */
	connectMs: number;
	/** WebSocket open -> produced and every consumer accepted. */
	joinMs: number;
	/** Run start -> done. */
	doneAtMs: number;
}

export async function runRooms(options: RoomsOptions, context: ScenarioContext): Promise<ScenarioReport> {
	const { rooms, peersPerRoom } = options;
	const prefix = options.roomPrefix ?? `bench-rooms-${randomBytes(4).toString('hex')}`;
	const { server } = context;
	const peers: { room: number; peer: LoadPeer }[] = [];
	const before = serverUsage(server);
	const benchCpuBefore = process.cpuUsage();
	const peak = samplePeakRss(server);
	const startedAt = performance.now();
	let results: PeerResult[];
	let end: ServerUsage;
	let totalMs: number;
	let allConsumed: boolean;
	try {
		const runs: Promise<PeerResult>[] = [];
		for (let room = 1; room <= rooms; room++) {
			for (let index = 1; index <= peersPerRoom; index++) {
				const roomId = `${prefix}-${room}`;
				runs.push(joinRoom(server, { roomId, peerId: `peer-${index}`, room, peersPerRoom, startedAt, peers }));
			}
		}
		// allSettled: a failed peer must not leave the others running after the peers are closed.
		results = firstFailureOr(await Promise.allSettled(runs));
		totalMs = performance.now() - startedAt;
		end = serverUsage(server);
		allConsumed = Array.from({ length: rooms }, (_, index) => index + 1).every((room) =>
			consumeEachOther(peers.filter((entry) => entry.room === room).map((entry) => entry.peer)),
		);
	} finally {
		peak.stop();
		for (const { peer } of peers) peer.close();
	}
	const benchCpuMs = cpuMs(process.cpuUsage(benchCpuBefore));
	context.progress(`rooms: ${results.length} peers in ${rooms} rooms done in ${Math.round(totalMs)} ms`);
	await sleep(SETTLE_AFTER_CLOSE_MS);
	const afterClose = serverUsage(server);
	const joinMs = results.map((result) => result.joinMs);
	const connectMs = results.map((result) => result.connectMs);
	const serverCpuMs = end.cpuMs - before.cpuMs;
	return {
		scenario: 'rooms',
		title: `${rooms} rooms of ${peersPerRoom} peers, all joining at once`,
		parameters: {
			rooms,
			peersPerRoom,
			roomPrefix: prefix,
			serverWorkers: server.workerPids().length,
			measured:
				'joinMs: WebSocket open -> capabilities, 2 transports, join, produce audio+video, and a consumer of ' +
				'every other peer of the room accepted; totalMs: first WebSocket opened -> the last peer done',
		},
		rows: results.map((result, index) => ({
			peer: index + 1,
			room: result.room,
			connectMs: round(result.connectMs),
			joinMs: round(result.joinMs),
			doneAtMs: round(result.doneAtMs),
		})),
		summary: {
			peers: results.length,
			allConsumed,
			totalMs: Math.round(totalMs),
			p50JoinMs: round(percentile(joinMs, 50)),
			p95JoinMs: round(percentile(joinMs, 95)),
			p99JoinMs: round(percentile(joinMs, 99)),
			maxJoinMs: round(Math.max(...joinMs)),
			p95ConnectMs: round(percentile(connectMs, 95)),
			// Of one core: 200 is both cores of this machine busy all the time.
			serverCpuPercent: Math.round((serverCpuMs / totalMs) * 100),
			serverCpuMs: Math.round(serverCpuMs),
			benchCpuMs: Math.round(benchCpuMs),
			serverRssBeforeMb: round(before.rssBytes / MB),
			serverRssPeakMb: round(Math.max(peak.maxBytes, end.rssBytes) / MB),
			serverRssEndMb: round(end.rssBytes / MB),
			serverRssAfterCloseMb: round(afterClose.rssBytes / MB),
			memoryPerPeerMb: round((end.rssBytes - before.rssBytes) / MB / results.length),
		},
		plots: [{ title: 'Per-peer join (all rooms at once)', x: 'peer', y: ['connectMs', 'joinMs', 'doneAtMs'] }],
	};
}

async function joinRoom(
	server: ServerUnderTest,
	run: {
		roomId: string;
		peerId: string;
		room: number;
		peersPerRoom: number;
		startedAt: number;
		peers: { room: number; peer: LoadPeer }[];
	},
): Promise<PeerResult> {
	const peer = await LoadPeer.connect({
		wsBaseUrl: wsBaseUrl(server),
		ca: server.ca,
		roomId: run.roomId,
		peerId: run.peerId,
	});
	run.peers.push({ room: run.room, peer });
	const consumed = peer.whenConsumers(2 * (run.peersPerRoom - 1));
	const marks = await peer.join();
	const doneAt = Math.max(await consumed, peer.openedAt + marks.producedMs);
	return {
		room: run.room,
		connectMs: peer.openedAt - run.startedAt,
		joinMs: doneAt - peer.openedAt,
		doneAtMs: doneAt - run.startedAt,
	};
}

function firstFailureOr<T>(settled: PromiseSettledResult<T>[]): T[] {
	const failed = settled.find((result) => result.status === 'rejected');
	if (failed) throw failed.reason;
	return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** Samples the server's RSS until stopped; its peak is what the run needed. */
function samplePeakRss(server: ServerUnderTest): { readonly maxBytes: number; stop(): void } {
	const sampler = {
		maxBytes: 0,
		stop: () => clearInterval(timer),
	};
	const timer = setInterval(() => {
		sampler.maxBytes = Math.max(sampler.maxBytes, serverUsage(server).rssBytes);
	}, SAMPLE_EVERY_MS);
	return sampler;
}
