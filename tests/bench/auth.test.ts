// `npm run bench -- auth`: join in open mode and in token mode side by side.
// A token-mode server refuses a peer without a valid token at the handshake,
// so a token run whose peers all consumed proves every peer sent one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAuthCompare } from '../../bench/authCompare.ts';
import { type BenchOptions, parseBenchArgs, UsageError } from '../../bench/BenchOptions.ts';

function parse(...args: string[]): BenchOptions {
	const options = parseBenchArgs(args);
	assert.notEqual(options, 'help');
	return options as BenchOptions;
}

test('auth alternates an open and a token server and compares their joins', async () => {
	const progress: string[] = [];
	const run = await runAuthCompare(parse('auth', '--peers', '3', '--rounds', '1', '--join-workers', '1'), (line) =>
		progress.push(line),
	);
	const joins = run.reports.filter((report) => report.parameters.access !== undefined);
	assert.deepEqual(
		joins.map((report) => report.parameters.access),
		['open mode', 'token mode: every peer connects with its own token'],
	);
	const verification = run.reports.find((report) => report.title.startsWith('Token verification'));
	assert.ok(verification && Number(verification.summary.p50Us) > 0, 'one verification is timed');
	for (const report of joins) {
		assert.equal(report.summary.allConsumed, true, `${report.title}: every peer consumed the others`);
		for (const row of report.rows) assert.ok((row.connectMs ?? 0) > 0, 'the handshake is timed');
	}
	const p50 = run.comparisons.find((comparison) => comparison.metric === 'token / open: p50AllMs');
	assert.ok(p50?.title.endsWith('p50AllMs'), 'the text report names the metric');
	assert.ok(p50 && p50.rounds.length === 1 && p50.value > 0, 'one round, one positive ratio');
	assert.ok(progress.some((line) => line.startsWith('auth round 1/1: join in token mode')));
});

test('auth starts its own servers: --server is refused', () => {
	assert.throws(() => parse('auth', '--server', 'https://127.0.0.1:4443'), UsageError);
});
