// The bench's reading of the server's --trace-gc lines, on lines a real Node 24
// printed, and its attribution of pauses to a join's time window.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { GcTrace, parseGcLine } from '../../bench/GcTrace.ts';

test('scavenges and full collections are read with their pause; other lines are not', () => {
	assert.deepEqual(
		parseGcLine(
			'[2138:0x325b7000]       41 ms: Scavenge 4.7 (5.8) -> 4.5 (6.8) MB, pooled: 0 MB, 1.33 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
			5,
		),
		{ at: 5, kind: 'scavenge', pauseMs: 1.33, markingMs: 0 },
	);
	assert.deepEqual(
		parseGcLine(
			'[2146:0x1f87b000]       24 ms: Mark-Compact 3.9 (5.8) -> 3.7 (6.5) MB, pooled: 0 MB, 4.97 / 0.00 ms  (average mu = 0.764, current mu = 0.764) testing; GC in old space requested',
			7,
		),
		{ at: 7, kind: 'full', pauseMs: 4.97, markingMs: 0 },
	);
	assert.deepEqual(
		parseGcLine(
			'[9:0x1]   2048 ms: Mark-Compact 40.1 (52.3) -> 30.2 (50.1) MB, pooled: 0 MB, 12.34 / 0.00 ms  (+ 45.6 ms in 120 steps since start of marking, biggest step 2.1 ms, walltime since start of marking 210 ms) (average mu = 0.9) finalize incremental marking via task; GC in old space requested',
			9,
		),
		{ at: 9, kind: 'full', pauseMs: 12.34, markingMs: 45.6 },
	);
	assert.equal(parseGcLine('{"level":40,"msg":"a log line of the server"}', 1), undefined);
});

test('what this Node prints with --trace-gc is understood', () => {
	const run = spawnSync(process.execPath, ['--trace-gc', '--expose-gc', '-e', 'gc()'], { encoding: 'utf8' });
	const events = run.stdout
		.split('\n')
		.map((line) => parseGcLine(line, 0))
		.filter((event) => event !== undefined);
	assert.ok(
		events.some((event) => event.kind === 'full' && event.pauseMs >= 0),
		run.stdout,
	);
});

test('a join is charged the pauses whose lines arrived during it', () => {
	const trace = new GcTrace();
	const line = (kind: string, ms: number) =>
		`[1:0x1]  1 ms: ${kind} 1.0 (2.0) -> 1.0 (2.0) MB, pooled: 0 MB, ${ms} / 0.00 ms  (average mu = 1.000) x`;
	const now = Date.now();
	trace.onLine(line('Scavenge', 2));
	trace.onLine(line('Mark-Compact', 150));
	trace.onLine('not a gc line');
	assert.deepEqual(trace.between(now, Date.now()), {
		gcPauseMs: 152,
		fullGcs: 1,
		fullGcPauseMs: 150,
		fullGcMarkingMs: 0,
	});
	assert.deepEqual(trace.between(now - 1000, now - 1), {
		gcPauseMs: 0,
		fullGcs: 0,
		fullGcPauseMs: 0,
		fullGcMarkingMs: 0,
	});
});
