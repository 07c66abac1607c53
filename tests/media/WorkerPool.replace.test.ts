// A worker that dies (SIGKILL, as the OOM killer would) does not take the
// server down: the pool reports it, its Routers close, and a new worker takes
// the same index and the same ports, retrying while the port is busy.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import {
	type WorkerDiedEvent,
	type WorkerLostEvent,
	WorkerPool,
	type WorkerReplacedEvent,
} from '../../server/media/WorkerPool.ts';
import { findFreePortRange, holdUdpPort, releaseUdpPort } from '../helpers/freePorts.ts';
import { poolOptions, processExists, RecordingLogger } from './poolFixtures.ts';

const pools: WorkerPool[] = [];

async function startPool(logger: RecordingLogger, overrides: Parameters<typeof poolOptions>[2] = {}) {
	const basePort = await findFreePortRange(2);
	const pool = await WorkerPool.create(poolOptions(basePort, logger, overrides));
	pools.push(pool);
	return { pool, basePort };
}

after(() => Promise.all(pools.map((pool) => pool.close())));

function nextDied(pool: WorkerPool): Promise<WorkerDiedEvent> {
	return new Promise((resolve) => pool.once('workerdied', resolve));
}

function nextReplaced(pool: WorkerPool): Promise<WorkerReplacedEvent> {
	return new Promise((resolve) => pool.once('workerreplaced', resolve));
}

function nextLost(pool: WorkerPool): Promise<WorkerLostEvent> {
	return new Promise((resolve) => pool.once('workerlost', resolve));
}

test('a killed worker is reported, its routers close, and it is replaced on the same index and port', {
	timeout: 30_000,
}, async () => {
	const logger = new RecordingLogger();
	const { pool, basePort } = await startPool(logger);
	const [victim, other] = pool.workers;
	assert.ok(victim && other);
	const doomedRouter = await victim.worker.createRouter();
	const doomedRouterWorkerClose = new Promise<void>((resolve) => doomedRouter.once('workerclose', resolve));
	const bystanderRouter = await other.worker.createRouter();
	const died = nextDied(pool);
	const replaced = nextReplaced(pool);

	process.kill(victim.pid, 'SIGKILL');

	const diedEvent = await died;
	assert.equal(diedEvent.index, 0);
	assert.equal(diedEvent.pid, victim.pid);
	assert.ok(diedEvent.error instanceof Error);
	await doomedRouterWorkerClose;
	assert.ok(doomedRouter.closed);
	assert.ok(
		logger
			.at('error')
			.some((entry) => JSON.stringify(entry.obj).includes(`"pid":${victim.pid}`) && 'index' in entry.obj),
		'the death is logged at error level with pid and index',
	);

	const replacedEvent = await replaced;
	assert.equal(replacedEvent.index, 0);
	assert.notEqual(replacedEvent.pid, victim.pid);
	assert.ok(!processExists(victim.pid), 'the old process is gone');

	const fresh = pool.workers[0];
	assert.ok(fresh);
	assert.notEqual(fresh, victim);
	assert.equal(fresh.index, 0);
	assert.equal(fresh.pid, replacedEvent.pid);
	assert.ok(!victim.alive);
	const dump = await fresh.webRtcServer.dump();
	assert.deepEqual(dump.udpSockets, [{ ip: '127.0.0.1', port: basePort }]);
	assert.deepEqual(dump.tcpServers, [{ ip: '127.0.0.1', port: basePort }]);

	assert.equal(pool.workers[1], other, 'the other worker is untouched');
	assert.ok(other.alive && processExists(other.pid));
	assert.ok(!bystanderRouter.closed);
	assert.equal(other.routers, 1);

	assert.equal(fresh.routers, 0, 'the dead worker’s router does not count on its replacement');
	const router = await fresh.worker.createRouter();
	assert.equal(pool.pick(), fresh);
	const transport = await router.createWebRtcTransport({ webRtcServer: fresh.webRtcServer });
	assert.deepEqual(
		transport.iceCandidates
			.map(({ protocol, port }) => ({ protocol, port }))
			.sort((x, y) => (x.protocol < y.protocol ? -1 : 1)),
		[
			{ protocol: 'tcp', port: basePort },
			{ protocol: 'udp', port: basePort },
		],
	);
	assert.deepEqual((await fresh.webRtcServer.dump()).webRtcTransportIds, [transport.id]);
});

test('the replacement retries with backoff while its port is still taken', { timeout: 30_000 }, async () => {
	const logger = new RecordingLogger();
	const { pool, basePort } = await startPool(logger, { replaceRetryDelayMs: 50 });
	const victim = pool.workers[1];
	assert.ok(victim);
	const port = basePort + 1;
	// Take the port the moment the worker is reported dead, before the
	// replacement's WebRtcServer (a process spawn away) tries to bind it.
	let blocker: ReturnType<typeof holdUdpPort> | undefined;
	pool.once('workerdied', () => {
		blocker = holdUdpPort(port);
	});
	const replaced = nextReplaced(pool);

	process.kill(victim.pid, 'SIGKILL');
	await nextDied(pool).catch(() => {});
	assert.ok(blocker);
	const socket = await blocker;
	setTimeout(() => void releaseUdpPort(socket), 400);

	const replacedEvent = await replaced;
	assert.equal(replacedEvent.index, 1);
	const failedAttempts = logger.at('warn').filter((entry) => 'index' in entry.obj && entry.obj.index === 1);
	assert.ok(failedAttempts.length >= 1, 'at least one attempt hit the busy port');
	for (const entry of failedAttempts) {
		const err = 'err' in entry.obj ? entry.obj.err : undefined;
		assert.ok(err instanceof Error);
		assert.match(err.message, new RegExp(`port ${port}\\b.*MEDIASOUP_WEBRTC_SERVER_PORT`));
	}
	assert.deepEqual((await pool.workers[1]?.webRtcServer.dump())?.udpSockets, [{ ip: '127.0.0.1', port }]);
});

test('after replaceAttempts failures the slot is given up (workerlost) and the pool keeps serving', {
	timeout: 30_000,
}, async () => {
	const logger = new RecordingLogger();
	const { pool, basePort } = await startPool(logger, { replaceAttempts: 3, replaceRetryDelayMs: 20 });
	const [survivor, victim] = pool.workers;
	assert.ok(survivor && victim);
	let blocker: ReturnType<typeof holdUdpPort> | undefined;
	pool.once('workerdied', () => {
		blocker = holdUdpPort(basePort + 1);
	});
	const lost = nextLost(pool);
	let replacedAnyway = false;
	pool.once('workerreplaced', () => {
		replacedAnyway = true;
	});

	process.kill(victim.pid, 'SIGKILL');
	try {
		const lostEvent = await lost;
		assert.equal(lostEvent.index, 1);
		assert.match(lostEvent.error.message, /MEDIASOUP_WEBRTC_SERVER_PORT/);
	} finally {
		if (blocker) await releaseUdpPort(await blocker);
	}
	assert.ok(!replacedAnyway);
	assert.equal(logger.at('warn').length, 3, 'one warning per attempt');
	assert.deepEqual(pool.workers, [survivor]);
	assert.equal(pool.pick(), survivor);
});

test('close() during a replacement stops it and leaves no process behind', { timeout: 30_000 }, async () => {
	const logger = new RecordingLogger();
	const { pool } = await startPool(logger);
	const [victim, other] = pool.workers;
	assert.ok(victim && other);
	let replacedAfterClose = false;
	pool.on('workerreplaced', () => {
		replacedAfterClose = true;
	});
	const spawned: number[] = [];
	const onNewWorker = (worker: types.Worker): void => {
		spawned.push(worker.pid);
	};
	mediasoup.observer.on('newworker', onNewWorker);
	try {
		const died = nextDied(pool);
		process.kill(victim.pid, 'SIGKILL');
		await died;
		// The replacement is now spawning; close() must wait for it and close it.
		await pool.close();
	} finally {
		mediasoup.observer.off('newworker', onNewWorker);
	}
	assert.ok(!replacedAfterClose, 'nothing is emitted after close');
	assert.equal(spawned.length, 1, 'the replacement had been started');
	for (const pid of [...spawned, other.pid]) assert.ok(!processExists(pid), `worker ${pid} is gone`);
	assert.deepEqual(pool.workers, []);
});
