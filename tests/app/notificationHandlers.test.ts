// The table from server notifications to the store and toasts: every method
// of protocol/serverNotifications.ts has a handler, and each one does what the
// page shows. Messages go through parseServerNotification first, as
// SignalingChannel passes them on.
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import { Notifier } from '../../app/room/Notifier.ts';
import {
	type ClosedByServer,
	handleNotification,
	type ModeratedSession,
	notificationHandlers,
} from '../../app/room/notificationHandlers.ts';
import { consumersActions } from '../../app/store/slices/consumers.ts';
import { peersActions } from '../../app/store/slices/peers.ts';
import { type AppStore, createStore } from '../../app/store/store.ts';
import { OPEN_GRANTS, resolveGrants } from '../../protocol/access.ts';
import { parseServerNotification, serverNotifications } from '../../protocol/signaling.ts';

function setup() {
	const store = createStore();
	const closed: string[] = [];
	const remote: ClosedByServer = {
		peerClosed: (peerId) => closed.push(`peer ${peerId}`),
		consumerClosed: (id) => closed.push(`consumer ${id}`),
		dataConsumerClosed: (id) => closed.push(`dataConsumer ${id}`),
		remotePauseChanged: (id, paused) => closed.push(`${paused ? 'paused' : 'resumed'} ${id}`),
	};
	const session: ModeratedSession = {
		closedForGood: (reason) => closed.push(`for good: ${reason}`),
		admitted: () => closed.push('admitted'),
		producerMutedByModerator: (producerId) => closed.push(`muted ${producerId}`),
		grantsChanged: (grants) => closed.push(`grants publish=${grants.publish.join(',')}`),
		closing: (reason) => closed.push(`closing ${reason}`),
		sessionResumed: (resumed) => closed.push(`resumed with ${resumed.peers.length} peers`),
	};
	const handlers = notificationHandlers({ store, notifier: new Notifier(store) }, remote, session);
	const receive = (method: string, data: unknown) => {
		const parsed = parseServerNotification(method, data);
		if (!parsed.ok) throw new Error(parsed.reason);
		handleNotification(handlers, parsed.message);
	};
	return { store, closed, handlers, receive };
}

const toasts = (store: AppStore) => store.getState().notifications.map((toast) => toast.text);

describe('server notifications', () => {
	// Toasts remove themselves after a few seconds: no real timers in a unit test.
	before(() => mock.timers.enable({ apis: ['setTimeout'] }));
	after(() => mock.timers.reset());

	test('every notification of the protocol has a handler, and only those', () => {
		const { handlers } = setup();
		assert.deepEqual(Object.keys(handlers).sort(), Object.keys(serverNotifications).sort());
	});

	test('a peer joins, changes its name and leaves, with a toast each time', () => {
		const { store, closed, receive } = setup();
		receive('newPeer', { id: 'bob', displayName: 'Bob', device: { name: 'Chrome' } });
		assert.equal(store.getState().peers.entities.bob?.displayName, 'Bob');
		receive('peerDisplayNameChanged', { peerId: 'bob', displayName: 'Robert', oldDisplayName: 'Bob' });
		assert.equal(store.getState().peers.entities.bob?.displayName, 'Robert');
		receive('peerClosed', { peerId: 'bob' });
		assert.equal(store.getState().peers.entities.bob, undefined);
		assert.deepEqual(closed, ['peer bob']);
		assert.deepEqual(toasts(store), ['Bob joined', 'Bob is now Robert', 'Robert left']);
	});

	test('a peer this page never knew leaves without a toast', () => {
		const { store, closed, receive } = setup();
		receive('peerClosed', { peerId: 'ghost' });
		assert.deepEqual(closed, ['peer ghost']);
		assert.deepEqual(toasts(store), []);
	});

	test('consumers: paused and resumed by the sender, layers, score; closed ones go to RemoteMedia', () => {
		const { store, closed, receive } = setup();
		store.dispatch(peersActions.peerAdded({ id: 'bob', displayName: 'Bob', device: {}, joinedAt: 1 }));
		store.dispatch(
			consumersActions.consumerAdded({
				id: 'c1',
				peerId: 'bob',
				producerId: 'p1',
				kind: 'video',
				type: 'simulcast',
				source: 'webcam',
				trackId: 't1',
				codec: 'VP8',
				remotelyPaused: false,
				spatialLayers: 3,
				temporalLayers: 3,
			}),
		);
		// RemoteMedia applies these (also to a consumer still being made).
		receive('consumerPaused', { consumerId: 'c1' });
		receive('consumerResumed', { consumerId: 'c1' });
		assert.deepEqual(closed.slice(0, 2), ['paused c1', 'resumed c1']);
		// mediasoup may leave temporalLayer out: it reads as null.
		receive('consumerLayersChanged', { consumerId: 'c1', spatialLayer: 2 });
		assert.equal(store.getState().consumers.entities.c1?.currentSpatialLayer, 2);
		assert.equal(store.getState().consumers.entities.c1?.currentTemporalLayer, null);
		receive('consumerScore', { consumerId: 'c1', score: { score: 9, producerScore: 10, producerScores: [10] } });
		assert.equal(store.getState().consumers.entities.c1?.score?.score, 9);
		receive('consumerClosed', { consumerId: 'c1' });
		receive('dataConsumerClosed', { dataConsumerId: 'd1' });
		assert.deepEqual(closed.slice(2), ['consumer c1', 'dataConsumer d1']);
	});

	test('the active speaker, with its volume, and silence', () => {
		const { store, receive } = setup();
		receive('activeSpeaker', { peerId: 'bob', volume: -20 });
		assert.equal(store.getState().room.activeSpeakerId, 'bob');
		assert.equal(store.getState().room.activeSpeakerVolume, -20);
		receive('activeSpeaker', { peerId: null });
		assert.equal(store.getState().room.activeSpeakerId, null);
		assert.equal(store.getState().room.activeSpeakerVolume, null);
	});

	test('recording starts and stops, with a toast each time', () => {
		const { store, receive } = setup();
		receive('recordingStarted', { startedAt: 1700000000000 });
		assert.equal(store.getState().room.recordingSince, 1700000000000);
		const file = (name: string, kind: 'audio' | 'video') => ({ name, producerId: 'p', peerId: 'bob', kind, bytes: 1 });
		receive('recordingStopped', { files: [file('a.ogg', 'audio'), file('v.webm', 'video')] });
		assert.equal(store.getState().room.recordingSince, null);
		assert.deepEqual(toasts(store), ['This room is being recorded', 'Recording stopped (2 files)']);
	});

	test('the mediasoup version and the downlink estimate go to the room', () => {
		const { store, receive } = setup();
		receive('mediasoup-version', { version: '3.27.1' });
		receive('downlinkBwe', { desiredBitrate: 1, effectiveDesiredBitrate: 2, availableBitrate: 3 });
		assert.equal(store.getState().room.mediasoupVersion, '3.27.1');
		assert.equal(store.getState().room.downlinkBwe?.availableBitrate, 3);
	});

	test('removed, or the meeting ended: the page leaves for good, saying why', () => {
		const { closed, receive } = setup();
		receive('removedFromRoom', { reason: '', ended: false });
		receive('removedFromRoom', { reason: 'be kind', ended: false });
		receive('removedFromRoom', { reason: '', ended: true });
		assert.deepEqual(closed, [
			'for good: You were removed by a moderator',
			'for good: You were removed by a moderator: be kind',
			'for good: The meeting was ended by a moderator',
		]);
	});

	test('the lobby: waiting, then let in or turned away', () => {
		const { store, closed, receive } = setup();
		receive('lobbyEntered', {});
		assert.equal(store.getState().room.state, 'lobby');
		receive('lobbyAdmitted', {});
		receive('lobbyDenied', { reason: 'not today' });
		assert.deepEqual(closed, ['admitted', 'for good: A moderator denied your entry: not today']);
	});

	test('moderators: the lobby list and the lock, with toasts', () => {
		const { store, receive } = setup();
		receive('lobbyPeerWaiting', { peerId: 'carol', displayName: 'Carol' });
		receive('lobbyPeerWaiting', { peerId: 'dave', displayName: '' });
		assert.deepEqual(store.getState().moderation.lobby.ids, ['carol', 'dave']);
		receive('lobbyPeerLeft', { peerId: 'carol' });
		assert.deepEqual(store.getState().moderation.lobby.ids, ['dave']);
		receive('roomLockChanged', { locked: true });
		assert.equal(store.getState().moderation.locked, true);
		receive('roomLockChanged', { locked: false });
		assert.equal(store.getState().moderation.locked, false);
		assert.deepEqual(toasts(store), [
			'Carol is waiting in the lobby',
			'dave is waiting in the lobby',
			'The room is locked: newcomers wait in the lobby',
			'The room is unlocked',
		]);
	});

	test('muted by a moderator, and grants changed: handed to the session', () => {
		const { store, closed, receive } = setup();
		receive('producerMutedByModerator', { producerId: 'p1' });
		receive('grantsChanged', { grants: resolveGrants({ room: 'r', publish: ['microphone'] }) });
		receive('grantsChanged', { grants: OPEN_GRANTS });
		assert.deepEqual(closed, ['muted p1', 'grants publish=microphone', 'grants publish=microphone,camera,screen']);
		assert.deepEqual(toasts(store), ['A moderator changed what you may do', 'A moderator changed what you may do']);
	});

	test('sessions: a peer shown reconnecting and back, closing and resumption handed to the session', () => {
		const { store, closed, receive } = setup();
		store.dispatch(peersActions.peerAdded({ id: 'bob', displayName: 'Bob', device: {}, joinedAt: 1 }));
		receive('peerReconnecting', { peerId: 'bob' });
		assert.equal(store.getState().peers.entities.bob?.reconnecting, true);
		receive('peerReconnected', { peerId: 'bob' });
		assert.equal(store.getState().peers.entities.bob?.reconnecting, false);
		receive('closing', { reason: 'shutdown' });
		receive('sessionResumed', {
			peers: [{ id: 'bob', displayName: 'Bob', device: {} }],
			grants: OPEN_GRANTS,
			locked: false,
			producers: [],
			consumers: [],
			dataConsumers: [],
		});
		assert.deepEqual(closed, ['closing shutdown', 'resumed with 1 peers']);
	});
});
