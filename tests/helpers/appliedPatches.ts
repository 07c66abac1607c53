// Checks that the set-up applied every patch of a directory to an npm package:
// each one reverses cleanly on its own (the check the apply scripts make).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function assertPatchesApplied(patchesDir: string, packageDir: string, atLeast: number): void {
	const patches = readdirSync(patchesDir).filter((name) => name.endsWith('.patch'));
	assert.ok(patches.length >= atLeast, `the patches of ${patchesDir} are there`);
	for (const name of patches) {
		const check = spawnSync('patch', ['--dry-run', '--reverse', '--force', '--quiet', '-p1', '-d', packageDir], {
			input: readFileSync(path.join(patchesDir, name)),
		});
		assert.equal(check.status, 0, `${name} is applied (patch -R --dry-run: ${check.stdout}${check.stderr})`);
	}
}
