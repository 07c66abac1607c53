// Every close the server starts says why (ours, docs/PROTOCOL.md "Sessions"):
// the client gets `closing {reason}` just before its connection closes, and
// can tell a transient cause (reconnect by itself) from a decision (stay
// out). Real clients against an open-mode server; the server's shutdown is
// the last case, since it ends the server the file shares. (denied and
// transportFailed are asserted where the lobby and a failed DTLS are:
// lobby.test.ts, webrtc.test.ts.)
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { isTransientCloseReason } from '../../protocol/signaling.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;
const peers: TestPeer[] = [];
let roomCounter = 0;
const newRoomId = () => `close-${process.pid}-${++roomCounter}`;

before(async () => {
	server = await startTestServer();
});

afterEach(() => {
	for (const peer of peers.splice(0)) peer.close();
});

after(async () => {
	await server.close();
});

async function joined(roomId: string, peerId: string): Promise<TestPeer> {
	const peer = await server.connect(roomId, peerId);
	peers.push(peer);
	await peer.join({ displayName: peerId });
	await peer.produce('audio');
	return peer;
}

/** The reason the server gave, once the connection closed; the client saw nothing after it. */
async function closedFor(peer: TestPeer): Promise<string> {
	await waitFor('the connection closed', () => peer.closed);
	const last = peer.notifications.at(-1);
	assert.equal(last?.method, 'closing', 'closing is the last message');
	assert.equal(peer.notificationsOf('closing').length, 1, 'told once');
	return String(last.data.reason);
}

test('replaced: a newer connection with the same peerId takes the place; the old one is told never to come back', async () => {
	const roomId = newRoomId();
	await joined(roomId, 'alice');
	const first = await joined(roomId, 'bob');
	const second = await joined(roomId, 'bob');
	assert.equal(await closedFor(first), 'replaced');
	assert.equal(isTransientCloseReason('replaced'), false);
	assert.equal(second.closed, false);
	await assertNoOrphans(server.server, roomId);
});

test('removed: after removedFromRoom, the removed peer is told so and closed', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice');
	const bob = await joined(roomId, 'bob');
	await alice.request('removePeer', { peerId: 'bob', reason: 'spam' });
	assert.equal(await closedFor(bob), 'removed');
	assert.deepEqual(
		bob.notifications.slice(-2).map((notification) => notification.method),
		['removedFromRoom', 'closing'],
	);
	assert.equal(isTransientCloseReason('removed'), false);
	await assertNoOrphans(server.server, roomId);
});

test('roomEnded: everyone is told after removedFromRoom {ended: true}', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice');
	const bob = await joined(roomId, 'bob');
	await alice.request('endRoom');
	assert.equal(await closedFor(alice), 'roomEnded');
	assert.equal(await closedFor(bob), 'roomEnded');
	assert.equal(isTransientCloseReason('roomEnded'), false);
});

test("roomClosed: the operator closed the room (admin terminal's room.close())", async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice');
	const room = await server.server.rooms.find(roomId);
	room?.close();
	assert.equal(await closedFor(alice), 'roomClosed');
	assert.equal(isTransientCloseReason('roomClosed'), false);
});

test('workerDied: the room went with its worker; the client may join again at once, on a live worker', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice');
	const [pooled] = server.server.pool.workers;
	assert.ok(pooled);
	process.kill(pooled.pid, 'SIGKILL');
	assert.equal(await closedFor(alice), 'workerDied');
	assert.equal(isTransientCloseReason('workerDied'), true);
	await waitFor('a replacement worker', () => server.server.pool.workers.some((worker) => worker.pid !== pooled.pid));
	const again = await joined(roomId, 'alice');
	assert.equal(again.closed, false);
	await assertNoOrphans(server.server, roomId);
});

// Last: it closes the server this file shares.
test('shutdown: the server stopping tells every peer, which may reconnect once it is back', async () => {
	const alice = await joined(newRoomId(), 'alice');
	const bob = await joined(newRoomId(), 'bob');
	await server.server.close();
	assert.equal(await closedFor(alice), 'shutdown');
	assert.equal(await closedFor(bob), 'shutdown');
	assert.equal(isTransientCloseReason('shutdown'), true);
});
