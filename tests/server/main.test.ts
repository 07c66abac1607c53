// The entry point as `npm start` runs it, in a child process: it prints the
// Node version, serves HTTPS, shuts down cleanly on SIGTERM (its peers told
// why, no worker process left behind), refuses a bad configuration with a
// message saying what to change, and warns when started without the Node
// flags `npm start` passes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type MainSetup, prepareMain, workerPidsIn } from '../helpers/mainProcess.ts';
import { exitOf, httpsStatus } from '../helpers/nodeProcess.ts';
import { TestPeer } from '../helpers/TestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let main: MainSetup;

before(async () => {
	main = await prepareMain();
});

after(() => main.cleanup());

test('starts on Node 24, serves, and on SIGTERM (no drain time) tells its peers it shuts down and exits cleanly', async () => {
	// DRAIN_TIMEOUT_MS=0: the drain ends at once (tests/server/drain.test.ts waits).
	const { child, output } = main.start({ DRAIN_TIMEOUT_MS: '0' });
	const exited = exitOf(child);
	try {
		await waitFor('the server to listen', () => output().includes('"msg":"listening"'), { timeoutMs: 20_000 });
		assert.match(output(), /"node":"v24\./);
		assert.doesNotMatch(output(), /started without the flags/);
		const workerPids = workerPidsIn(output());
		assert.equal(await httpsStatus(`https://127.0.0.1:${main.port}/rooms/main-test`), 200);
		const peer = await TestPeer.connect({
			url: `wss://127.0.0.1:${main.port}/?roomId=main-test&peerId=alice`,
			ca: main.ca,
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
	const { child, output } = main.start({}, []);
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
	const { child, output } = main.start({ MEDIASOUP_ANNOUNCED_ADDRESS: '0.0.0.0' });
	assert.equal(await exitOf(child), 78);
	assert.match(output(), /MEDIASOUP_ANNOUNCED_ADDRESS/);
	assert.match(output(), /Set MEDIASOUP_ANNOUNCED_ADDRESS to/);
});
