// The entry point as `npm start` runs it, in a child process: it prints the
// Node version, serves HTTPS, shuts down cleanly on SIGTERM (its peers told
// why, no worker process left behind), refuses a bad configuration with a
// message saying what to change, and warns when started without the Node
// flags `npm start` passes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SERVER_NODE_ARGS } from '../../server/nodeHeap.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { buildAppIfMissing } from '../../tools/appBuild.ts';
import { findFreePortRange } from '../helpers/freePorts.ts';
import { exitOf, httpsStatus, startNode } from '../helpers/nodeProcess.ts';
import { TestPeer } from '../helpers/TestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const root = path.resolve(import.meta.dirname, '../..');
let certDir: string;
let ca: string;
let env: Record<string, string>;

before(async () => {
	// main.ts refuses to start without a built app (`npm start` builds it;
	// tests/e2e/freshClone.test.ts checks the refusal).
	await buildAppIfMissing({ rootDir: root, production: true });
	certDir = mkdtempSync(path.join(os.tmpdir(), 'conference-main-'));
	const certificate = await ensureCertificate({ certDir, log: { debug: () => {} } });
	ca = readFileSync(certificate.cert, 'utf8');
	env = {
		HTTPS_LISTEN_IP: '127.0.0.1',
		HTTPS_LISTEN_PORT: String(await findFreePortRange(1)),
		HTTPS_CERT_FULLCHAIN: certificate.cert,
		HTTPS_CERT_PRIVKEY: certificate.key,
		MEDIASOUP_LISTEN_IP: '127.0.0.1',
		MEDIASOUP_NUM_WORKERS: '2',
		MEDIASOUP_WEBRTC_SERVER_PORT: String(await findFreePortRange(2)),
		METRICS_PORT: String(await findFreePortRange(1)),
		NODE_ENV: 'production',
	};
});

after(() => rmSync(certDir, { recursive: true, force: true }));

function startMain(extraEnv: Record<string, string> = {}, nodeArgs: readonly string[] = SERVER_NODE_ARGS) {
	return startNode([...nodeArgs, path.join(root, 'server', 'main.ts')], { ...env, ...extraEnv });
}

test('starts on Node 24, serves, and on SIGTERM tells its peers it shuts down and exits cleanly', async () => {
	const { child, output } = startMain();
	const exited = exitOf(child);
	try {
		await waitFor('the server to listen', () => output().includes('"msg":"listening"'), { timeoutMs: 20_000 });
		assert.match(output(), /"node":"v24\./);
		assert.doesNotMatch(output(), /started without the flags/);
		const workerPids = [...output().matchAll(/"pid":(\d+)\}/g)].map((match) => Number(match[1]));
		assert.equal(await httpsStatus(`https://127.0.0.1:${env.HTTPS_LISTEN_PORT}/rooms/main-test`), 200);
		const peer = await TestPeer.connect({
			url: `wss://127.0.0.1:${env.HTTPS_LISTEN_PORT}/?roomId=main-test&peerId=alice`,
			ca,
		});
		await peer.join();

		child.kill('SIGTERM');
		assert.equal(await exited, 0);
		await waitFor('the peer is disconnected', () => peer.closed);
		assert.deepEqual(peer.notificationsOf('closing'), [{ reason: 'shutdown' }]);
		assert.match(output(), /"msg":"stopped"/);
		assert.ok(workerPids.length >= 2, `worker pids logged: ${workerPids}`);
		for (const pid of workerPids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
	} finally {
		child.kill('SIGKILL');
	}
});

test('started by hand without the Node flags of npm start, it says which are missing', async () => {
	const { child, output } = startMain({}, []);
	const exited = exitOf(child);
	try {
		await waitFor('the server to listen', () => output().includes('"msg":"listening"'), { timeoutMs: 20_000 });
		assert.match(output(), /"missing":\["--max-semi-space-size=16"\].*started without the flags `npm start` passes/);
		child.kill('SIGTERM');
		assert.equal(await exited, 0);
	} finally {
		child.kill('SIGKILL');
	}
});

test('a bad setting stops the start with a message naming what to change', async () => {
	const { child, output } = startMain({ MEDIASOUP_ANNOUNCED_ADDRESS: '0.0.0.0' });
	assert.equal(await exitOf(child), 78);
	assert.match(output(), /MEDIASOUP_ANNOUNCED_ADDRESS/);
	assert.match(output(), /Set MEDIASOUP_ANNOUNCED_ADDRESS to/);
});
