// Small, valid wire objects shaped like what mediasoup-client sends, for the
// protocol unit tests (and the grants a join response carries, for the server
// tests too). The tests against real mediasoup objects live in
// mediasoupObjects.test.ts and mediasoupClient.test.ts.
import type { Grants } from '../../protocol/access.ts';

export const ID = '5d1c0a3e-7b5e-4f0e-9a51-3a1c2b7e9f10';
export const OTHER_ID = 'a6c8e0f2-1b3d-4e5f-8a9b-0c1d2e3f4a5b';

export const opusRtpParameters = {
	mid: '0',
	codecs: [
		{
			mimeType: 'audio/opus',
			payloadType: 111,
			clockRate: 48000,
			channels: 2,
			parameters: { minptime: 10, useinbandfec: 1 },
			rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
		},
	],
	headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} }],
	encodings: [{ ssrc: 1111, dtx: false }],
	rtcp: { cname: 'abcd', reducedSize: true },
};

export const dtlsParameters = {
	role: 'client',
	fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD:EF' }],
};

export const sctpCapabilities = { numStreams: { OS: 1024, MIS: 1024 } };

export const sctpStreamParameters = { streamId: 1, ordered: true };

export const rtpCapabilities = {
	codecs: [
		{
			kind: 'audio',
			mimeType: 'audio/opus',
			preferredPayloadType: 100,
			clockRate: 48000,
			channels: 2,
			parameters: {},
			rtcpFeedback: [{ type: 'nack' }],
		},
	],
	headerExtensions: [
		{
			kind: 'audio',
			uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
			preferredId: 1,
			preferredEncrypt: false,
			direction: 'sendrecv',
		},
	],
};

/** A JSON object whose serialization is `bytes` long (give or take the wrapper). */
export function appDataOfSize(bytes: number): Record<string, string> {
	return { blob: 'x'.repeat(bytes) };
}

/** The grants a plain room token (`{ room }`) resolves to, every field spelled out. */
export function roomTokenGrants(room: string): Grants {
	return {
		room,
		join: true,
		publish: ['microphone', 'camera', 'screen'],
		subscribe: true,
		data: true,
		roomAdmin: false,
		record: false,
		ingest: false,
		hidden: false,
		consumerReplicas: 0,
	};
}
