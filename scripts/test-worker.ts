// Runs mediasoup's own test suite (compiled, shipped in its npm tarball under
// node/lib/test) against the worker binary we built. A broken build, patch or
// shim shows up here first.
//
// The tarball lacks the DTLS certificate pair that test-Worker.js loads from
// test/data, so we generate a self-signed one with openssl first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { version } from 'mediasoup';

const require = createRequire(import.meta.url);
// mediasoup's exports map hides package.json; its main is node/lib/index.js.
const mediasoupDir = path.resolve(path.dirname(require.resolve('mediasoup')), '..', '..');
const testDir = path.join(mediasoupDir, 'node', 'lib', 'test');
const dataDir = path.join(testDir, 'data');
const certFile = path.join(dataDir, 'dtls-cert.pem');
const keyFile = path.join(dataDir, 'dtls-key.pem');

console.log(`test:worker on Node ${process.version}, mediasoup ${version}`);

if (!existsSync(certFile) || !existsSync(keyFile)) {
	mkdirSync(dataDir, { recursive: true });
	execFileSync(
		'openssl',
		// biome-ignore format: one option per line would hide the command.
		['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
			'-subj', '/CN=mediasoup-test', '-keyout', keyFile, '-out', certFile],
		{ stdio: 'ignore' },
	);
}

// Jest skips node_modules by default (test paths and its file crawler); the
// suite lives there, so both are switched off for this one run.
const jestConfig = {
	rootDir: testDir,
	testMatch: ['<rootDir>/test-*.js'],
	testPathIgnorePatterns: [],
	haste: { retainAllFiles: true },
	transform: {},
	testEnvironment: 'node',
};

const result = spawnSync(
	process.execPath,
	[require.resolve('jest/bin/jest'), '--config', JSON.stringify(jestConfig), '--runInBand', ...process.argv.slice(2)],
	{ stdio: 'inherit' },
);
process.exit(result.status ?? 1);
