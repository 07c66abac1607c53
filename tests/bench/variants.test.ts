// Choosing what the bench measures: the receivers' SRTP suite (--srtp) and the
// worker binary (--worker-bin), and alternating several of them round by round
// (runVariants). Two binaries here are mediasoup's worker and a copy of it at
// another path: different files, so a run on the wrong one is caught.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as mediasoup from 'mediasoup';
import { type BenchOptions, parseBenchArgs, UsageError } from '../../bench/BenchOptions.ts';
import type { WorkerBinary } from '../../bench/FanoutOptions.ts';
import { runVariants } from '../../bench/interleaved.ts';
import { checkWorkerBinary } from '../../bench/workerBinary.ts';

let tempDir: string;
let original: WorkerBinary;
let copy: WorkerBinary;

before(() => {
	tempDir = mkdtempSync(path.join(os.tmpdir(), 'bench-variants-'));
	original = { label: 'original', path: mediasoup.workerBin };
	copy = { label: 'copy', path: path.join(tempDir, 'mediasoup-worker') };
	copyFileSync(original.path, copy.path);
});

after(() => {
	rmSync(tempDir, { recursive: true, force: true });
});

function parse(...args: string[]): BenchOptions {
	const options = parseBenchArgs(args);
	assert.notEqual(options, 'help');
	return options as BenchOptions;
}

describe('--srtp and --worker-bin', () => {
	test('--srtp alone is AEAD_AES_256_GCM, as before; gcm, aes-cm and none name the others', () => {
		for (const [args, suites, scenarios] of [
			[['raw', '--srtp'], ['AEAD_AES_256_GCM'], ['raw']],
			// A scenario after the bare flag stays a scenario.
			[['--srtp', 'raw'], ['AEAD_AES_256_GCM'], ['raw']],
			[['fanout', '--srtp', 'aes-cm'], ['AES_CM_128_HMAC_SHA1_80'], ['fanout']],
			[['fanout', '--srtp=gcm'], ['AEAD_AES_256_GCM'], ['fanout']],
			[['raw', '--srtp', 'none,gcm,aes-cm'], [undefined, 'AEAD_AES_256_GCM', 'AES_CM_128_HMAC_SHA1_80'], ['raw']],
			[['raw'], [undefined], ['raw']],
		] as const) {
			const options = parse(...args);
			assert.deepEqual(options.srtpSuites, suites, args.join(' '));
			assert.equal(options.fanout.srtp, suites[0], args.join(' '));
			assert.deepEqual(options.scenarios, scenarios, args.join(' '));
		}
	});

	test('--worker-bin takes [LABEL=]PATH,...; the label defaults to the cache folder the binary is in', () => {
		const options = parse('raw', '--worker-bin', `${copy.path},nss=${original.path}`);
		assert.deepEqual(options.workerBins, [
			{ label: path.basename(tempDir), path: copy.path },
			{ label: 'nss', path: original.path },
		]);
		assert.deepEqual(options.fanout.workerBin, options.workerBins[0]);
		// One binary: every scenario runs on it.
		assert.deepEqual(parse('compare', '--worker-bin', `a=${copy.path}`).fanout.workerBin, {
			label: 'a',
			path: copy.path,
		});
	});

	test('what cannot be measured is refused by name', () => {
		const cases: [string[], RegExp][] = [
			[['raw', '--srtp', 'aes'], /--srtp takes gcm, aes-cm or none/],
			[['raw', '--srtp=gcm,gcm'], /names a suite twice/],
			[['raw', '--worker-bin', path.join(tempDir, 'nothing')], /is not an executable file/],
			[['raw', '--worker-bin', `x=${copy.path},x=${original.path}`], /labels must differ/],
			[['compare', '--worker-bin', `${copy.path},b=${original.path}`], /fanout and raw only, not compare/],
			[['join', '--srtp', 'gcm,aes-cm'], /fanout and raw only, not join/],
			[['fanout', '--server', 'https://127.0.0.1:4443', '--worker-bin', copy.path], /drop --server/],
		];
		for (const [args, message] of cases) {
			assert.throws(
				() => parseBenchArgs(args),
				(error: unknown) => {
					assert.ok(error instanceof UsageError, `${args.join(' ')}: ${String(error)}`);
					assert.match(error.message, message, args.join(' '));
					return true;
				},
			);
		}
	});

	test('a process that does not run the binary asked for is caught', () => {
		// This process runs node, not the worker.
		assert.throws(() => checkWorkerBinary([process.pid], original), /runs .*node.*, not original/);
		assert.doesNotThrow(() => checkWorkerBinary([process.pid], undefined));
	});
});

describe('runVariants', { timeout: 180_000 }, () => {
	test('raw alternates two binaries and two suites round by round and compares each binary with the first', async () => {
		const options = parse(
			'raw',
			'--worker-bin',
			`original=${original.path},copy=${copy.path}`,
			'--srtp',
			'none,aes-cm',
			'--rounds',
			'2',
			'--receivers',
			'4',
			'--samples',
			'1',
			// As the other bench tests: shorter windows count packets still in flight as lost.
			'--warmup',
			'800',
			'--window',
			'1000',
		);
		const progress: string[] = [];
		const run = await runVariants('raw', options, (line) => progress.push(line));

		const order = run.reports.map((report) => `${report.parameters.workerBin} ${report.parameters.receivers}`);
		assert.deepEqual(order, [
			// Round 1: plain RTP first, original first within each suite; round 2: both turned around.
			'original plain RTP',
			'copy plain RTP',
			'original SRTP (AES_CM_128_HMAC_SHA1_80)',
			'copy SRTP (AES_CM_128_HMAC_SHA1_80)',
			'copy SRTP (AES_CM_128_HMAC_SHA1_80)',
			'original SRTP (AES_CM_128_HMAC_SHA1_80)',
			'copy plain RTP',
			'original plain RTP',
		]);
		for (const report of run.reports) {
			assert.match(report.title, /worker (original|copy)/);
			// Delivered: the sampled receiver got both streams, in order. (Not the
			// capacity: on a busy machine a one-second window may count packets in
			// flight as lost.)
			const row = report.rows.at(-1);
			assert.equal(row?.ssrcsWithPackets, 2, `${report.title}: both streams`);
			assert.equal(row?.gaps, 0, `${report.title}: no gaps`);
		}
		const titles = run.comparisons.map((comparison) => comparison.title);
		assert.ok(
			titles.includes('raw, worker copy, SRTP (AES_CM_128_HMAC_SHA1_80) receivers: capacity'),
			titles.join('\n'),
		);
		const ratio = run.comparisons.find(
			(comparison) =>
				comparison.title === 'raw, SRTP (AES_CM_128_HMAC_SHA1_80) receivers: worker copy / original: capacity',
		);
		assert.equal(ratio?.rounds.length, 2, 'a capacity ratio per round');
		const cost = run.comparisons.find(
			(comparison) =>
				comparison.title === 'raw, plain RTP receivers: worker copy / original: worker us per forwarded packet',
		);
		assert.equal(cost?.rounds.length, 2, 'a CPU ratio per round');
		assert.ok(
			progress.some((line) => /^raw round 2\/2: /.test(line)),
			'a progress line per round',
		);
	});
});
