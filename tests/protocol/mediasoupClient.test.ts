// The schemas against what a real client sends: mediasoup-client 3.24 (the
// Chrome111 handler, on werift's WebRTC stack) produces the join capabilities,
// the DTLS parameters of connectWebRtcTransport and the RTP / SCTP parameters
// of produce and produceData. Each message is sent through JSON, validated,
// and the validated data is handed to mediasoup, which must accept it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import { Device, type types as msc } from 'mediasoup-client';
import {
	type ClientRequest,
	type ClientRequestMethod,
	parseClientRequest,
	webRtcTransportInfoSchema,
} from '../../protocol/signaling.ts';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { createRtpTrack, installWeriftGlobals } from '../helpers/werift.ts';

installWeriftGlobals();

let worker: ms.Worker;
let router: ms.Router;
let device: Device;

before(async () => {
	({ worker, router } = await opusVp8Router());
	device = new Device({ handlerName: 'Chrome111' });
	await device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });
});

after(() => {
	worker?.close();
});

/** What the server does with an incoming protoo request: JSON in, validate. */
function receive<M extends ClientRequestMethod>(method: M, data: unknown): Extract<ClientRequest, { method: M }> {
	const result = parseClientRequest(method, JSON.parse(JSON.stringify(data)));
	assert.ok(result.ok, `expected ${method} to be accepted, got: ${result.ok ? '' : result.reason}`);
	assert.equal(result.message.method, method);
	return result.message as Extract<ClientRequest, { method: M }>;
}

test("join with the device's real RtpCapabilities is accepted", () => {
	const join = receive('join', {
		displayName: 'Alice',
		device: { flag: 'chrome', name: 'Chrome', version: '111' },
		rtpCapabilities: device.rtpCapabilities,
		// mediasoup-client 3.24 no longer exposes sctpCapabilities; classic clients send this.
		sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
	});
	assert.deepEqual(join.data.rtpCapabilities, JSON.parse(JSON.stringify(device.rtpCapabilities)));
});

test('connectWebRtcTransport, produce (audio, simulcast video) and produceData from a real client', async () => {
	const created = receive('createWebRtcTransport', {
		producing: true,
		sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
	});
	const server = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		enableSctp: created.data.sctpCapabilities !== undefined,
	});
	const info = webRtcTransportInfoSchema.parse(
		JSON.parse(
			JSON.stringify({
				id: server.id,
				iceParameters: server.iceParameters,
				iceCandidates: server.iceCandidates,
				dtlsParameters: server.dtlsParameters,
				sctpParameters: server.sctpParameters,
			}),
		),
	);
	// The app's one cast: a validated answer to mediasoup-client's options type.
	const client = device.createSendTransport(info as msc.TransportOptions);

	client.on('connect', ({ dtlsParameters }, callback, errback) => {
		const request = receive('connectWebRtcTransport', { transportId: server.id, dtlsParameters });
		server.connect({ dtlsParameters: request.data.dtlsParameters as ms.DtlsParameters }).then(callback, errback);
	});
	client.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
		const request = receive('produce', { transportId: server.id, kind, rtpParameters, appData });
		server
			.produce({
				kind: request.data.kind,
				rtpParameters: request.data.rtpParameters as ms.RtpParameters,
				appData: request.data.appData,
			})
			.then(({ id }) => callback({ id }), errback);
	});
	client.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
		const request = receive('produceData', { transportId: server.id, sctpStreamParameters, label, protocol, appData });
		server
			.produceData({
				sctpStreamParameters: request.data.sctpStreamParameters as ms.SctpStreamParameters,
				label: request.data.label,
				protocol: request.data.protocol,
				appData: request.data.appData,
			})
			.then(({ id }) => callback({ id }), errback);
	});

	try {
		const audio = await client.produce({ track: createRtpTrack('audio').track, appData: { source: 'mic' } });
		const video = await client.produce({
			track: createRtpTrack('video').track,
			encodings: [
				{ rid: 'r0', maxBitrate: 100_000, scaleResolutionDownBy: 4 },
				{ rid: 'r1', maxBitrate: 300_000, scaleResolutionDownBy: 2 },
				{ rid: 'r2', maxBitrate: 900_000 },
			],
			appData: { source: 'webcam' },
		});
		const chat = await client.produceData({ label: 'chat', appData: { info: 'chat' } });

		// mediasoup accepted what was validated: the ids match on both sides.
		const producers = (await router.dump()).mapProducerIdConsumerIds.map(({ key }) => key);
		assert.deepEqual(producers.sort(), [audio.id, video.id].sort());
		assert.equal(chat.label, 'chat');
		assert.equal(video.rtpParameters.encodings?.length, 3);

		// Closing werift mid-handshake leaves its SCTP INIT retransmissions
		// running for half a minute, holding the test process open; let the
		// association come up, as it does in a browser, before closing.
		await waitFor('the SCTP association', () => server.sctpState === 'connected');
	} finally {
		client.close();
		server.close();
	}
});
