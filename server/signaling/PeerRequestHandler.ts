// Serves one validated protoo request of a peer (PROTOCOL.md section 1).
// Validation already happened (protocol/), so this is only the behaviour:
// thrown HttpErrors (server/errors.ts) become protoo error responses.
import { parseScalabilityMode, type types } from 'mediasoup';
import type { ClientRequest } from '../../protocol/signaling.ts';
import type { AccessMode } from '../auth/AccessControl.ts';
import {
	checkData,
	checkNewDataProducer,
	checkNewProducer,
	checkNewTransport,
	checkPublish,
	checkRecording,
	checkThrottle,
} from '../auth/peerPolicy.ts';
import { createHttpError } from '../errors.ts';
import { moderate } from '../room/Moderation.ts';
import type { Peer } from '../room/Peer.ts';
import type { Room } from '../room/Room.ts';
import { connectWebRtcTransportOnce, webRtcTransportInfo } from '../room/transports.ts';
import { iceServersFor } from '../turn/iceServers.ts';
import { applyThrottle, resetThrottle } from './NetworkThrottle.ts';
import { fromWire } from './wire.ts';

export async function handlePeerRequest(
	room: Room,
	peer: Peer,
	request: ClientRequest,
	mode: AccessMode,
): Promise<unknown> {
	const { limits } = room.config;
	switch (request.method) {
		case 'getRouterRtpCapabilities':
			return room.router.rtpCapabilities;

		case 'join': {
			const { displayName, device, rtpCapabilities, sctpCapabilities } = request.data;
			return room.join(peer, {
				displayName,
				device,
				rtpCapabilities: fromWire.rtpCapabilities(rtpCapabilities),
				sctpCapabilities,
			});
		}

		case 'createWebRtcTransport': {
			const { forceTcp, producing, consuming, sctpCapabilities } = request.data;
			checkNewTransport(peer, limits);
			const transport = await room.createWebRtcTransport(peer, {
				forceTcp,
				producing,
				consuming,
				sctpCapabilities,
			});
			return webRtcTransportInfo(transport);
		}

		case 'connectWebRtcTransport':
			await connectWebRtcTransportOnce(
				webRtcTransport(peer, request.data.transportId),
				fromWire.dtlsParameters(request.data.dtlsParameters),
			);
			return undefined;

		case 'restartIce':
			return webRtcTransport(peer, request.data.transportId).restartIce();

		case 'produce': {
			requireJoined(peer);
			const { transportId, kind, rtpParameters, appData } = request.data;
			checkNewProducer(peer, kind, appData, limits);
			const producer = await peer.producingTransport(transportId).produce({
				kind,
				rtpParameters: fromWire.rtpParameters(rtpParameters),
				// peerId lets observers (active speaker) and consumers name the owner.
				appData: { ...appData, peerId: peer.id },
			});
			stillGranted(producer, () => checkPublish(peer, kind, appData));
			room.addProducer(peer, producer);
			return { id: producer.id };
		}

		case 'closeProducer':
			peer.producer(request.data.producerId).close();
			return undefined;

		case 'pauseProducer':
			await peer.producer(request.data.producerId).pause();
			return undefined;

		case 'resumeProducer':
			await peer.producer(request.data.producerId).resume();
			return undefined;

		case 'pauseConsumer':
			await peer.consumer(request.data.consumerId).pause();
			return undefined;

		case 'resumeConsumer':
			await peer.consumer(request.data.consumerId).resume();
			return undefined;

		case 'setConsumerPreferredLayers': {
			const { consumerId, spatialLayer, temporalLayer } = request.data;
			const consumer = peer.consumer(consumerId);
			checkLayers(consumer, spatialLayer, temporalLayer);
			await consumer.setPreferredLayers({ spatialLayer, temporalLayer });
			return undefined;
		}

		case 'setConsumerPriority':
			await peer.consumer(request.data.consumerId).setPriority(request.data.priority);
			return undefined;

		case 'requestConsumerKeyFrame':
			await peer.consumer(request.data.consumerId).requestKeyFrame();
			return undefined;

		case 'produceData': {
			requireJoined(peer);
			const { transportId, sctpStreamParameters, label, protocol, appData } = request.data;
			checkNewDataProducer(peer, limits);
			const dataProducer = await peer.producingTransport(transportId).produceData({
				sctpStreamParameters: fromWire.sctpStreamParameters(sctpStreamParameters),
				label,
				protocol,
				appData: { ...appData, peerId: peer.id },
			});
			stillGranted(dataProducer, () => checkData(peer));
			room.addDataProducer(peer, dataProducer);
			return { id: dataProducer.id };
		}

		case 'changeDisplayName':
			requireJoined(peer);
			room.rename(peer, request.data.displayName);
			return undefined;

		case 'getTransportStats':
			return peer.transport(request.data.transportId).getStats();

		case 'getProducerStats':
			return peer.producer(request.data.producerId).getStats();

		case 'getConsumerStats':
			return peer.consumer(request.data.consumerId).getStats();

		case 'getDataProducerStats':
			return peer.dataProducer(request.data.dataProducerId).getStats();

		case 'getDataConsumerStats':
			return peer.dataConsumer(request.data.dataConsumerId).getStats();

		case 'applyNetworkThrottle': {
			const { secret, uplink, downlink, rtt, packetLoss } = request.data;
			checkThrottle(mode, peer, secret, room.config.throttleSecret);
			await applyThrottle({ uplink, downlink, rtt, packetLoss });
			room.log.warn({ peerId: peer.id, uplink, downlink, rtt, packetLoss }, 'network throttle applied');
			return undefined;
		}

		// Like a transport, before join too: the transports are made first.
		case 'getIceServers':
			return iceServersFor(room.config.turn, peer.id, Date.now());

		case 'startRecording':
			requireJoined(peer);
			checkRecording(peer);
			return room.recorder.start();

		case 'stopRecording':
			requireJoined(peer);
			checkRecording(peer);
			return room.recorder.stop();

		case 'resetNetworkThrottle':
			checkThrottle(mode, peer, request.data.secret, room.config.throttleSecret);
			await resetThrottle();
			room.log.warn({ peerId: peer.id }, 'network throttle reset');
			return undefined;

		case 'muteProducer':
		case 'removePeer':
		case 'setPeerGrants':
		case 'lockRoom':
		case 'admitPeer':
		case 'denyPeer':
		case 'endRoom':
			return moderate(room, peer, request);
	}
}

/** A moderator may have taken the grant while the worker made the object: then it goes at once. */
function stillGranted(created: { close(): void }, check: () => void): void {
	try {
		check();
	} catch (error) {
		created.close();
		throw error;
	}
}

function requireJoined(peer: Peer): void {
	if (!peer.joined) throw createHttpError(403, 'peer not yet joined');
}

/**
 * mediasoup quietly takes the nearest layer it has; a layer the consumer
 * cannot have is refused instead, so a client learns it asked for nothing.
 */
function checkLayers(consumer: types.Consumer, spatialLayer: number, temporalLayer: number | undefined): void {
	const { spatialLayers, temporalLayers } = parseScalabilityMode(
		consumer.rtpParameters.encodings?.[0]?.scalabilityMode,
	);
	if (spatialLayer >= spatialLayers) {
		throw createHttpError(
			400,
			`spatialLayer ${spatialLayer} is out of range: this consumer has 0..${spatialLayers - 1}`,
		);
	}
	if (temporalLayer !== undefined && temporalLayer >= temporalLayers) {
		throw createHttpError(
			400,
			`temporalLayer ${temporalLayer} is out of range: this consumer has 0..${temporalLayers - 1}`,
		);
	}
}

function webRtcTransport(peer: Peer, transportId: string): types.WebRtcTransport {
	const transport = peer.transport(transportId);
	if (transport.type !== 'webrtc') throw createHttpError(400, `transport "${transportId}" is not a WebRTC transport`);
	return transport as types.WebRtcTransport;
}
