// The totals behind the traffic counters: the sum of the objects' latest
// readings plus the last readings of those that closed, never going down,
// over more objects than the first allocation holds and rows reused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CumulativeTotals } from '../../server/metrics/CumulativeTotals.ts';

test('totals sum the live readings and keep those of closed objects', () => {
	const totals = new CumulativeTotals(['webrtc', 'pipe'] as const, 2);
	totals.record('a', 'webrtc', 1, [10, 1]);
	totals.record('b', 'webrtc', 1, [5, 0]);
	totals.record('p', 'pipe', 1, [7, 7]);
	totals.retireOthers(1);
	assert.deepEqual(totals.totals('webrtc'), [15, 1]);
	assert.deepEqual(totals.totals('pipe'), [7, 7]);
	// Reading 2: a grew, b closed (not read), c is new.
	totals.record('a', 'webrtc', 2, [12, 1]);
	totals.record('c', 'webrtc', 2, [3, 3]);
	totals.record('p', 'pipe', 2, [7, 7]);
	totals.retireOthers(2);
	assert.equal(totals.size, 3);
	assert.deepEqual(totals.totals('webrtc'), [20, 4], "b's last reading stays in");
	// A counter that reads lower (it should not) does not take the total down.
	totals.record('a', 'webrtc', 3, [11, 1]);
	assert.deepEqual(totals.totals('webrtc'), [20, 4]);
	assert.throws(() => totals.record('x', 'direct' as 'webrtc', 3, [1, 1]), /unknown group "direct"/);
});

test('many objects come and go: rows are reused and the totals stay exact', () => {
	const totals = new CumulativeTotals(['plain'] as const, 1);
	let expected = 0;
	for (let generation = 1; generation <= 5; generation++) {
		// 500 objects a reading, half of them new each time.
		for (let index = 0; index < 500; index++) {
			const id = `${generation * 250 + index}`;
			totals.record(id, 'plain', generation, [generation]);
		}
		totals.retireOthers(generation);
	}
	// Each id was read with the generation of its last reading: sum of the maxima.
	const last = new Map<string, number>();
	for (let generation = 1; generation <= 5; generation++) {
		for (let index = 0; index < 500; index++) last.set(`${generation * 250 + index}`, generation);
	}
	for (const value of last.values()) expected += value;
	assert.deepEqual(totals.totals('plain'), [expected]);
	assert.equal(totals.size, 500);
});
