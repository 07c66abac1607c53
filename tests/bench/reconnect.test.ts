// `npm run bench -- reconnect`: one trial of each path (the resume after each
// kind of outage, the rejoin) delivers a timed row.
// No timing assertions (this is a 2-core CI machine); what is checked is that
// the scenario measures something real: every trial succeeded, with positive
// times, and a frame's latest time is never before its earliest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchOptions, parseBenchArgs, UsageError } from '../../bench/BenchOptions.ts';
import { runReconnect } from '../../bench/scenarios/reconnect.ts';

function parse(...args: string[]): BenchOptions {
	const options = parseBenchArgs(args);
	assert.notEqual(options, 'help');
	return options as BenchOptions;
}

test('reconnect times a resume after each outage and a rejoin, a row per trial', { timeout: 300_000 }, async () => {
	const options = parse('reconnect', '--trials', '1');
	assert.equal(options.trials, 1);
	const progress: string[] = [];
	assert.deepEqual(options.outages, ['link', 'drop'], 'both outages by default');
	const reports = await runReconnect(
		{ trials: options.trials, outages: options.outages },
		{ progress: (line) => progress.push(line) },
	);
	assert.deepEqual(
		reports.map((report) => report.title.split(':')[0]),
		['Resume, link outage', 'Resume, drop outage', 'Rejoin'],
	);
	for (const report of reports) {
		assert.equal(report.summary.failedTrials, 0, `${report.title}: ${report.summary.failures ?? ''}`);
		assert.equal(report.rows.length, 1);
		const [row] = report.rows;
		assert.ok(row && (row.ms ?? 0) > 0, `${report.title}: a positive time`);
		assert.ok((row.earliestMs ?? -1) >= 0 && (row.earliestMs ?? 0) <= (row.ms ?? 0), 'earliest <= latest');
		assert.equal(report.summary.p95Ms, row.ms, 'one trial: p95 is that trial');
		assert.equal(report.parameters.pollIntervalMs, 50, 'the resolution is in the report');
	}
	const [link, drop, rejoin] = reports;
	for (const resume of [link, drop]) {
		assert.ok((resume?.rows[0]?.outageMs ?? 0) >= 5000, 'the network was away for the whole outage');
	}
	assert.ok((rejoin?.rows[0]?.aliceMs ?? 0) > 0 && (rejoin?.rows[0]?.bobMs ?? 0) > 0, 'both pages timed');
	assert.ok(progress.some((line) => line.startsWith('reconnect rejoin 1/1: ')));
});

test('reconnect starts its own server: --server is refused; --trials must be a positive integer; --outage names kinds', () => {
	assert.throws(() => parse('reconnect', '--server', 'https://127.0.0.1:4443'), UsageError);
	assert.throws(() => parse('reconnect', '--trials', '0'), UsageError);
	assert.equal(parse('reconnect').trials, 10);
	assert.deepEqual(parse('reconnect', '--outage', 'drop').outages, ['drop']);
	assert.deepEqual(parse('reconnect', '--outage', 'drop,link').outages, ['drop', 'link']);
	assert.throws(() => parse('reconnect', '--outage', 'wifi'), /--outage: "wifi" is not one of link, drop/);
});
