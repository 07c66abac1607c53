// The schemas against the real thing: objects produced by mediasoup 3.27
// (router capabilities, transport parameters, consumer RTP parameters, scores,
// stats) pass validation unchanged, and validated wire objects are accepted
// back by mediasoup after the one cast the server does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { types as ms } from 'mediasoup';
import {
	broadcasterConsumeDataResponseSchema,
	broadcasterConsumeResponseSchema,
	createBroadcasterTransportResponseSchema,
	plainTransportInfoSchema,
} from '../../protocol/broadcasterApi.ts';
import { rtpCapabilitiesSchema, rtpParametersSchema } from '../../protocol/rtp.ts';
import {
	type ClientRequest,
	clientResponses,
	parseClientRequest,
	parseServerNotification,
	parseServerRequest,
	webRtcTransportInfoSchema,
} from '../../protocol/signaling.ts';
import { newConsumerRequest } from '../../server/room/Subscriptions.ts';
import { webRtcTransportInfo } from '../../server/room/transports.ts';
import { opusVp8Router } from '../helpers/opusVp8Router.ts';

let worker: ms.Worker;
let router: ms.Router;

before(async () => {
	({ worker, router } = await opusVp8Router());
});

after(() => {
	worker?.close();
});

/** Everything crosses the wire as JSON: validate what the peer really receives. */
function overTheWire<T>(value: T): unknown {
	return JSON.parse(JSON.stringify(value));
}

function acceptRequest(method: string, data: unknown): ClientRequest {
	const result = parseClientRequest(method, overTheWire(data));
	assert.ok(result.ok, `expected ${method} to be accepted, got: ${result.ok ? '' : result.reason}`);
	return result.message;
}

function createWebRtcTransport(): Promise<ms.WebRtcTransport> {
	return router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		enableSctp: true,
	});
}

/** A VP8 producer on a PlainTransport (as ffmpeg would send), its parameters validated first. */
async function createVideoProducer(): Promise<ms.Producer> {
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const request = acceptRequest('produce', {
		transportId: transport.id,
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
			encodings: [{ ssrc: 22222222 }],
		},
		appData: { peerId: 'alice', source: 'webcam' },
	});
	assert.ok(request.method === 'produce');
	// The cast the server makes once: a validated wire object to mediasoup's type.
	return transport.produce({
		kind: request.data.kind,
		rtpParameters: request.data.rtpParameters as ms.RtpParameters,
		appData: request.data.appData,
	});
}

describe('mediasoup objects on the wire', () => {
	test("the router's RtpCapabilities parse, unchanged", () => {
		const wire = overTheWire(router.rtpCapabilities);
		const result = rtpCapabilitiesSchema.safeParse(wire);
		assert.ok(result.success, result.success ? '' : result.error.message);
		assert.deepEqual(result.data, wire);
		assert.ok(clientResponses.getRouterRtpCapabilities.safeParse(wire).success);
	});

	test('the createWebRtcTransport answer (with SCTP) and restartIce answer parse', async () => {
		const transport = await createWebRtcTransport();
		const wire = overTheWire(webRtcTransportInfo(transport));
		const result = webRtcTransportInfoSchema.safeParse(wire);
		assert.ok(result.success, result.success ? '' : result.error.message);
		assert.deepEqual(result.data, wire);
		assert.ok(createBroadcasterTransportResponseSchema.safeParse(wire).success);

		const iceParameters = await transport.restartIce();
		assert.ok(clientResponses.restartIce.safeParse(overTheWire(iceParameters)).success);

		const stats = await transport.getStats();
		assert.ok(clientResponses.getTransportStats.safeParse(overTheWire(stats)).success);
		transport.close();
	});

	test("a PlainTransport's answer to a broadcaster parses", async () => {
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: false,
			comedia: true,
		});
		const answer = {
			id: transport.id,
			ip: transport.tuple.localAddress,
			port: transport.tuple.localPort,
			rtcpPort: transport.rtcpTuple?.localPort,
		};
		assert.ok(plainTransportInfoSchema.safeParse(overTheWire(answer)).success);
		transport.close();
	});

	test("a consumer's RTP parameters, type and scores parse as newConsumer and notifications", async () => {
		const producer = await createVideoProducer();
		const transport = await createWebRtcTransport();
		const consumer = await transport.consume({
			producerId: producer.id,
			rtpCapabilities: router.rtpCapabilities,
			paused: true,
		});

		assert.ok(rtpParametersSchema.safeParse(overTheWire(consumer.rtpParameters)).success);

		const newConsumer = parseServerRequest('newConsumer', overTheWire(newConsumerRequest('alice', producer, consumer)));
		assert.ok(newConsumer.ok, newConsumer.ok ? '' : newConsumer.reason);
		assert.ok(newConsumer.message.method === 'newConsumer');
		assert.deepEqual(newConsumer.message.data.rtpParameters, overTheWire(consumer.rtpParameters));

		const broadcasterAnswer = {
			id: consumer.id,
			producerId: producer.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			type: consumer.type,
		};
		assert.ok(broadcasterConsumeResponseSchema.safeParse(overTheWire(broadcasterAnswer)).success);

		const consumerScore = parseServerNotification(
			'consumerScore',
			overTheWire({ consumerId: consumer.id, score: consumer.score }),
		);
		assert.ok(consumerScore.ok, consumerScore.ok ? '' : consumerScore.reason);
		const producerScore = parseServerNotification(
			'producerScore',
			overTheWire({ producerId: producer.id, score: producer.score }),
		);
		assert.ok(producerScore.ok, producerScore.ok ? '' : producerScore.reason);

		for (const stats of [await producer.getStats(), await consumer.getStats()]) {
			assert.ok(clientResponses.getConsumerStats.safeParse(overTheWire(stats)).success);
		}

		// The layer setters take the parsed values as they are.
		const layers = acceptRequest('setConsumerPreferredLayers', { consumerId: consumer.id, spatialLayer: 0 });
		assert.ok(layers.method === 'setConsumerPreferredLayers');
		await consumer.setPreferredLayers(layers.data);
		const priority = acceptRequest('setConsumerPriority', { consumerId: consumer.id, priority: 10 });
		assert.ok(priority.method === 'setConsumerPriority');
		await consumer.setPriority(priority.data.priority);

		transport.close();
		producer.close();
	});

	test('data producers and consumers: produceData, newDataConsumer (peer and bot), consume/data', async () => {
		const sender = await createWebRtcTransport();
		const receiver = await createWebRtcTransport();

		const request = acceptRequest('produceData', {
			transportId: sender.id,
			sctpStreamParameters: { streamId: 0, ordered: true },
			label: 'chat',
		});
		assert.ok(request.method === 'produceData');
		const dataProducer = await sender.produceData({
			sctpStreamParameters: request.data.sctpStreamParameters as ms.SctpStreamParameters,
			label: request.data.label,
			protocol: request.data.protocol,
			appData: request.data.appData,
		});
		const dataConsumer = await receiver.consumeData({ dataProducerId: dataProducer.id });

		const fromPeer = {
			peerId: 'alice',
			dataProducerId: dataProducer.id,
			id: dataConsumer.id,
			sctpStreamParameters: dataConsumer.sctpStreamParameters,
			label: dataConsumer.label,
			protocol: dataConsumer.protocol,
			appData: dataProducer.appData,
		};
		const peerResult = parseServerRequest('newDataConsumer', overTheWire(fromPeer));
		assert.ok(peerResult.ok, peerResult.ok ? '' : peerResult.reason);

		// The bot sends over a DirectTransport and has no peer.
		const direct = await router.createDirectTransport();
		const botProducer = await direct.produceData({ label: 'bot' });
		const botConsumer = await receiver.consumeData({ dataProducerId: botProducer.id });
		const botResult = parseServerRequest(
			'newDataConsumer',
			overTheWire({
				peerId: null,
				dataProducerId: botProducer.id,
				id: botConsumer.id,
				sctpStreamParameters: botConsumer.sctpStreamParameters,
				label: botConsumer.label,
				protocol: botConsumer.protocol,
				appData: botProducer.appData,
			}),
		);
		assert.ok(botResult.ok, botResult.ok ? '' : botResult.reason);

		const consumeDataAnswer = { id: dataConsumer.id, streamId: dataConsumer.sctpStreamParameters?.streamId };
		assert.ok(broadcasterConsumeDataResponseSchema.safeParse(overTheWire(consumeDataAnswer)).success);

		sender.close();
		receiver.close();
		direct.close();
	});
});
