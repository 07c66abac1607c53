// The project pins Node 24 through the npm package `node@24`; mediasoup 3.27
// needs Node >= 22 and the machines have 20. Prove the tests really run on it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

test('tests run on the Node 24 installed by the node@24 package', () => {
	console.log(`Node ${process.version} at ${process.execPath}`);
	assert.equal(process.versions.node.split('.')[0], '24');
	assert.ok(
		process.execPath.includes(`${path.sep}node_modules${path.sep}node${path.sep}`),
		`expected node_modules/node, got ${process.execPath}`,
	);
});
