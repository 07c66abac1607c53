// Client -> server requests: every method accepts a well-formed message, and
// each kind of bad input is refused with a 400 whose reason names the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
	MAX_APP_DATA_BYTES,
	MAX_DISPLAY_NAME_LENGTH,
	MAX_ID_LENGTH,
	MAX_REASON_LENGTH,
} from '../../protocol/limits.ts';
import {
	type ClientRequest,
	type ClientRequestMethod,
	clientRequests,
	parseClientRequest,
} from '../../protocol/signaling.ts';
import {
	appDataOfSize,
	dtlsParameters,
	ID,
	opusRtpParameters,
	rtpCapabilities,
	sctpCapabilities,
	sctpStreamParameters,
} from './fixtures.ts';

/** One valid message per method; the mapped type makes a forgotten method a compile error. */
const validData: { [M in ClientRequestMethod]: unknown } = {
	getRouterRtpCapabilities: {},
	join: {
		displayName: 'Alice',
		device: { flag: 'chrome', name: 'Chrome', version: '131.0' },
		rtpCapabilities,
		sctpCapabilities,
	},
	createWebRtcTransport: { forceTcp: false, producing: true, consuming: false, sctpCapabilities },
	connectWebRtcTransport: { transportId: ID, dtlsParameters },
	restartIce: { transportId: ID },
	produce: { transportId: ID, kind: 'audio', rtpParameters: opusRtpParameters, appData: { source: 'mic' } },
	closeProducer: { producerId: ID },
	pauseProducer: { producerId: ID },
	resumeProducer: { producerId: ID },
	pauseConsumer: { consumerId: ID },
	resumeConsumer: { consumerId: ID },
	setConsumerPreferredLayers: { consumerId: ID, spatialLayer: 2, temporalLayer: 1 },
	setConsumerPriority: { consumerId: ID, priority: 255 },
	requestConsumerKeyFrame: { consumerId: ID },
	produceData: { transportId: ID, sctpStreamParameters, label: 'chat', protocol: '', appData: { info: 'x' } },
	changeDisplayName: { displayName: 'Bob' },
	getTransportStats: { transportId: ID },
	getProducerStats: { producerId: ID },
	getConsumerStats: { consumerId: ID },
	getDataProducerStats: { dataProducerId: ID },
	getDataConsumerStats: { dataConsumerId: ID },
	applyNetworkThrottle: { secret: 's3cret', uplink: 1_000_000, downlink: 2_000_000, rtt: 50, packetLoss: 5 },
	resetNetworkThrottle: { secret: 's3cret' },
	getIceServers: {},
	startRecording: {},
	stopRecording: {},
	muteProducer: { producerId: ID },
	removePeer: { peerId: 'bob', reason: 'off topic' },
	setPeerGrants: { peerId: 'bob', grants: { publish: ['microphone'], roomAdmin: false } },
	lockRoom: { locked: true },
	admitPeer: { peerId: 'bob' },
	denyPeer: { peerId: 'bob' },
	endRoom: {},
};

const dataLessMethods = ['getRouterRtpCapabilities', 'getIceServers'] as const satisfies ClientRequestMethod[];

/** Parses and asserts success, returning the validated request. */
function accept(method: string, data: unknown): ClientRequest {
	const result = parseClientRequest(method, data);
	assert.ok(result.ok, `expected ${method} to be accepted, got: ${result.ok ? '' : result.reason}`);
	return result.message;
}

/** Parses and asserts a 400, returning the reason. */
function reject(method: string, data: unknown): string {
	const result = parseClientRequest(method, data);
	assert.ok(!result.ok, `expected ${method} to be rejected`);
	assert.equal(result.code, 400);
	assert.doesNotMatch(result.reason, /\n/, 'a reason is one line');
	return result.reason;
}

const produce = validData.produce as Record<string, unknown>;

describe('valid requests', () => {
	test('the schema map covers exactly the methods of PROTOCOL.md', () => {
		assert.deepEqual(Object.keys(clientRequests).sort(), Object.keys(validData).sort());
		// The 23 methods of the classic dialect, our getIceServers, two recording methods and seven of moderation.
		assert.equal(Object.keys(clientRequests).length, 33);
	});

	for (const [method, data] of Object.entries(validData)) {
		test(`${method} accepts a well-formed message`, () => {
			const request = accept(method, data);
			assert.equal(request.method, method);
		});
	}

	test('data-less methods accept {} and ignore extra fields', () => {
		for (const method of dataLessMethods) {
			assert.deepEqual(accept(method, {}).data, {});
			assert.deepEqual(accept(method, { unexpected: 1 }).data, {});
		}
	});

	test('missing data counts as {}, as protoo sends', () => {
		assert.equal(accept('getRouterRtpCapabilities', undefined).method, 'getRouterRtpCapabilities');
		assert.equal(accept('getRouterRtpCapabilities', null).method, 'getRouterRtpCapabilities');
	});

	test('createWebRtcTransport defaults its flags to false', () => {
		const request = accept('createWebRtcTransport', {});
		assert.equal(request.method, 'createWebRtcTransport');
		// Narrowing on method gives the parsed type: the flags are plain booleans.
		if (request.method === 'createWebRtcTransport') {
			const flags: [boolean, boolean, boolean] = [
				request.data.forceTcp,
				request.data.producing,
				request.data.consuming,
			];
			assert.deepEqual(flags, [false, false, false]);
			assert.equal(request.data.sctpCapabilities, undefined);
		}
	});

	test('join needs displayName and device, as the contract names them; both may be empty', () => {
		assert.equal(
			reject('join', { rtpCapabilities }),
			'invalid "join" request: displayName: missing, expected string; device: missing, expected object',
		);
		assert.match(reject('join', { displayName: 'Alice', rtpCapabilities }), /device: missing/);
		const request = accept('join', { displayName: '', device: {}, rtpCapabilities });
		assert.ok(request.method === 'join');
		assert.equal(request.data.displayName, '');
		assert.deepEqual(request.data.device, {});
	});

	test('produce and produceData default appData to a fresh {}', () => {
		const first = accept('produce', { ...produce, appData: undefined });
		const second = accept('produce', { ...produce, appData: undefined });
		assert.ok(first.method === 'produce' && second.method === 'produce');
		assert.deepEqual(first.data.appData, {});
		assert.notEqual(first.data.appData, second.data.appData, 'not one shared default object');

		const data = accept('produceData', { transportId: ID, sctpStreamParameters });
		assert.ok(data.method === 'produceData');
		assert.deepEqual([data.data.label, data.data.protocol, data.data.appData], ['', '', {}]);
	});

	test('temporalLayer is optional in setConsumerPreferredLayers', () => {
		const request = accept('setConsumerPreferredLayers', { consumerId: ID, spatialLayer: 0 });
		assert.ok(request.method === 'setConsumerPreferredLayers');
		assert.equal(request.data.temporalLayer, undefined);
	});

	test('throttle values and the secret are optional (a missing secret is for the server to refuse)', () => {
		assert.equal(accept('applyNetworkThrottle', {}).method, 'applyNetworkThrottle');
		assert.equal(accept('resetNetworkThrottle', {}).method, 'resetNetworkThrottle');
	});

	test('unknown top-level fields are dropped, unknown RTP fields are kept for mediasoup', () => {
		const rtpParameters = {
			...opusRtpParameters,
			codecs: [{ ...opusRtpParameters.codecs[0], futureField: 1 }],
			encodings: [{ ssrc: 1111, active: true, scaleResolutionDownBy: 1 }],
		};
		const request = accept('produce', { ...produce, rtpParameters, extra: 'dropped' });
		assert.ok(request.method === 'produce');
		assert.equal('extra' in request.data, false);
		assert.equal(request.data.rtpParameters.codecs[0]?.futureField, 1);
		assert.deepEqual(request.data.rtpParameters.encodings?.[0], { ssrc: 1111, active: true, scaleResolutionDownBy: 1 });
	});
});

describe('bad requests', () => {
	test('an unknown method is refused by name', () => {
		assert.equal(reject('foo', {}), 'unknown method "foo"');
	});

	test('Object.prototype members are not methods', () => {
		for (const method of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
			assert.equal(reject(method, {}), `unknown method "${method}"`);
		}
	});

	test('a wrong type names the full path and what was expected', () => {
		const rtpParameters = { ...opusRtpParameters, codecs: [{ ...opusRtpParameters.codecs[0], payloadType: '111' }] };
		assert.equal(
			reject('produce', { ...produce, rtpParameters }),
			'invalid "produce" request: rtpParameters.codecs[0].payloadType: expected number, received string',
		);
	});

	test('a missing required field is named', () => {
		assert.equal(
			reject('connectWebRtcTransport', { transportId: ID }),
			'invalid "connectWebRtcTransport" request: dtlsParameters: missing, expected object',
		);
		assert.equal(
			reject('produce', { ...produce, transportId: undefined }),
			'invalid "produce" request: transportId: missing, expected string',
		);
	});

	test('data that is not an object is refused', () => {
		assert.equal(reject('join', 'Alice'), 'invalid "join" request: expected object, received string');
		assert.equal(reject('restartIce', [ID]), 'invalid "restartIce" request: expected object, received array');
	});

	test('kind must be audio or video', () => {
		assert.match(
			reject('produce', { ...produce, kind: 'screen' }),
			/^invalid "produce" request: kind: expected one of "audio"\|"video"$/,
		);
	});

	test('layers must be non-negative integers', () => {
		assert.match(
			reject('setConsumerPreferredLayers', { consumerId: ID, spatialLayer: -1 }),
			/spatialLayer: expected number to be >=0/,
		);
		assert.match(
			reject('setConsumerPreferredLayers', { consumerId: ID, spatialLayer: 0, temporalLayer: 1.5 }),
			/temporalLayer: expected integer/,
		);
		assert.match(reject('setConsumerPreferredLayers', { consumerId: ID }), /spatialLayer: missing, expected number/);
	});

	test('priority must be an integer in 1..255', () => {
		assert.match(reject('setConsumerPriority', { consumerId: ID, priority: 0 }), /priority: expected number to be >=1/);
		assert.match(
			reject('setConsumerPriority', { consumerId: ID, priority: 256 }),
			/priority: expected number to be <=255/,
		);
	});

	test('appData over the size limit is refused', () => {
		assert.equal(accept('produce', { ...produce, appData: appDataOfSize(MAX_APP_DATA_BYTES - 100) }).method, 'produce');
		assert.equal(
			reject('produce', { ...produce, appData: appDataOfSize(MAX_APP_DATA_BYTES) }),
			`invalid "produce" request: appData: must be at most ${MAX_APP_DATA_BYTES} bytes as JSON`,
		);
		assert.match(
			reject('produceData', { transportId: ID, sctpStreamParameters, appData: appDataOfSize(MAX_APP_DATA_BYTES) }),
			/appData: must be at most/,
		);
	});

	test('appData counts UTF-8 bytes, not characters', () => {
		// 1500 three-byte characters: 1500 characters, 4500 bytes.
		assert.match(reject('produce', { ...produce, appData: { note: '€'.repeat(1500) } }), /appData: must be at most/);
	});

	test('appData must be a plain object', () => {
		assert.match(reject('produce', { ...produce, appData: [1, 2] }), /appData: expected record, received array/);
		assert.match(reject('produce', { ...produce, appData: 'mic' }), /appData: expected record, received string/);
	});

	test('a too-long displayName is refused in join and changeDisplayName', () => {
		const displayName = 'x'.repeat(MAX_DISPLAY_NAME_LENGTH + 1);
		const limit = `displayName: expected string to have <=${MAX_DISPLAY_NAME_LENGTH} characters`;
		assert.equal(reject('join', { displayName, device: {} }), `invalid "join" request: ${limit}`);
		assert.equal(reject('changeDisplayName', { displayName }), `invalid "changeDisplayName" request: ${limit}`);
		assert.equal(accept('changeDisplayName', { displayName: displayName.slice(1) }).method, 'changeDisplayName');
	});

	test('ids must be non-empty and at most MAX_ID_LENGTH characters', () => {
		assert.match(reject('closeProducer', { producerId: '' }), /producerId: expected string to have >=1 characters/);
		assert.match(
			reject('closeProducer', { producerId: 'p'.repeat(MAX_ID_LENGTH + 1) }),
			new RegExp(`producerId: expected string to have <=${MAX_ID_LENGTH} characters`),
		);
	});

	test('device fields must be strings', () => {
		assert.match(
			reject('join', { displayName: 'A', device: { name: 42 } }),
			/device\.name: expected string, received number/,
		);
	});

	test('createWebRtcTransport flags must be booleans', () => {
		assert.match(reject('createWebRtcTransport', { forceTcp: 'yes' }), /forceTcp: expected boolean, received string/);
	});

	test('throttle values must be non-negative numbers', () => {
		assert.match(reject('applyNetworkThrottle', { secret: 's', rtt: -5 }), /rtt: expected number to be >=0/);
		assert.match(
			reject('applyNetworkThrottle', { secret: 's', packetLoss: 150 }),
			/packetLoss: expected number to be <=100/,
		);
		assert.match(reject('applyNetworkThrottle', { secret: 1 }), /secret: expected string, received number/);
	});

	test('at most three issues are listed, then a count of the rest', () => {
		const reason = reject('produce', { transportId: 1, kind: 1, rtpParameters: { codecs: [{}] }, appData: [] });
		assert.equal(
			reason,
			'invalid "produce" request: transportId: expected string, received number; kind: expected one of "audio"|"video"; rtpParameters.codecs[0].mimeType: missing, expected string (and 3 more)',
		);
	});

	test('a hostile method name stays one short line', () => {
		const reason = reject(`evil\n${'x'.repeat(10_000)}`, {});
		assert.ok(reason.startsWith('unknown method "evil\\n'));
		assert.ok(reason.length <= MAX_REASON_LENGTH);
	});
});
