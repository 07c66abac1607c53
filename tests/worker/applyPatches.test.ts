// scripts/applyPatches.sh on a package that carries an earlier version of our
// patches, as a checkout updated after its set-up does: it puts back the
// package's own files from its npm tarball and applies every patch again, so
// `npm start` keeps working. Runs on a copy of node_modules/mediasoup's
// Node layer, so the installed one is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const installed = path.join(root, 'node_modules/mediasoup');
const patchesDir = path.join(root, 'mediasoup-node/patches');

function applyPatches(packageDir: string) {
	return spawnSync('bash', [path.join(root, 'scripts/applyPatches.sh'), 'test', patchesDir, packageDir], {
		encoding: 'utf8',
	});
}

/** Every file a patch changes, relative to the package, as the script finds them. */
function patchedFiles(): string[] {
	const files = readdirSync(patchesDir)
		.filter((name) => name.endsWith('.patch'))
		.flatMap((name) => [...readFileSync(path.join(patchesDir, name), 'utf8').matchAll(/^\+\+\+ b\/(\S+)/gm)])
		.map((match) => match[1] ?? '');
	return [...new Set(files)];
}

test('an earlier version of a patch is replaced by the current one', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'apply-patches-'));
	try {
		const pkg = path.join(dir, 'mediasoup');
		cpSync(path.join(installed, 'package.json'), path.join(pkg, 'package.json'));
		cpSync(path.join(installed, 'node/lib'), path.join(pkg, 'node/lib'), { recursive: true });
		// What an earlier 0003 left: a line of the current one that it did not have.
		const transport = path.join(pkg, 'node/lib/Transport.js');
		const current = readFileSync(transport, 'utf8');
		const line = '    const { codecs, headerExtensions, rtcp } = shared ?? own;\n';
		assert.ok(current.includes(line), 'the installed Transport.js has patch 0003');
		writeFileSync(transport, current.replace(line, '    const { codecs, headerExtensions, rtcp } = shared || own;\n'));

		const run = applyPatches(pkg);
		assert.equal(run.status, 0, run.stderr);
		assert.match(run.stderr, /0003-share-consumer-rtp-parameters\.patch does not apply: an earlier version/);
		assert.match(run.stderr, /applied 0007-consumer-properties-in-object\.patch/);
		for (const file of patchedFiles()) {
			assert.equal(
				readFileSync(path.join(pkg, file), 'utf8'),
				readFileSync(path.join(installed, file), 'utf8'),
				`${file} is as the set-up patched it`,
			);
		}

		// Run again: nothing left to do.
		const again = applyPatches(pkg);
		assert.equal(again.status, 0, again.stderr);
		assert.equal(again.stderr, '');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
