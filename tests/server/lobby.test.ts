// The lobby (ours, docs/PROTOCOL.md "Access control"): in a locked room a
// peer without roomAdmin waits until a moderator admits it (it then joins and
// sees the others) or denies it (its connection closes); with no moderator
// present it just waits. The server runs with AUTH_LOBBY=true: every room
// starts locked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { moderatorOf } from '../helpers/accessTokens.ts';
import { routerState } from '../helpers/routerState.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { joinAgain, protooError, tokenModeServer } from '../helpers/tokenPeers.ts';
import { waitFor } from '../helpers/waitFor.ts';

const tokenServer = tokenModeServer('lobby', { AUTH_LOBBY: 'true' });
const { newRoomId, connect } = tokenServer;

const LOBBY_REFUSAL = protooError(403, /^room is locked: waiting in the lobby for a moderator$/);

/** A moderator in the room (which starts locked). */
async function moderator(roomId: string, identity = 'mod'): Promise<TestPeer> {
	const peer = await connect(roomId, identity, moderatorOf(roomId));
	const response = await peer.join({ displayName: identity });
	assert.equal(response.locked, true, 'the room starts locked (AUTH_LOBBY)');
	return peer;
}

/** A peer whose join was refused: it waits in the lobby. */
async function waiting(roomId: string, identity: string): Promise<TestPeer> {
	const peer = await connect(roomId, identity);
	await assert.rejects(peer.join({ displayName: identity }), LOBBY_REFUSAL);
	await peer.waitForNotification('lobbyEntered');
	return peer;
}

test('a newcomer waits; the moderator is told; admitted, it joins, sees the others and consumes their media', async () => {
	const roomId = newRoomId();
	const alice = await moderator(roomId, 'alice');
	const mic = await alice.produce('audio');
	const before = await routerState(tokenServer.server, roomId);

	const bob = await waiting(roomId, 'bob');
	await alice.waitForNotification('lobbyPeerWaiting', (data) => data.peerId === 'bob' && data.displayName === 'bob');
	const whileWaiting = await routerState(tokenServer.server, roomId);
	assert.deepEqual(
		{ ...whileWaiting, transports: [] },
		{ ...before, transports: [] },
		'the refused join made no producer or consumer',
	);
	assert.equal(whileWaiting.transports.length, before.transports.length + 2, "only bob's own two transports");
	assert.equal(alice.notificationsOf('newPeer').length, 0, 'a waiting peer is not announced');

	await alice.request('admitPeer', { peerId: 'bob' });
	await bob.waitForNotification('lobbyAdmitted');
	await alice.waitForNotification('lobbyPeerLeft', (data) => data.peerId === 'bob');
	const response = await joinAgain(bob, 'bob');
	assert.deepEqual(
		response.peers.map((peer) => peer.id),
		['alice'],
	);
	assert.equal(response.locked, true);
	assert.equal(response.grants?.roomAdmin, false);
	await waitFor('bob consumes alice', () => [...bob.consumers.values()].some((c) => c.producerId === mic.id));
	await alice.waitForNotification('newPeer', (data) => data.id === 'bob');
});

test('deny: the peer is told and disconnected; the moderators see it leave the lobby', async () => {
	const roomId = newRoomId();
	const alice = await moderator(roomId, 'alice');
	const bob = await waiting(roomId, 'bob');
	await alice.waitForNotification('lobbyPeerWaiting', (data) => data.peerId === 'bob');
	const before = await routerState(tokenServer.server, roomId);

	await alice.request('denyPeer', { peerId: 'bob' });
	await waitFor("bob's connection closed", () => bob.closed);
	assert.deepEqual(bob.notificationsOf('lobbyDenied'), [{ reason: '' }]);
	assert.deepEqual(bob.notificationsOf('closing'), [{ reason: 'denied' }], 'and why its connection closes');
	assert.deepEqual(alice.notificationsOf('lobbyPeerLeft'), [{ peerId: 'bob' }], 'told once');
	const room = await tokenServer.server.rooms.find(roomId);
	assert.equal(room?.peers.has('bob'), false);
	const after = await routerState(tokenServer.server, roomId);
	assert.equal(after.transports.length, before.transports.length - 2, "bob's transports are gone");
	assert.equal(alice.notificationsOf('peerClosed').length, 0, 'a peer that never joined is not announced leaving');
});

test('with no moderator present nobody is admitted; a moderator who joins later is told who waits', async () => {
	const roomId = newRoomId();
	const carol = await waiting(roomId, 'carol');
	const dave = await waiting(roomId, 'dave');
	await sleep(300);
	assert.equal(carol.notificationsOf('lobbyAdmitted').length, 0);
	assert.equal(dave.notificationsOf('lobbyAdmitted').length, 0);
	await assert.rejects(joinAgain(carol, 'carol'), LOBBY_REFUSAL);

	const erin = await moderator(roomId, 'erin');
	await waitFor('erin is told of both', () => erin.notificationsOf('lobbyPeerWaiting').length === 2 || undefined);
	assert.deepEqual(
		erin
			.notificationsOf('lobbyPeerWaiting')
			.map((data) => data.peerId)
			.sort(),
		['carol', 'dave'],
	);
	// carol's second join did not make her wait twice.
	await erin.request('admitPeer', { peerId: 'carol' });
	await joinAgain(carol, 'carol');
});

test('a waiting peer that goes: the moderators see it leave the lobby', async () => {
	const roomId = newRoomId();
	const alice = await moderator(roomId, 'alice');
	const bob = await waiting(roomId, 'bob');
	await alice.waitForNotification('lobbyPeerWaiting', (data) => data.peerId === 'bob');
	bob.close();
	await alice.waitForNotification('lobbyPeerLeft', (data) => data.peerId === 'bob');
	const error = await alice.requestError('admitPeer', { peerId: 'bob' });
	assert.equal(error.code, 404);
});

test('unlocking admits everyone waiting; members who reconnect pass the lock, newcomers do not', async () => {
	const roomId = newRoomId();
	const alice = await moderator(roomId, 'alice');
	const bob = await waiting(roomId, 'bob');
	await alice.request('lockRoom', { locked: false });
	await bob.waitForNotification('lobbyAdmitted');
	await alice.waitForNotification('roomLockChanged', (data) => data.locked === false);
	await alice.waitForNotification('lobbyPeerLeft', (data) => data.peerId === 'bob');
	assert.equal((await joinAgain(bob, 'bob')).locked, false);
	// Its client settled (it connects its transport for the bot's DataChannel) before it goes.
	await waitFor("bob consumes the bot's DataChannel", () => bob.dataConsumers.size === 1);

	await alice.request('lockRoom', { locked: true });
	await bob.waitForNotification('roomLockChanged', (data) => data.locked === true);
	bob.close();
	await waitFor('bob gone', async () => !(await tokenServer.server.rooms.find(roomId))?.peers.has('bob'));
	const bobAgain = await connect(roomId, 'bob');
	const response = await bobAgain.join({ displayName: 'bob' });
	assert.equal(response.locked, true, 'a member passes the lock');
	await waiting(roomId, 'newcomer');
});

test('a hidden peer passes the lock without being announced', async () => {
	const roomId = newRoomId();
	const alice = await moderator(roomId, 'alice');
	const recorder = await connect(roomId, 'recorder', { room: roomId, hidden: true });
	const response = await recorder.join({ displayName: 'recorder' });
	assert.deepEqual(
		response.peers.map((peer) => peer.id),
		['alice'],
	);
	await sleep(200);
	assert.equal(alice.notificationsOf('lobbyPeerWaiting').length, 0);
	assert.equal(alice.notificationsOf('newPeer').length, 0);
});

test('a peer given roomAdmin is told who waits and may admit', async () => {
	const roomId = newRoomId();
	const alice = await moderator(roomId, 'alice');
	const bob = await waiting(roomId, 'bob');
	await alice.request('admitPeer', { peerId: 'bob' });
	await joinAgain(bob, 'bob');
	const carol = await waiting(roomId, 'carol');
	await alice.waitForNotification('lobbyPeerWaiting', (data) => data.peerId === 'carol');
	assert.equal(bob.notificationsOf('lobbyPeerWaiting').length, 0, 'not a moderator yet');

	await alice.request('setPeerGrants', { peerId: 'bob', grants: { roomAdmin: true } });
	await bob.waitForNotification('grantsChanged', (data) => (data.grants as { roomAdmin: boolean }).roomAdmin);
	await bob.waitForNotification('lobbyPeerWaiting', (data) => data.peerId === 'carol');
	await bob.request('admitPeer', { peerId: 'carol' });
	await carol.waitForNotification('lobbyAdmitted');
});
