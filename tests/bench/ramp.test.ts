// The ramp's rules: which receiver counts it tries, and when a step counts
// as one the worker kept up with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coarseSteps, ramp, steady } from '../../bench/fanoutRamp.ts';

test('linear, doubling and explicit steps; max is always tried', () => {
	const plan = { receivers: undefined, start: 100, step: 100, max: 350, refine: 3 };
	assert.deepEqual(coarseSteps(plan), [100, 200, 300, 350]);
	assert.deepEqual(coarseSteps({ ...plan, step: undefined, max: 800 }), [100, 200, 400, 800]);
	assert.deepEqual(coarseSteps({ ...plan, receivers: [4, 8] }), [4, 8]);
});

test('a step is steady with loss under the threshold and no backlog delivered on top', () => {
	const row = { expectedPps: 100_000, forwardedPps: 99_500, lossPercent: 0.5 };
	assert.equal(steady(row, 0.01), true);
	assert.equal(steady({ ...row, forwardedPps: 98_000, lossPercent: 2 }, 0.01), false, 'loss over 1%');
	assert.equal(steady({ ...row, forwardedPps: 112_000, lossPercent: 0 }, 0.01), false, 'draining a backlog');
	assert.equal(steady({ expectedPps: 100 }, 0.01), false, 'no loss measured is not steady');
});

// A step whose loss depends only on the count: lossy from 1000 receivers up.
const fakeStep = (measured: number[]) => async (count: number) => {
	measured.push(count);
	return { receivers: count, expectedPps: count * 170, forwardedPps: count * 170, lossPercent: count >= 1000 ? 5 : 0 };
};

test('a ramp stops at the first lossy step and bisects below it', async () => {
	const measured: number[] = [];
	const plan = { receivers: undefined, start: 400, step: 400, max: 2000, refine: 3 };
	const result = await ramp({ ramp: plan, lossThreshold: 0.01 }, fakeStep(measured));
	assert.deepEqual(measured, [400, 800, 1200, 1000, 900, 950]);
	assert.equal(result.capacity, 950);
	assert.equal(result.limited, true);
});

test('a --sequence measures every count in its order, also after loss, and does not bisect', async () => {
	const measured: number[] = [];
	const plan = { receivers: undefined, sequence: [600, 1400, 600, 900], start: 100, step: 100, max: 4000, refine: 3 };
	const result = await ramp({ ramp: plan, lossThreshold: 0.01 }, fakeStep(measured));
	assert.deepEqual(measured, [600, 1400, 600, 900]);
	assert.deepEqual(
		result.rows.map((row) => [row.receivers, row.order]),
		[
			[600, 0],
			[1400, 1],
			[600, 2],
			[900, 3],
		],
		'rows stay in the order measured',
	);
	assert.equal(result.capacity, 900, 'the largest steady count');
	assert.equal(result.limited, true);
});
