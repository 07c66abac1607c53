// The join and rooms bench scenarios do what they say (not how fast): against
// the real server process, every peer ends up consuming the audio and video
// of every other peer of its room, the rows and the summary are filled, and
// once the bench peers leave the server closes their rooms.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import type { ScenarioContext } from '../../bench/ScenarioContext.ts';
import type { ScenarioReport } from '../../bench/ScenarioReport.ts';
import { type ServerUnderTest, startServerProcess } from '../../bench/ServerUnderTest.ts';
import { runJoin } from '../../bench/scenarios/join.ts';
import { runRooms } from '../../bench/scenarios/rooms.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: ServerUnderTest;
let context: ScenarioContext;
const progress: string[] = [];

before(async () => {
	server = await startServerProcess({ workers: 2 });
	context = { server, progress: (line) => progress.push(line) };
});

after(async () => {
	await server?.close();
});

describe('join scenario', () => {
	const peers = 6;
	let report: ScenarioReport;

	before(async () => {
		report = await runJoin({ peers, roomId: `bench-join-test-${process.pid}`, settleMs: 300 }, context);
	});

	test('every peer consumes the audio and video of every other peer', () => {
		assert.equal(report.summary.allConsumed, true);
		assert.equal(report.rows.length, peers);
		for (const [index, row] of report.rows.entries()) {
			assert.equal(row.peer, index + 1);
			// A peer joining a room of k - 1 is owed their audio and video, and gets no more.
			assert.equal(row.consumers, 2 * index, `peer ${row.peer} owed`);
			assert.equal(row.consumersAccepted, 2 * index, `peer ${row.peer} accepted`);
		}
	});

	test('latencies are positive and ordered along the join', () => {
		for (const row of report.rows) {
			for (const column of ['joinMs', 'capabilitiesMs', 'transportsMs', 'joinedMs', 'producedMs']) {
				assertPositive(row[column], `peer ${row.peer} ${column}`);
			}
			assert.ok((row.capabilitiesMs ?? 0) <= (row.transportsMs ?? 0), 'capabilities before transports');
			assert.ok((row.transportsMs ?? 0) <= (row.joinedMs ?? 0), 'transports before join');
			assert.ok((row.joinedMs ?? 0) <= (row.joinMs ?? 0), 'join answered before the join is complete');
			assert.ok((row.consumersMs ?? 0) <= (row.joinMs ?? 0), 'consumers within the join');
			assertPositive(row.serverRssMb, `peer ${row.peer} serverRssMb`);
		}
	});

	test('the summary and the parameters say what was measured', () => {
		assertPositive(report.summary.p50AllMs, 'p50AllMs');
		assertPositive(report.summary.p95AllMs, 'p95AllMs');
		assertPositive(report.summary.p99AllMs, 'p99AllMs');
		assert.equal(
			report.summary.maxAllMs,
			Math.max(...report.rows.map((row) => row.joinMs ?? 0)),
			'the slowest join of the run',
		);
		assert.ok(Number(report.summary.maxAllMs) >= Number(report.summary.p99AllMs));
		assertPositive(report.summary.othersP95AllMs, 'othersP95AllMs');
		assertPositive(report.summary.serverRssEndMb, 'serverRssEndMb');
		assert.equal(typeof report.summary.memoryPerPeerMb, 'number');
		// Read again after the room sat idle, everyone still in.
		assert.equal(typeof report.summary.settledMemoryPerPeerMb, 'number');
		assert.equal(typeof report.summary.settledNodeMemoryPerPeerMb, 'number');
		assertPositive(report.summary.serverRssSettledMb, 'serverRssSettledMb');
		assert.equal(report.parameters.settleMs, 300);
		assert.ok(progress.some((line) => line === `join: the room of ${peers} sits idle for 300 ms`));
		// Six peers reach neither window of the targets.
		assert.equal(report.summary.p95Peers41to50Ms, 'n/a');
		assert.equal(report.summary.maxPeers191to200Ms, 'n/a');
		assert.equal(report.summary.passP95Peers191to200, 'n/a');
		assert.equal(report.summary.pass, false);
		assert.match(String(report.parameters.measured), /WebSocket open/);
		assert.equal(report.parameters.peers, peers);
		assert.ok(progress.some((line) => line.startsWith(`join: ${peers}/${peers}`)));
	});

	test('the room is gone once the peers left', async () => {
		await waitFor('join room closed', async () => !(await roomExists(String(report.parameters.roomId))));
	});
});

describe('rooms scenario', () => {
	const rooms = 3;
	const peersPerRoom = 3;
	let report: ScenarioReport;

	before(async () => {
		report = await runRooms({ rooms, peersPerRoom, roomPrefix: `bench-rooms-test-${process.pid}` }, context);
	});

	test('every peer consumes the audio and video of every other peer of its room', () => {
		assert.equal(report.summary.allConsumed, true);
		assert.equal(report.rows.length, rooms * peersPerRoom);
		for (let room = 1; room <= rooms; room++) {
			assert.equal(report.rows.filter((row) => row.room === room).length, peersPerRoom, `room ${room}`);
		}
	});

	test('per-peer and total times, CPU and memory are filled', () => {
		for (const row of report.rows) {
			assertPositive(row.joinMs, `peer ${row.peer} joinMs`);
			assert.ok((row.doneAtMs ?? 0) >= (row.joinMs ?? 0), 'done after its own join');
		}
		assertPositive(report.summary.totalMs, 'totalMs');
		assertPositive(report.summary.p95JoinMs, 'p95JoinMs');
		assert.ok(Number(report.summary.totalMs) >= Number(report.summary.maxJoinMs), 'total covers every join');
		assertPositive(report.summary.serverRssPeakMb, 'serverRssPeakMb');
		assert.equal(typeof report.summary.serverCpuPercent, 'number');
	});

	test('every room is gone once the peers left', async () => {
		for (let room = 1; room <= rooms; room++) {
			const roomId = `${report.parameters.roomPrefix}-${room}`;
			await waitFor(`room ${roomId} closed`, async () => !(await roomExists(roomId)));
		}
	});
});

function assertPositive(value: unknown, what: string): void {
	assert.equal(typeof value, 'number', `${what} is a number`);
	assert.ok(Number.isFinite(value) && (value as number) > 0, `${what} = ${value} is positive`);
}

/**
 * Asks the server without creating the room (GET /rooms/:id would): stopping
 * a recording answers 404 for an unknown room and 409 for a room that exists
 * but is not being recorded.
 */
function roomExists(roomId: string): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const url = `${server.baseUrl}/rooms/${encodeURIComponent(roomId)}/recording`;
		const req = request(url, { method: 'DELETE', ca: server.ca }, (res) => {
			res.resume();
			if (res.statusCode === 404) resolve(false);
			else if (res.statusCode === 409) resolve(true);
			else reject(new Error(`DELETE ${url}: unexpected status ${res.statusCode}`));
		});
		req.on('error', reject);
		req.end();
	});
}
