// The fanout and raw bench scenarios do what they say (not how fast): with a
// few receivers, every sampled receiver gets both streams without gaps, the
// kernel-counted receivers get what the sender sent, the server answers the
// new consumers' key frame requests through the sender, and a room forced
// over two workers forwards from both. Then the CLI: help, bad input, and a
// small run end to end with its JSON, text and HTML files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_FANOUT_OPTIONS, type FanoutOptions } from '../../bench/FanoutOptions.ts';
import { serverFanout } from '../../bench/interleaved.ts';
import type { ScenarioReport } from '../../bench/ScenarioReport.ts';
import { runRaw } from '../../bench/scenarios/raw.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');
const progress: string[] = [];
const log = (line: string) => progress.push(line);

/** Small and short: what is checked is correctness, not capacity. */
function smallRun(overrides: Partial<FanoutOptions>): FanoutOptions {
	return {
		...DEFAULT_FANOUT_OPTIONS,
		ramp: { receivers: [4, 8], start: 4, step: undefined, max: 8, refine: 0 },
		warmupMs: 800,
		windowMs: 1000,
		samples: 2,
		...overrides,
	};
}

/** What every step of a working fanout shows, whatever the machine's speed. */
function assertDelivered(report: ScenarioReport): void {
	assert.equal(report.rows.length, 2, 'one row per receiver count');
	for (const row of report.rows) {
		const at = `with ${row.receivers} receivers`;
		// Two sampled receivers, each consuming audio and video.
		assert.equal(row.sampledReceivers, 2, at);
		assert.equal(row.ssrcsWithPackets, 4, `every sampled consumer SSRC got packets ${at}`);
		assert.equal(row.gaps, 0, `no sequence gaps ${at}`);
		assert.equal(row.sinkUnknown, 0, `nothing but the consumers' RTP at the sink ${at}`);
		assert.ok((row.senderPps ?? 0) > 100, `the sender sent (${row.senderPps} pps) ${at}`);
		// A few receivers at ~170 packets/s each: any real loss here is a bug, not load.
		assert.ok((row.lossPercent ?? 100) < 5, `loss ${row.lossPercent}% ${at}`);
		assert.ok(
			(row.countedRatio ?? 0) > 0.9 && (row.countedRatio ?? 0) < 1.1,
			`kernel-counted receivers got what was sent (ratio ${row.countedRatio}) ${at}`,
		);
		assert.ok((row.workerCpuPercent ?? 0) > 0, `worker CPU measured ${at}`);
	}
	assert.equal(report.summary.capacityReceivers, 8, 'both steps below the loss threshold');
	assert.equal(report.summary.capacityBracketed, false, 'no step had loss');
}

describe('fanout through the server', { timeout: 120_000 }, () => {
	test('one worker: every receiver gets both streams, key frame requests reach the sender', async () => {
		const report = await serverFanout(smallRun({ workers: 1 }), 'never', log);
		assertDelivered(report);
		assert.ok((report.rows[0]?.nodeCpuPercent ?? -1) >= 0, 'the server process is measured');
		assert.ok(Number(report.summary.keyFramesRequested) >= 1, 'new consumers asked the sender for a key frame');
	});

	test('a room forced over two workers forwards to receivers on both', async () => {
		const report = await serverFanout(smallRun({ workers: 2 }), 'always', log);
		assertDelivered(report);
		assert.equal(report.parameters.roomSpread, 'always');
	});

	for (const suite of ['AEAD_AES_256_GCM', 'AES_CM_128_HMAC_SHA1_80'] as const) {
		test(`--srtp: receivers made with srtp and ${suite} through the REST API get both streams`, async () => {
			const report = await serverFanout(smallRun({ workers: 1, srtp: suite }), 'never', log);
			// SRTP leaves the RTP header readable: the sink still checks every sequence number.
			assertDelivered(report);
			assert.equal(report.parameters.receivers, `SRTP (${suite})`);
			assert.match(report.title, new RegExp(`SRTP \\(${suite}\\) receivers`));
		});
	}
});

describe('raw: bare mediasoup', { timeout: 120_000 }, () => {
	test('one router, then two piped routers on two workers', async () => {
		assertDelivered(await runRaw(smallRun({ workers: 1, roomSpread: 'never' }), { progress: log }));
		const spread = await runRaw(smallRun({ workers: 2, roomSpread: 'always' }), { progress: log });
		assertDelivered(spread);
		assert.match(spread.title, /2 routers piped/);
	});

	for (const suite of ['AEAD_AES_256_GCM', 'AES_CM_128_HMAC_SHA1_80'] as const) {
		test(`--srtp: receivers on ${suite} plain transports get both streams`, async () => {
			const report = await runRaw(smallRun({ workers: 1, roomSpread: 'never', srtp: suite }), { progress: log });
			assertDelivered(report);
			assert.equal(report.parameters.receivers, `SRTP (${suite})`);
		});
	}
});

describe('the bench command line', { timeout: 120_000 }, () => {
	let outDir: string;
	before(() => {
		outDir = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
	});
	after(() => {
		rmSync(outDir, { recursive: true, force: true });
	});

	const bench = (...args: string[]) =>
		spawnSync(process.execPath, [path.join(rootDir, 'bench/main.ts'), ...args], { cwd: rootDir, encoding: 'utf8' });

	test('--help lists every scenario and exits 0', () => {
		const result = bench('--help');
		assert.equal(result.status, 0);
		for (const scenario of ['fanout', 'raw', 'compare', 'spread', 'join', 'rooms']) {
			assert.match(result.stdout, new RegExp(`^  ${scenario} `, 'm'), scenario);
		}
	});

	test('bad input names what was wrong and exits 2', () => {
		const cases: [string[], RegExp][] = [
			[['nosuch'], /unknown scenario "nosuch"/],
			[['fanout', '--rounds', '0'], /--rounds must be an integer >= 1, not "0"/],
			[['fanout', '--receivers', '10,5'], /--receivers must increase/],
			[['raw', '--sequence', '10,x'], /--sequence must be an integer >= 1, not "x"/],
			[['raw', '--sequence', '10,5', '--receivers', '5'], /--sequence and --receivers cannot be combined/],
			[['fanout', '--spread', 'sometimes'], /--spread must be auto, always or never/],
			[['fanout', '--frobnicate'], /Unknown option '--frobnicate'/],
			[['compare', '--server', 'https://127.0.0.1:4443'], /compare start their own servers/],
		];
		for (const [args, message] of cases) {
			const result = bench(...args);
			assert.equal(result.status, 2, args.join(' '));
			assert.match(result.stderr, message, args.join(' '));
			assert.match(result.stderr, /--help/);
		}
	});

	test('a small raw run prints JSON and writes the text and HTML reports', () => {
		const args = ['raw', '--receivers', '2', '--samples', '1', '--warmup', '300', '--window', '500', '--out', outDir];
		const result = bench(...args, '--json');
		assert.equal(result.status, 0, result.stderr);
		assert.match(result.stderr, /raw 1w pinned: N=2/, 'progress on stderr');
		const json = JSON.parse(result.stdout) as { reports: ScenarioReport[] };
		assert.equal(json.reports.length, 1);
		assert.equal(json.reports[0]?.scenario, 'raw');
		assert.equal(json.reports[0]?.rows[0]?.receivers, 2);
		assert.deepEqual(JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')), json);
		assert.match(readFileSync(path.join(outDir, 'report.txt'), 'utf8'), /Bare mediasoup/);
		assert.match(readFileSync(path.join(outDir, 'report.html'), 'utf8'), /<svg/);
	});

	test('a --sequence run measures its counts in the order given, repeats included', () => {
		const args = ['raw', '--sequence', '2,1,2', '--samples', '1', '--warmup', '300', '--window', '500', '--json'];
		const result = bench(...args, '--quiet');
		assert.equal(result.status, 0, result.stderr);
		const report = (JSON.parse(result.stdout) as { reports: ScenarioReport[] }).reports[0];
		assert.deepEqual(
			report?.rows.map((row) => row.receivers),
			[2, 1, 2],
		);
		assert.equal(report?.parameters.ramp, 'sequence 2,1,2, in this order');
		// Two receivers at ~170 packets/s: nothing lost, before or after the smaller step.
		for (const row of report?.rows ?? []) assert.equal(row.lossPercent, 0, `loss with ${row.receivers} receivers`);
	});
});
