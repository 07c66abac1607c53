// The ramp's rules: which receiver counts it tries, and when a step counts
// as one the worker kept up with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coarseSteps, steady } from '../../bench/fanoutRamp.ts';

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
