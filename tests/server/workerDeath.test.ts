// A worker killed with SIGKILL: the process stays up, the rooms on it close
// (their peers are disconnected and can rejoin), a replacement worker with its
// WebRtcServer starts, and new rooms work.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;

before(async () => {
	server = await startTestServer({ numWorkers: 1 });
});

after(async () => {
	await server.close();
});

test('a killed worker is replaced and rooms work again', async () => {
	const roomId = `worker-death-${process.pid}`;
	const alice = await server.connect(roomId, 'alice');
	await alice.join();
	await alice.produce('audio');
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	const [pooled] = server.server.pool.workers;
	assert.ok(pooled);
	const oldPid = pooled.pid;

	process.kill(oldPid, 'SIGKILL');

	await waitFor('the peer is disconnected', () => alice.closed);
	await waitFor('the room is closed', () => room.closed);
	const replacement = await waitFor('a replacement worker', () =>
		server.server.pool.workers.find((worker) => worker.pid !== oldPid),
	);
	assert.equal(replacement.index, 0);

	// The same room id works again, on the new worker, with media objects.
	const again = await server.connect(roomId, 'alice');
	try {
		const { peers } = await again.join();
		assert.deepEqual(peers, []);
		await again.produce('video');
		const newRoom = await server.server.rooms.find(roomId);
		assert.ok(newRoom && newRoom !== room);
		assert.equal(newRoom.workerIndex, 0);
		const dump = await newRoom.router.dump();
		assert.equal(dump.mapProducerIdConsumerIds.length, 1);
	} finally {
		again.close();
	}
	const rest = await server.rest('GET', `/rooms/${roomId}-rest`);
	assert.equal(rest.status, 200);
});
