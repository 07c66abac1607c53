// REST bodies of the broadcaster API: defaults of the classic demo, and the
// same readable reasons as the WebSocket protocol.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import {
	broadcasterConsumeDataBodySchema,
	broadcasterConsumeQuerySchema,
	broadcasterProduceDataBodySchema,
	connectBroadcasterTransportBodySchema,
	createBroadcasterBodySchema,
	createBroadcasterProducerBodySchema,
	createBroadcasterTransportBodySchema,
	DEFAULT_PLAIN_COMEDIA,
	DEFAULT_PLAIN_RTCP_MUX,
	PLAIN_SRTP_CRYPTO_SUITE,
	parseBody,
} from '../../protocol/broadcasterApi.ts';
import { MAX_APP_DATA_BYTES } from '../../protocol/limits.ts';
import {
	appDataOfSize,
	dtlsParameters,
	ID,
	opusRtpParameters,
	rtpCapabilities,
	sctpStreamParameters,
} from './fixtures.ts';

function accept<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
	const result = parseBody(schema, body);
	assert.ok(result.ok, `expected the body to be accepted, got: ${result.ok ? '' : result.reason}`);
	return result.data;
}

function reject(schema: z.ZodType, body: unknown): string {
	const result = parseBody(schema, body);
	assert.ok(!result.ok, 'expected the body to be rejected');
	assert.equal(result.code, 400);
	return result.reason;
}

describe('create broadcaster', () => {
	const body = {
		id: 'ffmpeg-1',
		displayName: 'Broadcaster',
		device: { name: 'FFmpeg', version: '7.1' },
		rtpCapabilities,
	};

	test('a full body and one without version or rtpCapabilities are accepted', () => {
		assert.equal(accept(createBroadcasterBodySchema, body).id, 'ffmpeg-1');
		const { rtpCapabilities: _omitted, ...sendOnly } = body;
		assert.deepEqual(accept(createBroadcasterBodySchema, { ...sendOnly, device: { name: 'FFmpeg' } }), {
			id: 'ffmpeg-1',
			displayName: 'Broadcaster',
			device: { name: 'FFmpeg' },
		});
	});

	test('missing fields are named', () => {
		assert.equal(
			reject(createBroadcasterBodySchema, { id: 'x', displayName: 'y', device: {} }),
			'invalid request body: device.name: missing, expected string',
		);
		assert.equal(
			reject(createBroadcasterBodySchema, undefined),
			'invalid request body: id: missing, expected string; displayName: missing, expected string; device: missing, expected object',
		);
	});

	test('an empty displayName is refused', () => {
		assert.match(
			reject(createBroadcasterBodySchema, { ...body, displayName: '' }),
			/displayName: expected string to have >=1 characters/,
		);
	});
});

describe('create transport', () => {
	test('plain: rtcpMux and comedia default to the classic demo values', () => {
		assert.deepEqual(accept(createBroadcasterTransportBodySchema, { type: 'plain' }), {
			type: 'plain',
			rtcpMux: DEFAULT_PLAIN_RTCP_MUX,
			comedia: DEFAULT_PLAIN_COMEDIA,
		});
		assert.equal(DEFAULT_PLAIN_RTCP_MUX, false);
		assert.equal(DEFAULT_PLAIN_COMEDIA, true);
		const explicit = accept(createBroadcasterTransportBodySchema, { type: 'plain', rtcpMux: true, comedia: false });
		assert.ok(explicit.type === 'plain');
		assert.deepEqual([explicit.rtcpMux, explicit.comedia], [true, false]);
	});

	test("plain (ours): srtp with an optional srtpCryptoSuite, one of mediasoup's suites", () => {
		const body = accept(createBroadcasterTransportBodySchema, {
			type: 'plain',
			comedia: false,
			srtp: true,
			srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
		});
		assert.ok(body.type === 'plain');
		assert.equal(body.srtpCryptoSuite, 'AES_CM_128_HMAC_SHA1_80');
		const byDefault = accept(createBroadcasterTransportBodySchema, { type: 'plain', comedia: false, srtp: true });
		assert.ok(byDefault.type === 'plain');
		assert.equal(byDefault.srtpCryptoSuite, undefined);
		assert.equal(PLAIN_SRTP_CRYPTO_SUITE, 'AEAD_AES_256_GCM');
		assert.match(
			reject(createBroadcasterTransportBodySchema, { type: 'plain', srtp: true, srtpCryptoSuite: 'AES_CM_256' }),
			/^invalid request body: srtpCryptoSuite: expected one of "AEAD_AES_256_GCM"\|"AEAD_AES_128_GCM"\|"AES_CM_128_HMAC_SHA1_80"\|"AES_CM_128_HMAC_SHA1_32"/,
		);
	});

	test('webrtc: takes optional sctpCapabilities', () => {
		const body = accept(createBroadcasterTransportBodySchema, {
			type: 'webrtc',
			sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
		});
		assert.ok(body.type === 'webrtc');
		assert.equal(body.sctpCapabilities?.numStreams.OS, 1024);
	});

	test('an unknown or missing type is refused by name', () => {
		assert.equal(
			reject(createBroadcasterTransportBodySchema, { type: 'pipe' }),
			'invalid request body: type: expected one of "plain"|"webrtc"',
		);
		assert.equal(
			reject(createBroadcasterTransportBodySchema, {}),
			'invalid request body: type: expected one of "plain"|"webrtc"',
		);
	});

	test('rtcpMux must be a boolean', () => {
		assert.equal(
			reject(createBroadcasterTransportBodySchema, { type: 'plain', rtcpMux: 'false' }),
			'invalid request body: rtcpMux: expected boolean, received string',
		);
	});
});

describe('transport operations', () => {
	test('connect needs dtlsParameters', () => {
		assert.equal(accept(connectBroadcasterTransportBodySchema, { dtlsParameters }).dtlsParameters.role, 'client');
		assert.equal(
			reject(connectBroadcasterTransportBodySchema, { dtlsParameters: { fingerprints: [{ algorithm: 'sha-256' }] } }),
			'invalid request body: dtlsParameters.fingerprints[0].value: missing, expected string',
		);
	});

	test('producers: kind and rtpParameters, appData defaulting to {}', () => {
		const body = accept(createBroadcasterProducerBodySchema, { kind: 'audio', rtpParameters: opusRtpParameters });
		assert.deepEqual(body.appData, {});
		assert.equal(
			reject(createBroadcasterProducerBodySchema, { kind: 'video', rtpParameters: opusRtpParameters }),
			'invalid request body: rtpParameters.codecs[0].mimeType: audio/opus is not a video codec',
		);
		assert.match(
			reject(createBroadcasterProducerBodySchema, {
				kind: 'audio',
				rtpParameters: opusRtpParameters,
				appData: appDataOfSize(MAX_APP_DATA_BYTES),
			}),
			/appData: must be at most/,
		);
		assert.equal(
			reject(createBroadcasterProducerBodySchema, { kind: 'video', rtpParameters: { codecs: 'VP8' } }),
			'invalid request body: rtpParameters.codecs: expected array, received string',
		);
	});

	test('consume takes producerId from the query string', () => {
		assert.equal(accept(broadcasterConsumeQuerySchema, { producerId: ID }).producerId, ID);
		const result = parseBody(broadcasterConsumeQuerySchema, {}, 'query');
		assert.deepEqual(result, { ok: false, code: 400, reason: 'invalid query: producerId: missing, expected string' });
		// express turns ?producerId=a&producerId=b into an array.
		assert.match(
			reject(broadcasterConsumeQuerySchema, { producerId: [ID, ID] }),
			/producerId: expected string, received array/,
		);
	});

	test('consume/data needs dataProducerId', () => {
		assert.equal(accept(broadcasterConsumeDataBodySchema, { dataProducerId: ID }).dataProducerId, ID);
		assert.equal(
			reject(broadcasterConsumeDataBodySchema, {}),
			'invalid request body: dataProducerId: missing, expected string',
		);
	});

	test('produce/data: label and protocol default to empty strings', () => {
		assert.deepEqual(accept(broadcasterProduceDataBodySchema, { sctpStreamParameters }), {
			label: '',
			protocol: '',
			sctpStreamParameters,
			appData: {},
		});
		assert.equal(
			reject(broadcasterProduceDataBodySchema, { sctpStreamParameters: { streamId: -1 } }),
			'invalid request body: sctpStreamParameters.streamId: expected number to be >=0',
		);
	});
});
