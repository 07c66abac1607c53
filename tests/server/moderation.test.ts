// Moderation (ours, docs/PROTOCOL.md "Access control"): a joined peer with the
// roomAdmin grant mutes a producer, removes a peer, changes a peer's grants,
// locks the room and ends it; everyone else gets 403 naming roomAdmin, and a
// refused request leaves the router as it was. One token-mode server for all
// cases; the last case runs its own open-mode server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Broadcaster } from '../../server/room/Broadcaster.ts';
import { moderatorOf } from '../helpers/accessTokens.ts';
import { routerState } from '../helpers/routerState.ts';
import type { SignalingPeer } from '../helpers/SignalingPeer.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { tokenModeServer } from '../helpers/tokenPeers.ts';
import type { WebRtcTestPeer } from '../helpers/WebRtcTestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const tokenServer = tokenModeServer('moderation');
const { newRoomId, connect, connectWebRtc } = tokenServer;

/** A joined peer: a moderator with `moderator: true`, otherwise with the room's default grants. */
async function joined(roomId: string, identity: string, { moderator = false } = {}): Promise<TestPeer> {
	const peer = await connect(roomId, identity, moderator ? moderatorOf(roomId) : { room: roomId });
	await peer.join({ displayName: identity });
	return peer;
}

async function serverRoom(roomId: string) {
	const room = await tokenServer.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	return room;
}

/** The id of the consumer `peer` has of a producer, once it has one (not one the server said it closed). */
function consumerOf(peer: SignalingPeer, producerId: string): Promise<string> {
	const isOpen = (id: string) => !peer.notificationsOf('consumerClosed').some((data) => data.consumerId === id);
	return waitFor(
		`a consumer of ${producerId}`,
		() =>
			[...peer.consumers.values()].find((consumer) => consumer.producerId === producerId && isOpen(consumer.id))?.id,
	);
}

test('a peer without roomAdmin gets 403 naming the grant for every moderation request, and nothing changes', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	const mic = await alice.produce('audio');
	await consumerOf(bob, mic.id);
	const before = await routerState(tokenServer.server, roomId);
	const requests: [string, Record<string, unknown>][] = [
		['muteProducer', { producerId: mic.id }],
		['removePeer', { peerId: 'alice', reason: 'no' }],
		['setPeerGrants', { peerId: 'alice', grants: { publish: false } }],
		['lockRoom', { locked: true }],
		['admitPeer', { peerId: 'alice' }],
		['denyPeer', { peerId: 'alice' }],
		['endRoom', {}],
	];
	for (const [method, data] of requests) {
		const error = await bob.requestError(method, data);
		assert.equal(error.code, 403, `${method}: ${error.reason}`);
		assert.equal(error.reason, `${method} needs the roomAdmin grant`);
	}
	assert.deepEqual(await routerState(tokenServer.server, roomId), before, 'the router holds what it held');
	const room = await serverRoom(roomId);
	assert.equal(room.lobby.locked, false);
	assert.equal(room.peers.get('alice')?.grants.publish.length, 3);
	assert.equal(alice.closed, false);
	assert.equal(bob.notificationsOf('consumerPaused').length, 0);
});

test('a moderator is refused what is not there or not its to do (404, 409, not joined), and nothing changes', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	await bob.produce('audio');
	const recorder = await connect(roomId, 'recorder', { room: roomId, hidden: true });
	await recorder.join({ displayName: 'recorder', produce: false });
	await waitFor(
		"the recorder consumes bob's audio",
		async () => (await routerState(tokenServer.server, roomId)).consumers.length === 2,
	);
	const before = await routerState(tokenServer.server, roomId);
	const cases: [string, Record<string, unknown>, number, RegExp][] = [
		['muteProducer', { producerId: 'nope' }, 404, /producer with id "nope" not found/],
		['removePeer', { peerId: 'nobody' }, 404, /peer with id "nobody" not found/],
		['setPeerGrants', { peerId: 'nobody', grants: { publish: false } }, 404, /peer with id "nobody" not found/],
		['admitPeer', { peerId: 'nobody' }, 404, /peer with id "nobody" not found/],
		['denyPeer', { peerId: 'bob' }, 409, /peer "bob" is not waiting in the lobby/],
		['removePeer', { peerId: 'alice' }, 409, /does not remove itself/],
		['setPeerGrants', { peerId: 'alice', grants: { roomAdmin: false } }, 409, /does not change its own grants/],
	];
	for (const [method, data, code, reason] of cases) {
		const error = await alice.requestError(method, data);
		assert.equal(error.code, code, `${method}: ${error.reason}`);
		assert.match(error.reason, reason);
	}
	const hidden = await alice.requestError('removePeer', { peerId: 'recorder' });
	assert.equal(hidden.code, 404, 'a hidden peer is not there for moderation: nothing reveals it');
	assert.equal(recorder.closed, false);
	// A moderator's token does not make a connection that has not joined one.
	const early = await connect(roomId, 'early', moderatorOf(roomId));
	const notJoined = await early.requestError('lockRoom', { locked: true });
	assert.equal(notJoined.code, 403);
	assert.match(notJoined.reason, /not yet joined/);
	assert.deepEqual(await routerState(tokenServer.server, roomId), before, 'the router holds what it held');
	assert.equal(bob.closed, false);
	assert.equal((await serverRoom(roomId)).lobby.locked, false);
});

test('muteProducer: the listener stops receiving the audio, the speaker is told and resumes it', async () => {
	const roomId = newRoomId();
	const speaker: WebRtcTestPeer = await connectWebRtc(roomId, 'speaker');
	await speaker.join({ displayName: 'Speaker' });
	const moderator: WebRtcTestPeer = await connectWebRtc(roomId, 'moderator', moderatorOf(roomId));
	await moderator.join({ displayName: 'Moderator' });
	const mic = await speaker.produceRtp('audio');
	const consumerId = await consumerOf(moderator, mic.producer.id);
	await waitFor('audio arrives', () => moderator.rtpReceivedFrom(mic.producer.id) > 10);

	await moderator.request('muteProducer', { producerId: mic.producer.id });
	await speaker.waitForNotification('producerMutedByModerator', (data) => data.producerId === mic.producer.id);
	await moderator.waitForNotification('consumerPaused', (data) => data.consumerId === consumerId);
	const serverProducer = (await serverRoom(roomId)).peers.get('speaker')?.producer(mic.producer.id);
	assert.equal(serverProducer?.paused, true, 'paused on the server');
	// Packets already on their way may still land; after that, nothing.
	await sleep(500);
	const whenMuted = moderator.rtpReceivedFrom(mic.producer.id);
	await sleep(700);
	assert.equal(moderator.rtpReceivedFrom(mic.producer.id), whenMuted, 'no audio while muted');
	assert.ok(mic.packetsSent > whenMuted + 20, 'the speaker kept sending');

	// Having the producer means its grants allow the microphone: it may unmute.
	await speaker.request('resumeProducer', { producerId: mic.producer.id });
	await moderator.waitForNotification('consumerResumed', (data) => data.consumerId === consumerId);
	await waitFor('audio arrives again', () => moderator.rtpReceivedFrom(mic.producer.id) > whenMuted + 10);
});

test('removePeer: the peer is told why and disconnected, the others see it leave, and it cannot come back', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	const carol = await joined(roomId, 'carol');
	const bobMic = await bob.produce('audio');
	await consumerOf(carol, bobMic.id);
	const room = await serverRoom(roomId);
	const bobTransports = [...(room.peers.get('bob')?.transports.keys() ?? [])];

	await alice.request('removePeer', { peerId: 'bob', reason: 'spamming the chat' });
	await waitFor("bob's connection closed", () => bob.closed);
	assert.deepEqual(bob.notificationsOf('removedFromRoom'), [{ reason: 'spamming the chat', ended: false }]);
	await carol.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
	await alice.waitForNotification('peerClosed', (data) => data.peerId === 'bob');
	assert.equal(room.peers.has('bob'), false);
	const state = await routerState(tokenServer.server, roomId);
	assert.ok(
		bobTransports.every((id) => !state.transports.includes(id)),
		"bob's transports left the router",
	);
	assert.ok(!state.producers.includes(bobMic.id), "bob's producer left the router");

	// A valid token is not enough to come back while the room lives.
	const refusal = await tokenServer.handshake(roomId, 'bob');
	assert.equal(refusal.status, 403);
	assert.match(refusal.reason, /removed from this room by a moderator/);
	assert.equal(room.peers.has('bob'), false);
});

test('removePeer on a broadcaster closes it; its id cannot be used again in the room', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const room = await serverRoom(roomId);
	// Added in-process: what the REST API does after its own checks.
	const description = {
		displayName: 'ffmpeg',
		device: { name: 'ffmpeg' },
		rtpCapabilities: undefined,
		sctpCapabilities: undefined,
	};
	const broadcaster = new Broadcaster('ingest', description);
	room.addBroadcaster(broadcaster);
	await alice.waitForNotification('newPeer', (data) => data.id === 'ingest');

	await alice.request('removePeer', { peerId: 'ingest' });
	assert.equal(broadcaster.closed, true);
	await alice.waitForNotification('peerClosed', (data) => data.peerId === 'ingest');
	assert.throws(
		() => room.addBroadcaster(new Broadcaster('ingest', description)),
		(error: Error & { status?: number }) => error.status === 403 && /removed from this room/.test(error.message),
	);
});

test('setPeerGrants: revoking the microphone closes that producer only, the peer is told, and a reconnection keeps the change', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	const carol = await joined(roomId, 'carol');
	const bobMic = await bob.produce('audio');
	const bobCam = await bob.produce('video');
	const carolOfMic = await consumerOf(carol, bobMic.id);
	await consumerOf(carol, bobCam.id);

	await alice.request('setPeerGrants', { peerId: 'bob', grants: { publish: ['camera'] } });
	const changed = await bob.waitForNotification('grantsChanged');
	const grants = changed.grants as { publish: string[]; subscribe: boolean; roomAdmin: boolean };
	assert.deepEqual(grants.publish, ['camera']);
	assert.equal(grants.subscribe, true, 'what was not changed stays');
	await carol.waitForNotification('consumerClosed', (data) => data.consumerId === carolOfMic);
	const state = await routerState(tokenServer.server, roomId);
	assert.ok(!state.producers.includes(bobMic.id), 'the microphone producer is closed');
	assert.ok(state.producers.includes(bobCam.id), 'the camera producer stays');
	assert.equal(carol.notificationsOf('consumerClosed').length, 1, "carol lost only the microphone's consumer");
	await assert.rejects(bob.produce('audio'), /publishing the microphone needs the publish grant/);
	assert.deepEqual(await routerState(tokenServer.server, roomId), state, 'the refused produce left nothing');

	// The change is the identity's for the room's lifetime, not the connection's.
	bob.close();
	await waitFor('bob gone', async () => !(await serverRoom(roomId)).peers.has('bob'));
	const again = await connect(roomId, 'bob');
	const response = await again.join({ displayName: 'bob' });
	assert.deepEqual(response.grants?.publish, ['camera']);
});

test("setPeerGrants: revoking subscribe and data closes the peer's consumers; giving subscribe back consumes again", async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	const mic = await alice.produce('audio');
	const first = await consumerOf(bob, mic.id);
	const room = await serverRoom(roomId);
	const serverBob = room.peers.get('bob');
	assert.ok(serverBob);
	await waitFor("bob consumes the bot's DataChannel", () => serverBob.dataConsumers.size === 1);

	await alice.request('setPeerGrants', { peerId: 'bob', grants: { subscribe: false, data: false } });
	await bob.waitForNotification('consumerClosed', (data) => data.consumerId === first);
	await bob.waitForNotification('dataConsumerClosed');
	assert.equal(serverBob.consumers.size, 0);
	assert.equal(serverBob.dataConsumers.size, 0);
	// A producer appearing now is not consumed by bob.
	const cam = await alice.produce('video');
	await sleep(300);
	assert.equal(serverBob.consumers.size, 0, 'no consumer without the subscribe grant');

	await alice.request('setPeerGrants', { peerId: 'bob', grants: { subscribe: true } });
	const again = await consumerOf(bob, mic.id);
	assert.notEqual(again, first);
	await consumerOf(bob, cam.id);
	assert.equal(serverBob.consumers.size, 2);
	assert.equal(serverBob.dataConsumers.size, 0, 'data stays revoked');
});

test('lockRoom: every joined peer is told, a newcomer waits in the lobby, unlocking lets it in', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	await alice.request('lockRoom', { locked: true });
	await bob.waitForNotification('roomLockChanged', (data) => data.locked === true);
	await alice.waitForNotification('roomLockChanged', (data) => data.locked === true);
	await alice.request('lockRoom', { locked: true });

	const carol = await connect(roomId, 'carol');
	await assert.rejects(
		carol.join({ displayName: 'Carol' }),
		(error: Error & { code?: number }) =>
			error.code === 403 && error.message === 'room is locked: waiting in the lobby for a moderator',
	);
	await carol.waitForNotification('lobbyEntered');
	await alice.waitForNotification('lobbyPeerWaiting', (data) => data.peerId === 'carol');
	assert.equal(bob.notificationsOf('lobbyPeerWaiting').length, 0, 'only moderators are told');

	await alice.request('lockRoom', { locked: false });
	await bob.waitForNotification('roomLockChanged', (data) => data.locked === false);
	await carol.waitForNotification('lobbyAdmitted');
	assert.deepEqual(
		bob.notificationsOf('roomLockChanged').map((data) => data.locked),
		[true, false],
		'a second lock changed nothing',
	);
});

test('endRoom: everyone is told the room ended and disconnected; the room, its broadcasters and its router are gone', async () => {
	const roomId = newRoomId();
	const alice = await joined(roomId, 'alice', { moderator: true });
	const bob = await joined(roomId, 'bob');
	await bob.produce('audio');
	const unjoined = await connect(roomId, 'unjoined');
	const room = await serverRoom(roomId);
	const broadcaster = new Broadcaster('ingest', {
		displayName: 'ffmpeg',
		device: {},
		rtpCapabilities: undefined,
		sctpCapabilities: undefined,
	});
	room.addBroadcaster(broadcaster);
	const routerId = room.router.id;
	const transports = [...room.peers.values()].flatMap((peer) => [...peer.transports.keys()]);

	// The moderator gets its answer before its own connection closes.
	await alice.request('endRoom');
	for (const peer of [alice, bob, unjoined]) {
		await waitFor('the connection closed', () => peer.closed);
		assert.deepEqual(peer.notificationsOf('removedFromRoom'), [{ reason: '', ended: true }]);
	}
	assert.equal(room.closed, true);
	assert.equal(broadcaster.closed, true);
	assert.equal(await tokenServer.server.rooms.find(roomId), undefined, 'the registry forgot the room');
	const [pooled] = tokenServer.server.pool.workers;
	assert.ok(pooled);
	assert.ok(!(await pooled.worker.dump()).routerIds.includes(routerId), 'the worker has no router of it');
	const { webRtcTransportIds } = (await pooled.webRtcServer.dump()) as { webRtcTransportIds: string[] };
	assert.ok(
		transports.every((id) => !webRtcTransportIds.includes(id)),
		'the WebRtcServer has none of its transports',
	);
});

test('open mode: every peer has every grant and may moderate', async () => {
	const open = await startTestServer();
	try {
		const roomId = newRoomId();
		const alice = await open.connect(roomId, 'alice');
		const bob = await open.connect(roomId, 'bob');
		const response = await alice.join({ displayName: 'Alice' });
		assert.equal(response.grants?.roomAdmin, true);
		assert.equal(response.locked, false);
		await bob.join({ displayName: 'Bob' });
		const mic = await alice.produce('audio');
		await waitFor('bob consumes', () => [...bob.consumers.values()].some((c) => c.producerId === mic.id));
		await bob.request('muteProducer', { producerId: mic.id });
		await alice.waitForNotification('producerMutedByModerator');
		await bob.request('lockRoom', { locked: true });
		await alice.waitForNotification('roomLockChanged');
		await alice.request('endRoom');
		await waitFor('both disconnected', () => alice.closed && bob.closed);
	} finally {
		await open.close();
	}
});
