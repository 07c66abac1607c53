// Codec choice for forceVP8/VP9/H264 and the encodings of webcam and screen.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { types } from 'mediasoup-client';
import { effectiveVideoCodec, forcedCodec } from '../../app/media/codecs.ts';
import { sharingEncodings, webcamEncodings } from '../../app/media/encodings.ts';

const video = (mimeType: string, parameters: Record<string, unknown> = {}): types.RtpCodecCapability => ({
	kind: 'video',
	mimeType,
	clockRate: 90000,
	preferredPayloadType: 100,
	parameters,
});

const capabilities: types.RtpCapabilities = {
	codecs: [
		{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
		video('video/VP8'),
		video('video/rtx', { apt: 101 }),
		video('video/VP9', { 'profile-id': 2 }),
		video('video/H264', { 'packetization-mode': 1, 'profile-level-id': '4d001f' }),
		video('video/H264', { 'packetization-mode': 0, 'profile-level-id': '42e01f' }),
		video('video/H264', { 'packetization-mode': 1, 'profile-level-id': '42e01f' }),
	],
};

describe('forced codecs', () => {
	test('none forced: the device default, which is the first video codec', () => {
		assert.equal(forcedCodec(capabilities, null), undefined);
		assert.equal(effectiveVideoCodec(capabilities, undefined), 'video/VP8');
	});

	test('VP8 and VP9 by name', () => {
		assert.equal(forcedCodec(capabilities, 'VP8')?.mimeType, 'video/VP8');
		assert.equal(forcedCodec(capabilities, 'VP9')?.mimeType, 'video/VP9');
	});

	test('H264: packetization mode 1, profiles matched by prefix (Chromium offers 4d001f)', () => {
		assert.equal(forcedCodec(capabilities, 'H264')?.parameters?.['profile-level-id'], '42e01f');
		const mainOnly = {
			codecs: capabilities.codecs?.filter((codec) => codec.parameters?.['profile-level-id'] !== '42e01f'),
		};
		assert.equal(forcedCodec(mainOnly, 'H264')?.parameters?.['profile-level-id'], '4d001f');
	});

	test('a codec the device lacks is not forced', () => {
		assert.equal(forcedCodec({ codecs: [video('video/VP8')] }, 'VP9'), undefined);
	});
});

describe('encodings', () => {
	const options = { enabled: true, codecMimeType: 'video/VP8', scalabilityMode: null, numSimulcastStreams: 3 };

	test('webcam: three simulcast streams, smallest first, L1T3', () => {
		const encodings = webcamEncodings(options) ?? [];
		assert.deepEqual(
			encodings.map((encoding) => encoding.scaleResolutionDownBy),
			[4, 2, 1],
		);
		assert.ok(encodings.every((encoding) => encoding.scalabilityMode === 'L1T3'));
	});

	test('webcam: fewer streams keep the full-size one', () => {
		const encodings = webcamEncodings({ ...options, numSimulcastStreams: 2 }) ?? [];
		assert.deepEqual(
			encodings.map((encoding) => encoding.scaleResolutionDownBy),
			[2, 1],
		);
	});

	test('webcam with VP9: one SVC stream, L3T3_KEY unless the URL says otherwise', () => {
		assert.deepEqual(
			webcamEncodings({ ...options, codecMimeType: 'video/VP9' })?.map((encoding) => encoding.scalabilityMode),
			['L3T3_KEY'],
		);
		assert.deepEqual(
			webcamEncodings({ ...options, codecMimeType: 'video/VP9', scalabilityMode: 'L2T2' })?.map(
				(encoding) => encoding.scalabilityMode,
			),
			['L2T2'],
		);
	});

	test('layers disabled: one plain stream', () => {
		assert.equal(webcamEncodings({ ...options, enabled: false }), undefined);
		assert.equal(sharingEncodings({ ...options, enabled: false }), undefined);
	});

	test('screen: two bitrates of the full picture, with DTX', () => {
		const encodings = sharingEncodings(options) ?? [];
		assert.equal(encodings.length, 2);
		assert.ok(encodings.every((encoding) => encoding.dtx === true && encoding.scaleResolutionDownBy === undefined));
	});
});
