// Every owning class closes the same way (lifecycle/Closable.ts): a
// `closed` getter, an idempotent close(), an observer that emits `close` once;
// a parent's close closes its children, and a child closing on its own is
// seen by its parent. Checked on the real objects of a running server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;

before(async () => {
	server = await startTestServer();
});

after(async () => {
	await server.close();
});

/** Counts the `close` events of an observer. */
function closeCount(observer: { on(event: 'close', listener: () => void): unknown }): () => number {
	let count = 0;
	observer.on('close', () => count++);
	return () => count;
}

test('closing a room closes its members, bot, routers and recorder once, and the clients see it', async () => {
	const roomId = `lifecycle-room-${process.pid}`;
	const alice = await server.connect(roomId, 'alice');
	await alice.join();
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	const peer = room.peers.get('alice');
	assert.ok(peer);
	const counts = [room, peer, room.routers, room.routers.home, room.bot, room.recorder].map((closable) => ({
		closable,
		count: closeCount(closable.observer),
	}));

	room.close();
	room.close();
	for (const { closable, count } of counts) {
		assert.equal(closable.closed, true, `${closable.constructor.name} is closed`);
		assert.equal(count(), 1, `${closable.constructor.name} emitted close once`);
	}
	assert.equal(room.router.closed, true, 'the mediasoup router is closed');
	await waitFor("alice's WebSocket is closed", () => alice.closed);
	assert.equal(await server.server.rooms.find(roomId), undefined, 'the registry forgot the room');
});

test('a client that goes closes its peer; the room sees it and, empty, closes', async () => {
	const roomId = `lifecycle-peer-${process.pid}`;
	const bob = await server.connect(roomId, 'bob');
	await bob.join();
	await bob.produce('audio');
	const room = await server.server.rooms.find(roomId);
	const peer = room?.peers.get('bob');
	assert.ok(room && peer);
	const transports = [...peer.transports.values()];
	assert.ok(transports.length > 0);

	bob.close();
	await waitFor('the peer closed', () => peer.closed);
	assert.ok(
		transports.every((transport) => transport.closed),
		"the peer's transports closed with it",
	);
	await waitFor('the room closed', () => room.closed);
});

test('a worker dying closes the routers and the rooms on it, through their observers', async () => {
	const roomId = `lifecycle-worker-${process.pid}`;
	const carol = await server.connect(roomId, 'carol');
	await carol.join();
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	const roomClosed = closeCount(room.observer);
	const routersClosed = closeCount(room.routers.observer);

	process.kill(workerPid(room), 'SIGKILL');
	await waitFor('the room closed', () => room.closed, { timeoutMs: 10_000 });
	assert.equal(routersClosed(), 1);
	assert.equal(roomClosed(), 1);
	await waitFor("carol's WebSocket is closed", () => carol.closed);
	await waitFor('the pool replaced the worker', () => server.server.pool.workers.every((pooled) => pooled.alive), {
		timeoutMs: 10_000,
	});
});

function workerPid(room: { workerIndex: number }): number {
	const pooled = server.server.pool.workers.find((candidate) => candidate.index === room.workerIndex);
	assert.ok(pooled, 'the room has a worker in the pool');
	return pooled.pid;
}

test('the registry closes its rooms, and the pool tells when its workers are gone', async () => {
	const other = await startTestServer();
	const roomId = `lifecycle-registry-${process.pid}`;
	const dave = await other.connect(roomId, 'dave');
	await dave.join();
	const room = await other.server.rooms.find(roomId);
	assert.ok(room);
	const poolClosed = new Promise<void>((resolve) => other.server.pool.observer.once('close', resolve));

	await other.close();
	assert.equal(other.server.rooms.closed, true);
	assert.equal(room.closed, true);
	await assert.rejects(other.server.rooms.getOrCreate('another'), /shutting down/);
	await poolClosed;
	assert.equal(other.server.pool.closed, true);
});
