// Server -> client requests and notifications, as the app validates them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
	parseServerNotification,
	parseServerRequest,
	type ServerNotification,
	type ServerNotificationMethod,
	type ServerRequest,
	type ServerRequestMethod,
	serverNotifications,
	serverRequests,
} from '../../protocol/signaling.ts';
import { ID, OTHER_ID, opusRtpParameters, roomTokenGrants, sctpStreamParameters } from './fixtures.ts';

const validRequests: { [M in ServerRequestMethod]: unknown } = {
	newConsumer: {
		peerId: 'alice',
		producerId: ID,
		id: OTHER_ID,
		kind: 'audio',
		rtpParameters: opusRtpParameters,
		type: 'simple',
		appData: { peerId: 'alice', source: 'mic' },
		producerPaused: false,
	},
	newDataConsumer: {
		peerId: 'alice',
		dataProducerId: ID,
		id: OTHER_ID,
		sctpStreamParameters,
		label: 'chat',
		protocol: '',
		appData: {},
	},
};

const validNotifications: { [M in ServerNotificationMethod]: unknown } = {
	'mediasoup-version': { version: '3.27.1' },
	newPeer: { id: 'bob', displayName: 'Bob', device: { flag: 'firefox', name: 'Firefox', version: '133.0' } },
	peerClosed: { peerId: 'bob' },
	peerDisplayNameChanged: { peerId: 'bob', displayName: 'Robert', oldDisplayName: 'Bob' },
	producerScore: { producerId: ID, score: [{ encodingIdx: 0, ssrc: 1111, rid: 'r0', score: 10 }] },
	consumerScore: { consumerId: ID, score: { score: 10, producerScore: 9, producerScores: [9, 0, 0] } },
	consumerClosed: { consumerId: ID },
	consumerPaused: { consumerId: ID },
	consumerResumed: { consumerId: ID },
	consumerLayersChanged: { consumerId: ID, spatialLayer: 2, temporalLayer: 1 },
	dataConsumerClosed: { dataConsumerId: ID },
	activeSpeaker: { peerId: 'bob', volume: -42 },
	downlinkBwe: { desiredBitrate: 1_500_000, effectiveDesiredBitrate: 1_200_000, availableBitrate: 2_000_000 },
	recordingStarted: { startedAt: 1_700_000_000_000 },
	recordingStopped: {
		files: [{ name: 'a-video.webm', producerId: ID, peerId: 'alice', kind: 'video', bytes: 1024 }],
	},
	grantsChanged: { grants: { ...roomTokenGrants('standup'), publish: ['microphone'] } },
	producerMutedByModerator: { producerId: ID },
	removedFromRoom: { reason: 'off topic', ended: false },
	roomLockChanged: { locked: true },
	lobbyEntered: {},
	lobbyAdmitted: {},
	lobbyDenied: { reason: '' },
	lobbyPeerWaiting: { peerId: 'bob', displayName: 'Bob' },
	lobbyPeerLeft: { peerId: 'bob' },
	closing: { reason: 'shutdown' },
	peerReconnecting: { peerId: 'bob' },
	peerReconnected: { peerId: 'bob' },
	sessionResumed: {
		peers: [{ id: 'bob', displayName: 'Bob', device: {}, reconnecting: true }],
		grants: {
			room: '*',
			join: true,
			publish: ['microphone', 'camera', 'screen'],
			subscribe: true,
			data: true,
			roomAdmin: true,
			record: true,
			ingest: false,
			hidden: false,
			consumerReplicas: 0,
		},
		locked: false,
		producers: [{ id: ID, paused: true }],
		consumers: [{ id: OTHER_ID, producerId: ID, paused: false, producerPaused: false }],
		dataConsumers: [{ id: OTHER_ID, dataProducerId: ID }],
		lobby: [{ peerId: 'carol', displayName: 'Carol' }],
	},
};

function acceptRequest(method: string, data: unknown): ServerRequest {
	const result = parseServerRequest(method, data);
	assert.ok(result.ok, `expected ${method} to be accepted, got: ${result.ok ? '' : result.reason}`);
	return result.message;
}

function acceptNotification(method: string, data: unknown): ServerNotification {
	const result = parseServerNotification(method, data);
	assert.ok(result.ok, `expected ${method} to be accepted, got: ${result.ok ? '' : result.reason}`);
	return result.message;
}

function rejectNotification(method: string, data: unknown): string {
	const result = parseServerNotification(method, data);
	assert.ok(!result.ok, `expected ${method} to be rejected`);
	return result.reason;
}

describe('server -> client requests', () => {
	test('the schema map covers exactly newConsumer and newDataConsumer', () => {
		assert.deepEqual(Object.keys(serverRequests).sort(), Object.keys(validRequests).sort());
	});

	for (const [method, data] of Object.entries(validRequests)) {
		test(`${method} accepts a well-formed message`, () => {
			assert.equal(acceptRequest(method, data).method, method);
		});
	}

	test('newDataConsumer from the bot has peerId null', () => {
		const request = acceptRequest('newDataConsumer', { ...(validRequests.newDataConsumer as object), peerId: null });
		assert.ok(request.method === 'newDataConsumer');
		const peerId: string | null = request.data.peerId;
		assert.equal(peerId, null);
	});

	test('newConsumer must say its consumer type and whether the producer is paused', () => {
		const { type: _type, producerPaused: _paused, ...rest } = validRequests.newConsumer as Record<string, unknown>;
		const result = parseServerRequest('newConsumer', rest);
		assert.ok(!result.ok);
		assert.equal(
			result.reason,
			'invalid "newConsumer" request: type: expected one of "simple"|"simulcast"|"svc"|"pipe"; producerPaused: missing, expected boolean',
		);
	});

	test('an unknown server request is refused', () => {
		const result = parseServerRequest('newProducer', {});
		assert.deepEqual(result, { ok: false, code: 400, reason: 'unknown method "newProducer"' });
	});
});

describe('server -> client notifications', () => {
	test('the schema map covers exactly the notifications of PROTOCOL.md', () => {
		assert.deepEqual(Object.keys(serverNotifications).sort(), Object.keys(validNotifications).sort());
		// The 13 notifications of the classic dialect, our two recording ones, our nine of access
		// control and our four of sessions.
		assert.equal(Object.keys(serverNotifications).length, 28);
	});

	for (const [method, data] of Object.entries(validNotifications)) {
		test(`${method} accepts a well-formed message`, () => {
			assert.equal(acceptNotification(method, data).method, method);
		});
	}

	test('activeSpeaker {peerId: null} means silence', () => {
		const notification = acceptNotification('activeSpeaker', { peerId: null });
		assert.ok(notification.method === 'activeSpeaker');
		assert.deepEqual(notification.data, { peerId: null });
	});

	test('activeSpeaker with a peer needs its volume', () => {
		assert.equal(
			rejectNotification('activeSpeaker', { peerId: 'bob' }),
			'invalid "activeSpeaker" notification: volume: missing, expected number',
		);
	});

	test('consumerLayersChanged without layers: null layers, a missing temporalLayer becomes null', () => {
		const none = acceptNotification('consumerLayersChanged', {
			consumerId: ID,
			spatialLayer: null,
			temporalLayer: null,
		});
		assert.ok(none.method === 'consumerLayersChanged');
		assert.deepEqual([none.data.spatialLayer, none.data.temporalLayer], [null, null]);

		const noTemporal = acceptNotification('consumerLayersChanged', { consumerId: ID, spatialLayer: 1 });
		assert.ok(noTemporal.method === 'consumerLayersChanged');
		assert.equal(noTemporal.data.temporalLayer, null);
	});

	test('newPeer from a broadcaster (device without flag) is accepted', () => {
		assert.equal(
			acceptNotification('newPeer', { id: 'bcast', displayName: 'Broadcaster', device: { name: 'ffmpeg' } }).method,
			'newPeer',
		);
	});

	test('a bad score names the field', () => {
		assert.equal(
			rejectNotification('consumerScore', {
				consumerId: ID,
				score: { score: 10, producerScore: 'high', producerScores: [] },
			}),
			'invalid "consumerScore" notification: score.producerScore: expected number, received string',
		);
	});

	test('closing names one of the close reasons', () => {
		assert.equal(
			rejectNotification('closing', { reason: 'bored' }),
			'invalid "closing" notification: reason: expected one of "shutdown"|"workerDied"|"transportFailed"|"roomClosed"|"roomEnded"|"removed"|"denied"|"replaced"|"resumed"',
		);
	});

	test('an unknown notification is refused', () => {
		assert.equal(rejectNotification('peerExploded', {}), 'unknown method "peerExploded"');
	});
});
