// SIGTERM drains the server (server/Drain.ts, ours): no new rooms and no new
// peers, the running calls go on until their rooms are empty or the drain
// timeout passes, then the peers left are told `closing {reason:
// 'shutdown'}` and the process exits with nothing left running. The server
// runs as `npm start` runs it, in a process of its own that the test signals;
// its clients are real protoo WebSockets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RestClient, RestError } from '../../bench/RestClient.ts';
import { handshake } from '../helpers/handshake.ts';
import { type MainSetup, prepareMain, workerPidsIn } from '../helpers/mainProcess.ts';
import { exitOf, httpsStatus, type NodeProcess } from '../helpers/nodeProcess.ts';
import { TcpProxy } from '../helpers/TcpProxy.ts';
import { TestPeer } from '../helpers/TestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let main: MainSetup;

before(async () => {
	main = await prepareMain({ workers: 1 });
});

after(() => main.cleanup());

/** A server process, started and listening; killed at the end of the test whatever happened. */
async function started(t: { after: (fn: () => void) => void }, env: Record<string, string>): Promise<NodeProcess> {
	const server = main.start(env);
	t.after(() => server.child.kill('SIGKILL'));
	await waitFor('the server to listen', () => server.output().includes('"msg":"listening"'), { timeoutMs: 20_000 });
	return server;
}

function url(roomId: string, peerId: string, port = main.port): string {
	return `wss://127.0.0.1:${port}/?roomId=${roomId}&peerId=${peerId}`;
}

async function joined(roomId: string, peerId: string, port = main.port): Promise<TestPeer> {
	const peer = await TestPeer.connect({ url: url(roomId, peerId, port), ca: main.ca });
	await peer.join({ displayName: peerId });
	await peer.produce('audio');
	return peer;
}

/** The status of a GET over HTTPS (any certificate) or plain HTTP (the metrics listener). */
async function status(url: string): Promise<number> {
	if (url.startsWith('https:')) return httpsStatus(url);
	return (await fetch(url)).status;
}

/** Resolves once the server logged that it drains. */
function draining(server: NodeProcess): Promise<unknown> {
	return waitFor('the drain to start', () => server.output().includes('"msg":"draining:'));
}

test('during a drain nothing new comes in, the running call goes on until the timeout, then its peers are told and the process exits with nothing left', async (t) => {
	const DRAIN_TIMEOUT_MS = 4000;
	const server = await started(t, { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) });
	const workerPids = workerPidsIn(server.output());
	assert.equal(workerPids.length, 1, 'the worker pid is logged');
	const alice = await joined('drain-call', 'alice');
	const bob = await joined('drain-call', 'bob');
	await waitFor('each consumes the other', () => alice.consumers.size === 1 && bob.consumers.size === 1);
	const exited = exitOf(server.child);
	const readyz = [`https://127.0.0.1:${main.port}/readyz`, `http://127.0.0.1:${main.metricsPort}/readyz`];
	for (const url of readyz) assert.equal(await status(url), 200, `${url} before the drain`);

	server.child.kill('SIGTERM');
	const signalled = performance.now();
	await draining(server);
	// Out of rotation on both ports: a load balancer sends nobody new here.
	for (const url of readyz) assert.equal(await status(url), 503, `${url} during the drain`);
	assert.equal(await status(`https://127.0.0.1:${main.port}/healthz`), 200, 'alive all the same');

	// Nothing new: no room, no peer in a running room, no broadcaster; a room
	// GET /rooms/:id would make is refused too, and GET /access says so.
	assert.deepEqual(await handshake(url('drain-new-room', 'carol'), { ca: main.ca }), {
		status: 503,
		reason: 'server is draining (shutting down): it takes no new rooms; try again on another server or later',
	});
	assert.deepEqual(await handshake(url('drain-call', 'carol'), { ca: main.ca }), {
		status: 503,
		reason: 'server is draining (shutting down): it takes no new peers; try again on another server or later',
	});
	assert.equal(await httpsStatus(`https://127.0.0.1:${main.port}/rooms/drain-new-room`), 503);
	assert.equal(await httpsStatus(`https://127.0.0.1:${main.port}/access?roomId=drain-new-room&peerId=carol`), 503);
	assert.equal(await httpsStatus(`https://127.0.0.1:${main.port}/access?roomId=drain-call&peerId=carol`), 503);
	const rest = new RestClient(`https://127.0.0.1:${main.port}`, main.ca);
	t.after(() => rest.close());
	await assert.rejects(
		rest.post('/rooms/drain-call/broadcasters', { id: 'ffmpeg', displayName: 'ffmpeg', device: { name: 'ffmpeg' } }),
		(error: unknown) => error instanceof RestError && error.status === 503 && /no new peers/.test(error.message),
	);

	// The call goes on: what one does reaches the other, as before.
	const [consumerOfBob] = [...alice.consumers.values()];
	assert.ok(consumerOfBob);
	await bob.request('pauseProducer', { producerId: consumerOfBob.producerId });
	await alice.waitForNotification('consumerPaused', (data) => data.consumerId === consumerOfBob.id);
	await alice.produce('audio');
	await waitFor('bob consumes alice’s new producer', () => bob.consumers.size === 2);
	// Still in the call just before the timeout (a timer never fires early).
	await sleep(Math.max(0, DRAIN_TIMEOUT_MS - 500 - (performance.now() - signalled)));
	assert.equal(server.child.exitCode, null, 'the server runs until the drain timeout');
	assert.equal(alice.closed || bob.closed, false, 'nobody was disconnected before the timeout');
	assert.deepEqual(alice.notificationsOf('peerClosed'), []);

	assert.equal(await exited, 0);
	assert.ok(performance.now() - signalled >= DRAIN_TIMEOUT_MS, 'not before the drain timeout');
	await waitFor('both are disconnected', () => alice.closed && bob.closed);
	assert.deepEqual(alice.notificationsOf('closing'), [{ reason: 'shutdown' }]);
	assert.deepEqual(bob.notificationsOf('closing'), [{ reason: 'shutdown' }]);
	assert.match(server.output(), /"msg":"drain timeout: the calls still running are told the server shuts down"/);
	assert.match(server.output(), /"msg":"stopped"/);
	for (const pid of workerPids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} is gone`);
});

test('a drain ends when the last room empties: a dropped peer may still resume, and the process exits when everyone left', async (t) => {
	const server = await started(t, {
		DRAIN_TIMEOUT_MS: '120000',
		RECONNECT_GRACE_MS: '10000',
		RECONNECT_PING_INTERVAL_MS: '250',
	});
	const proxy = await TcpProxy.start({ host: '127.0.0.1', port: main.port });
	t.after(() => proxy.close());
	const alice = await joined('drain-empties', 'alice');
	const bob = await TestPeer.connect({ url: url('drain-empties', 'bob', proxy.port), ca: main.ca });
	const answer = await bob.join({ displayName: 'bob' });
	const exited = exitOf(server.child);

	server.child.kill('SIGTERM');
	await draining(server);
	// Bob's network goes and comes back: his session is a member already here, so it resumes.
	proxy.cut();
	await alice.waitForNotification('peerReconnecting', (data) => data.peerId === 'bob');
	proxy.restore();
	assert.ok(answer.resumeSecret);
	await bob.resume(`${url('drain-empties', 'bob')}&resume=${encodeURIComponent(answer.resumeSecret)}`);
	await bob.waitForNotification('sessionResumed');
	await alice.waitForNotification('peerReconnected', (data) => data.peerId === 'bob');

	alice.close();
	bob.close();
	assert.equal(await exited, 0);
	assert.match(server.output(), /"msg":"drained: every room is empty"/);
	assert.deepEqual(alice.notificationsOf('closing'), []);
});

test('a second SIGTERM during a drain stops at once: the peers are told the server shuts down', async (t) => {
	const server = await started(t, { DRAIN_TIMEOUT_MS: '120000' });
	const alice = await joined('drain-twice', 'alice');
	const exited = exitOf(server.child);
	server.child.kill('SIGTERM');
	await draining(server);
	server.child.kill('SIGTERM');
	assert.equal(await exited, 0);
	await waitFor('alice is disconnected', () => alice.closed);
	assert.deepEqual(alice.notificationsOf('closing'), [{ reason: 'shutdown' }]);
	assert.match(server.output(), /"msg":"shutting down now"/);
});
