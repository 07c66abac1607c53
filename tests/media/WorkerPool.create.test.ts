// create() is all or nothing: a WebRtcServer that cannot listen fails the
// whole pool with a message an operator can act on, and the workers that did
// start are closed, their processes gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { WebRtcServerStartError } from '../../server/media/WebRtcServerStartError.ts';
import { WorkerPool } from '../../server/media/WorkerPool.ts';
import { findFreePortRange, holdUdpPort, releaseUdpPort } from '../helpers/freePorts.ts';
import { poolOptions, processExists, RecordingLogger } from './poolFixtures.ts';

test('a WebRtcServer port in use makes create() reject naming the port and leaves no worker behind', async () => {
	const basePort = await findFreePortRange(2);
	const busyPort = basePort + 1;
	const blocker = await holdUdpPort(busyPort);
	const spawned: number[] = [];
	const onNewWorker = (worker: types.Worker): void => {
		spawned.push(worker.pid);
	};
	mediasoup.observer.on('newworker', onNewWorker);
	const logger = new RecordingLogger();
	try {
		await assert.rejects(WorkerPool.create(poolOptions(basePort, logger)), (error: unknown) => {
			assert.ok(error instanceof WebRtcServerStartError);
			assert.match(error.message, new RegExp(`port ${busyPort}\\b`));
			assert.match(error.message, /MEDIASOUP_WEBRTC_SERVER_PORT/);
			assert.equal(error.port, busyPort);
			assert.equal(error.workerIndex, 1);
			assert.ok(error.portInUse);
			return true;
		});
	} finally {
		mediasoup.observer.off('newworker', onNewWorker);
		await releaseUdpPort(blocker);
	}
	assert.equal(spawned.length, 2, 'both workers were spawned');
	for (const pid of spawned) assert.ok(!processExists(pid), `worker ${pid} was closed`);
	assert.ok(
		logger.at('error').some((entry) => entry.msg === 'mediasoup worker failed to start'),
		'the failure is logged',
	);
});

test('create() refuses a pool without workers', async () => {
	const basePort = await findFreePortRange(1);
	await assert.rejects(
		WorkerPool.create(poolOptions(basePort, new RecordingLogger(), { numWorkers: 0 })),
		/at least one worker/,
	);
});
