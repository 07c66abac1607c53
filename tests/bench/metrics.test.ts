// `npm run bench -- metrics` does what it says (not how fast): fanout runs
// with metrics off and on, scraped, side by side; then timed scrapes of a
// full room and the stats reading they started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchOptions, parseBenchArgs, UsageError } from '../../bench/BenchOptions.ts';
import { runMetricsCost } from '../../bench/metricsCost.ts';

function parse(...args: string[]): BenchOptions {
	const options = parseBenchArgs(args);
	assert.notEqual(options, 'help');
	return options as BenchOptions;
}

test('metrics alternates fanout with metrics off and scraped, then times scrapes of a full room', {
	timeout: 180_000,
}, async () => {
	const progress: string[] = [];
	const options = parse(
		'metrics',
		...['--rounds', '1', '--receivers', '4,8', '--warmup', '800', '--window', '1000', '--samples', '2'],
		...['--peers', '4', '--scrapes', '5', '--join-workers', '1'],
	);
	const run = await runMetricsCost(options, (line) => progress.push(line));
	const fanouts = run.reports.filter((report) => report.scenario === 'fanout');
	assert.deepEqual(
		fanouts.map((report) => report.title.replace(/^.*, metrics /, '')),
		['off', 'on, scraped every 5 s'],
	);
	for (const report of fanouts) assert.equal(report.summary.capacityReceivers, 8, `${report.title}: both steps served`);
	const ratio = run.comparisons.find((comparison) => comparison.metric.startsWith('scraped / off: receivers'));
	assert.ok(ratio);
	assert.deepEqual(ratio.rounds, [1]);
	assert.equal(ratio.target, 0.97);
	assert.match(ratio.note ?? '', /scrapes during the scraped runs: [1-9]\d* scrapes, p50 [\d.]+ ms/);

	const room = run.reports.find((report) => report.scenario === 'metrics');
	assert.ok(room);
	assert.equal(room.rows.length, 5, 'every scrape timed');
	for (const row of room.rows) assert.ok((row.ms ?? 0) > 0 && (row.kb ?? 0) > 10, JSON.stringify(row));
	// 4 peers with audio and video: 8 WebRTC transports, 8 producers, 12 consumers, and the bot's transport.
	assert.ok(Number(room.summary.statsReadingObjects) >= 28, `objects read: ${room.summary.statsReadingObjects}`);
	assert.ok(Number(room.summary.statsReadingSeconds) > 0);
	const scrape = run.comparisons.find((comparison) => comparison.metric === 'scrape p99 (ms)');
	assert.equal(scrape?.value, room.summary.scrapeP99Ms);
	assert.ok(progress.some((line) => line.startsWith('metrics round 1/1: fanout with metrics scraped')));
});

test('metrics starts its own servers: --server is refused', () => {
	assert.throws(() => parse('metrics', '--server', 'https://127.0.0.1:4443'), UsageError);
});
