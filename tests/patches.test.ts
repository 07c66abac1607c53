// How patches/ is applied (patches/README.md): the root postinstall, as
// package.json has it, applies each package's patches in order and fails the
// install, naming the patch file (package, version, number, name), when one no
// longer applies or was made for another version of the package; and
// scripts/checkPatches.ts, which the set-up runs on every start, names the
// first patch that is not applied. Run on a small package of a made-up app,
// with this project's patch-package, so node_modules is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { missingPatches, patchedPackages } from '../scripts/checkPatches.ts';

const root = path.resolve(import.meta.dirname, '..');
const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
	scripts: Record<string, string>;
};

const original = "export const greeting = 'hello';\nexport const name = 'world';\n";

/**
 * A patch as patch-package writes it, changing line `line` (1 or 2) of
 * greeter's index.js from `from` to `to`, with the other line as context.
 */
function greeterPatch(line: 1 | 2, context: string, from: string, to: string): string {
	const change = `-${from}\n+${to}`;
	return [
		'diff --git a/node_modules/greeter/index.js b/node_modules/greeter/index.js',
		'index 1111111..2222222 100644',
		'--- a/node_modules/greeter/index.js',
		'+++ b/node_modules/greeter/index.js',
		'@@ -1,2 +1,2 @@',
		line === 1 ? `${change}\n ${context}` : ` ${context}\n${change}`,
		'',
	].join('\n');
}

const world = "export const name = 'world';";
const louder = greeterPatch(1, world, "export const greeting = 'hello';", "export const greeting = 'HELLO';");
// Made on top of louder, as a later patch of a sequence is.
const earth = greeterPatch(2, "export const greeting = 'HELLO';", world, "export const name = 'earth';");
// Made against another greeter: its line is not in this one.
const stale = greeterPatch(
	2,
	"export const greeting = 'HELLO';",
	"export const name = 'planet';",
	"export const name = 'earth';",
);

/** An app with our postinstall, greeter@version installed, and the given patches. */
function app(version: string, patches: Record<string, string>): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'patches-test-'));
	writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({ name: 'app', private: true, scripts: { postinstall: scripts.postinstall } }),
	);
	mkdirSync(path.join(dir, 'node_modules/greeter'), { recursive: true });
	writeFileSync(path.join(dir, 'node_modules/greeter/package.json'), JSON.stringify({ name: 'greeter', version }));
	writeFileSync(path.join(dir, 'node_modules/greeter/index.js'), original);
	mkdirSync(path.join(dir, 'patches'));
	for (const [name, text] of Object.entries(patches)) writeFileSync(path.join(dir, 'patches', name), text);
	return dir;
}

/** The root postinstall, run as npm runs it: sh, in the app, with our node_modules/.bin first on the PATH. */
function postinstall(dir: string) {
	const run = spawnSync('sh', ['-c', scripts.postinstall ?? 'false'], {
		cwd: dir,
		encoding: 'utf8',
		env: { ...process.env, PATH: `${path.join(root, 'node_modules/.bin')}:${process.env.PATH}`, FORCE_COLOR: '0' },
	});
	return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function greeter(dir: string): string {
	return readFileSync(path.join(dir, 'node_modules/greeter/index.js'), 'utf8');
}

test('the postinstall applies every patch of a package in order, and checkPatches finds them applied', () => {
	const dir = app('1.0.0', { 'greeter+1.0.0+001+louder.patch': louder, 'greeter+1.0.0+002+earth.patch': earth });
	try {
		const run = postinstall(dir);
		assert.equal(run.status, 0, run.output);
		assert.equal(greeter(dir), "export const greeting = 'HELLO';\nexport const name = 'earth';\n");
		const [pkg] = patchedPackages(dir);
		assert.deepEqual(pkg, {
			name: 'greeter',
			version: '1.0.0',
			patches: ['greeter+1.0.0+001+louder.patch', 'greeter+1.0.0+002+earth.patch'],
		});
		assert.deepEqual(missingPatches(pkg ?? assert.fail(), dir), []);

		// Run again, as every `npm install` does: nothing changes.
		const again = postinstall(dir);
		assert.equal(again.status, 0, again.output);
		assert.equal(greeter(dir), "export const greeting = 'HELLO';\nexport const name = 'earth';\n");
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a patch that no longer applies fails the install, naming the package, its version and the patch', () => {
	const dir = app('1.0.0', { 'greeter+1.0.0+001+louder.patch': louder, 'greeter+1.0.0+002+stale.patch': stale });
	try {
		const run = postinstall(dir);
		assert.notEqual(run.status, 0, run.output);
		assert.match(run.output, /Failed to apply patch file greeter\+1\.0\.0\+002\+stale\.patch/);

		// What the set-up's check says of that package: the patch before it is on.
		const [pkg] = patchedPackages(dir);
		assert.deepEqual(missingPatches(pkg ?? assert.fail(), dir), [
			`greeter@1.0.0: patches/greeter+1.0.0+002+stale.patch is not applied in node_modules (1 out of 1 hunk FAILED)`,
		]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('a patch made for another version fails the install even when it applies', () => {
	const dir = app('1.0.1', { 'greeter+1.0.0+001+louder.patch': louder });
	try {
		const run = postinstall(dir);
		assert.notEqual(run.status, 0, run.output);
		assert.match(run.output, /Patch file created for\s+greeter@1\.0\.0\s+applied to\s+greeter@1\.0\.1/);
		const [pkg] = patchedPackages(dir);
		assert.deepEqual(missingPatches(pkg ?? assert.fail(), dir), [
			'node_modules/greeter is greeter@1.0.1, but patches/ patches greeter@1.0.0 (greeter+1.0.0+001+louder.patch)',
		]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('checkPatches names a patch whose change is missing from node_modules', () => {
	const dir = app('1.0.0', { 'greeter+1.0.0+001+louder.patch': louder, 'greeter+1.0.0+002+earth.patch': earth });
	try {
		// Only the first patch's change is there, as after a hand edit or a reinstall of one file.
		writeFileSync(path.join(dir, 'node_modules/greeter/index.js'), original.replace("'hello'", "'HELLO'"));
		const [pkg = assert.fail('greeter has patches')] = patchedPackages(dir);
		assert.deepEqual(missingPatches(pkg, dir), [
			`greeter@1.0.0: patches/greeter+1.0.0+002+earth.patch is not applied in node_modules (1 out of 1 hunk FAILED)`,
		]);
		// None of them: the last is named.
		writeFileSync(path.join(dir, 'node_modules/greeter/index.js'), original);
		assert.match(missingPatches(pkg, dir)[0] ?? '', /greeter\+1\.0\.0\+002\+earth\.patch is not applied/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
