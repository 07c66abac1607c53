// The server's Node heap settings (server/nodeHeap.ts) do what they are for:
// with the flags `npm start` passes and config.example.ts's nodeHeap, a
// process allocating like a burst of joins keeps a far smaller heap than
// Node's defaults give it. Memory per peer itself is the bench's to measure.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { missingNodeArgs, SERVER_NODE_ARGS } from '../../server/nodeHeap.ts';

const root = path.resolve(import.meta.dirname, '../..');
const churn = path.join(root, 'tests/helpers/heapChurn.ts');

interface HeapPeaks {
	youngMb: number;
	oldMb: number;
}

async function peaks(nodeArgs: readonly string[], mode: 'tuned' | 'defaults'): Promise<HeapPeaks> {
	// NODE_OPTIONS of the test runner must not leak in: the control runs with Node's defaults.
	const env = { ...process.env, NODE_OPTIONS: '' };
	const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs, churn, mode], { env });
	return JSON.parse(stdout) as HeapPeaks;
}

test('npm start runs the server with the Node flags of SERVER_NODE_ARGS', () => {
	const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
	assert.ok(
		pkg.scripts.start.includes(`node ${SERVER_NODE_ARGS.join(' ')} server/main.ts`),
		`start script: ${pkg.scripts.start}`,
	);
});

test('the settings keep the young generation at 32 MB and the old one near what is live', async () => {
	// One after the other: a second process would slow V8's concurrent marking.
	const tuned = await peaks(SERVER_NODE_ARGS, 'tuned');
	const defaults = await peaks([], 'defaults');
	// Two 16 MB semi-spaces; Node's default on this machine grows to 128 MB.
	// While a scavenge runs the new space can hold a few pages more: measured
	// 32 MB in most runs, 33.75 and 37.25 in some, so 32 was a flaky bound.
	assert.ok(tuned.youngMb <= 40, `young generation ${tuned.youngMb} MB with the flags`);
	// Full collections at 100% growth instead of up to 300% (V8's own choice
	// on a machine with much memory): measured 304 MB against 547.
	assert.ok(
		tuned.oldMb < defaults.oldMb * 0.7,
		`old generation peaked at ${tuned.oldMb} MB tuned, ${defaults.oldMb} MB with Node's defaults`,
	);
});

test('a server started without those flags is told which are missing', () => {
	assert.deepEqual(missingNodeArgs([], undefined), ['--max-semi-space-size=16']);
	assert.deepEqual(missingNodeArgs(['--max-semi-space-size=16'], undefined), []);
	assert.deepEqual(missingNodeArgs([], '--enable-source-maps --max-semi-space-size=16'), []);
	assert.deepEqual(missingNodeArgs(['--max-semi-space-size=64'], undefined), ['--max-semi-space-size=16']);
});
