// Checks that node_modules carries every patch in patches/, as patch-package
// (the root postinstall) applied them: each patched package is installed at the
// version its patch files name, and its patches come off again, from the last
// to the first (GNU patch -R, on a copy of the files they touch). So a file
// changed by hand, a package npm reinstalled unpatched, or a patch that was
// edited after it was applied is found, and named.
//
//   node scripts/checkPatches.ts [package...]   every patched package, or those named;
//                                               exits 1 naming package, version and patch
//
// scripts/setup.sh runs it on every start, mediasoup-worker/build.sh before it
// builds the worker from node_modules/mediasoup/worker, and the tests.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const projectRoot = path.resolve(import.meta.dirname, '..');

/** The patches of one package, as patch-package groups and orders them. */
export interface PatchedPackage {
	name: string;
	/** The version the patch files name. */
	version: string;
	/** File names in patches/, in the order patch-package applies them. */
	patches: string[];
}

// patch-package's names: <name>+<version>[+<sequence number>[+<description>]].patch,
// a scope as its own part (@scope+name+...).
const patchName = /^((?:@[^+]+\+)?[^+]+)\+(\d+\.\d+\.\d+[^+]*)(?:\+(\d+)(?:\+[^+]+)?)?\.patch$/;

/** Every package patches/ patches, with its patches in order. */
export function patchedPackages(root = projectRoot): PatchedPackage[] {
	type Entry = PatchedPackage & { order: Map<string, number> };
	const byName = new Map<string, Entry>();
	for (const file of readdirSync(path.join(root, 'patches')).filter((f) => f.endsWith('.patch'))) {
		const match = patchName.exec(file);
		if (!match) throw new Error(`patches/${file} is not named <package>+<version>+<number>+<name>.patch`);
		const [, scopedName = '', version = '', sequence] = match;
		const name = scopedName.replace('+', '/');
		const entry: Entry = byName.get(name) ?? { name, version, patches: [], order: new Map() };
		if (entry.version !== version) {
			throw new Error(`patches/ names two versions of ${name}: ${entry.version} and ${version}`);
		}
		entry.patches.push(file);
		entry.order.set(file, Number(sequence ?? 0));
		byName.set(name, entry);
	}
	return [...byName.values()].map(({ name, version, patches, order }) => ({
		name,
		version,
		patches: patches.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
	}));
}

/** Paths (from the project root) of the files a patch changes, creates or deletes. */
function touchedFiles(patch: string): string[] {
	return [...patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].flatMap(([, from = '', to = '']) => [from, to]);
}

/**
 * What is wrong with the package's patches in node_modules: one line naming the
 * package, its version and the last of its patches (in order) that is not
 * applied; none when all are.
 */
export function missingPatches(pkg: PatchedPackage, root = projectRoot): string[] {
	const packageJson = path.join(root, 'node_modules', pkg.name, 'package.json');
	if (!existsSync(packageJson)) return [`${pkg.name} is not installed in node_modules (patches/ patches it)`];
	const installed = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
	if (installed !== pkg.version) {
		return [
			`node_modules/${pkg.name} is ${pkg.name}@${installed}, but patches/ patches ${pkg.name}@${pkg.version} (${pkg.patches[0]})`,
		];
	}
	const texts = pkg.patches.map((file) => readFileSync(path.join(root, 'patches', file), 'utf8'));
	const copy = mkdtempSync(path.join(os.tmpdir(), 'check-patches-'));
	try {
		for (const file of new Set(texts.flatMap(touchedFiles))) {
			const from = path.join(root, file);
			if (!existsSync(from)) continue;
			mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
			cpSync(from, path.join(copy, file));
		}
		for (let i = pkg.patches.length - 1; i >= 0; i--) {
			const undo = spawnSync(
				'patch',
				['-R', '-p1', '-F0', '--force', '--silent', '--no-backup-if-mismatch', '-r', '-', '-d', copy],
				{ input: texts[i], encoding: 'utf8' },
			);
			if (undo.error) throw undo.error;
			if (undo.status !== 0) {
				const detail = `${undo.stdout}${undo.stderr}`.trim().split('\n')[0] ?? '';
				return [`${pkg.name}@${installed}: patches/${pkg.patches[i]} is not applied in node_modules (${detail})`];
			}
		}
		return [];
	} finally {
		rmSync(copy, { recursive: true, force: true });
	}
}

if (import.meta.main) {
	const names = process.argv.slice(2);
	const packages = patchedPackages().filter((pkg) => names.length === 0 || names.includes(pkg.name));
	const unknown = names.filter((name) => !packages.some((pkg) => pkg.name === name));
	const problems = [
		...unknown.map((name) => `patches/ has no patch for ${name}`),
		...packages.flatMap((pkg) => missingPatches(pkg)),
	];
	for (const problem of problems) console.error(`[patches] ${problem}`);
	if (problems.length > 0) process.exit(1);
	const count = packages.reduce((sum, pkg) => sum + pkg.patches.length, 0);
	const each = packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.patches.length}`).join(', ');
	console.error(`[patches] all ${count} applied (${each})`);
}
