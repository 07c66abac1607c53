// REST API for broadcasters (PROTOCOL.md section 2): senders and receivers
// that are not browsers (ffmpeg, GStreamer, scripts). Every route first checks
// the caller (restAccess.ts: in token mode the ingest grant for the room, and
// the token's own broadcaster id), so a refusal creates nothing. Every body is
// validated against protocol/broadcasterApi.ts; errors are HttpErrors (401 no
// valid token, 403 not allowed, 400 bad field, 404 unknown
// room/broadcaster/transport/producer, 409 duplicate id).
import express, { type Request } from 'express';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { z } from 'zod';
import * as api from '../../protocol/broadcasterApi.ts';
import type { AccessControl } from '../auth/AccessControl.ts';
import {
	checkBroadcasterDataProducer,
	checkBroadcasterProducer,
	checkBroadcasterTransport,
} from '../auth/broadcasterLimits.ts';
import { createHttpError } from '../errors.ts';
import { Broadcaster } from '../room/Broadcaster.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { connectWebRtcTransportOnce, webRtcTransportInfo } from '../room/transports.ts';
import { fromWire } from '../signaling/wire.ts';
import { ingestCaller, requireOwnBroadcaster } from './restAccess.ts';

export function createBroadcasterApi(rooms: RoomRegistry, access: AccessControl, log: Logger): express.Router {
	const router = express.Router();

	/** The caller may use the broadcaster API in the path's room (401/403 otherwise). */
	const authorize = (req: Request) => ingestCaller(access, req, param(req, 'roomId'));

	/** ...and the path's broadcaster is its own. */
	const authorizeBroadcaster = async (req: Request) => {
		requireOwnBroadcaster(await authorize(req), param(req, 'broadcasterId'));
	};

	/** An existing room, or 404: only GET /rooms/:roomId and creating a broadcaster make rooms. */
	const existingRoom = (req: Request): Promise<Room> => rooms.existing(param(req, 'roomId'));

	/** The room, broadcaster and transport of a .../transports/:transportId path; 404 for the first one unknown. */
	const transportOf = async (req: Request) => {
		await authorizeBroadcaster(req);
		const room = await existingRoom(req);
		const broadcaster = room.broadcaster(param(req, 'broadcasterId'));
		return { room, broadcaster, transport: broadcaster.transport(param(req, 'transportId')) };
	};

	router.get('/rooms/:roomId', async (req, res) => {
		await authorize(req);
		const room = await rooms.getOrCreate(param(req, 'roomId'));
		res.json(room.router.rtpCapabilities);
	});

	router.post('/rooms/:roomId/broadcasters', async (req, res) => {
		const caller = await authorize(req);
		const body = parse(api.createBroadcasterBodySchema, req.body);
		requireOwnBroadcaster(caller, body.id);
		const room = await rooms.getOrCreate(param(req, 'roomId'));
		const broadcaster = new Broadcaster(body.id, {
			displayName: body.displayName,
			device: { flag: 'broadcaster', name: body.device.name, version: body.device.version },
			rtpCapabilities: fromWire.rtpCapabilities(body.rtpCapabilities),
			sctpCapabilities: undefined,
		});
		room.addBroadcaster(broadcaster);
		const peers = room.joinedMembers(broadcaster).map((member) => ({
			...member.info,
			producers: [...member.producers.values()].map((producer) => ({ id: producer.id, kind: producer.kind })),
		}));
		res.json({ peers });
	});

	router.delete('/rooms/:roomId/broadcasters/:broadcasterId', async (req, res) => {
		await authorizeBroadcaster(req);
		const room = await existingRoom(req);
		room.broadcaster(param(req, 'broadcasterId')).close();
		res.json({});
	});

	router.post('/rooms/:roomId/broadcasters/:broadcasterId/transports', async (req, res) => {
		await authorizeBroadcaster(req);
		const room = await existingRoom(req);
		const broadcaster = room.broadcaster(param(req, 'broadcasterId'));
		const body = parse(api.createBroadcasterTransportBodySchema, req.body);
		checkBroadcasterTransport(broadcaster, room.config.limits);
		if (body.type === 'webrtc') {
			const transport = await room.createWebRtcTransport(broadcaster, {
				forceTcp: false,
				producing: true,
				consuming: true,
				sctpCapabilities: body.sctpCapabilities,
			});
			res.json(webRtcTransportInfo(transport));
			return;
		}
		if (body.srtpCryptoSuite !== undefined && body.srtp !== true) {
			throw createHttpError(400, 'srtpCryptoSuite needs srtp: true: it names the suite of an SRTP transport');
		}
		if (body.srtp === true && body.comedia) {
			throw createHttpError(
				400,
				"srtp needs comedia false: the receiver's SRTP key comes with connect, which a comedia transport does not take",
			);
		}
		const transport = await room.createPlainTransport(broadcaster, {
			rtcpMux: body.rtcpMux,
			comedia: body.comedia,
			srtpCryptoSuite: body.srtp === true ? (body.srtpCryptoSuite ?? api.PLAIN_SRTP_CRYPTO_SUITE) : undefined,
			sctpCapabilities: body.sctpCapabilities,
		});
		res.json({
			id: transport.id,
			ip: transport.tuple.localAddress,
			port: transport.tuple.localPort,
			rtcpPort: transport.rtcpTuple?.localPort,
			srtpParameters: transport.srtpParameters,
		});
	});

	router.post('/rooms/:roomId/broadcasters/:broadcasterId/transports/:transportId/connect', async (req, res) => {
		const { transport } = await transportOf(req);
		if (transport.type === 'plain') {
			const target = parse(api.connectPlainTransportBodySchema, req.body);
			if (transport.appData.comedia === true) {
				throw createHttpError(
					400,
					`plain transport "${transport.id}" was made with comedia: it sends where it receives from; make it with comedia false to connect it`,
				);
			}
			const plain = transport as types.PlainTransport;
			if (plain.tuple.remoteIp !== undefined) {
				throw createHttpError(409, `plain transport "${transport.id}" is already connected`);
			}
			const srtp = plain.srtpParameters !== undefined;
			if (srtp !== (target.srtpParameters !== undefined)) {
				throw createHttpError(
					400,
					srtp
						? `plain transport "${transport.id}" was made with srtp: connect needs srtpParameters {cryptoSuite, keyBase64}`
						: `plain transport "${transport.id}" was made without srtp: connect takes no srtpParameters`,
				);
			}
			await plain.connect(target);
			res.json({});
			return;
		}
		const body = parse(api.connectBroadcasterTransportBodySchema, req.body);
		await connectWebRtcTransportOnce(transport as types.WebRtcTransport, fromWire.dtlsParameters(body.dtlsParameters));
		res.json({});
	});

	router.post('/rooms/:roomId/broadcasters/:broadcasterId/transports/:transportId/producers', async (req, res) => {
		const { room, broadcaster, transport } = await transportOf(req);
		const body = parse(api.createBroadcasterProducerBodySchema, req.body);
		checkBroadcasterProducer(broadcaster, room.config.limits);
		const producer = await transport.produce({
			kind: body.kind,
			rtpParameters: fromWire.rtpParameters(body.rtpParameters),
			appData: { ...body.appData, peerId: broadcaster.id },
		});
		room.addProducer(broadcaster, producer);
		log.info({ roomId: room.id, broadcasterId: broadcaster.id, producerId: producer.id }, 'broadcaster producing');
		res.json({ id: producer.id });
	});

	router.post('/rooms/:roomId/broadcasters/:broadcasterId/transports/:transportId/consume', async (req, res) => {
		const { room, broadcaster, transport } = await transportOf(req);
		const { producerId } = parse(api.broadcasterConsumeQuerySchema, req.query, 'query');
		if (!room.joinedMembers().some((member) => member.producers.has(producerId))) {
			throw createHttpError(404, `producer with id "${producerId}" not found`);
		}
		if (!broadcaster.rtpCapabilities) {
			throw createHttpError(400, 'broadcaster was created without rtpCapabilities, so it cannot consume');
		}
		await room.routers.pipeToMember(broadcaster, 'producer', producerId);
		const consumer = await transport.consume({ producerId, rtpCapabilities: broadcaster.rtpCapabilities });
		consumer.on('producerclose', () => consumer.close());
		res.json({
			id: consumer.id,
			producerId,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			type: consumer.type,
		});
	});

	router.post('/rooms/:roomId/broadcasters/:broadcasterId/transports/:transportId/consume/data', async (req, res) => {
		const { room, broadcaster, transport } = await transportOf(req);
		const body = parse(api.broadcasterConsumeDataBodySchema, req.body);
		if (!room.routers.originRouter(body.dataProducerId)) {
			throw createHttpError(404, `dataProducer with id "${body.dataProducerId}" not found`);
		}
		await room.routers.pipeToMember(broadcaster, 'dataProducer', body.dataProducerId);
		const dataConsumer = await transport.consumeData({ dataProducerId: body.dataProducerId });
		broadcaster.addDataConsumer(dataConsumer);
		dataConsumer.on('dataproducerclose', () => dataConsumer.close());
		res.json({ id: dataConsumer.id, streamId: dataConsumer.sctpStreamParameters?.streamId });
	});

	router.post('/rooms/:roomId/broadcasters/:broadcasterId/transports/:transportId/produce/data', async (req, res) => {
		const { room, broadcaster, transport } = await transportOf(req);
		const body = parse(api.broadcasterProduceDataBodySchema, req.body);
		checkBroadcasterDataProducer(broadcaster, room.config.limits);
		const dataProducer = await transport.produceData({
			label: body.label,
			protocol: body.protocol,
			sctpStreamParameters: fromWire.sctpStreamParameters(body.sctpStreamParameters),
			appData: { ...body.appData, peerId: broadcaster.id },
		});
		room.addDataProducer(broadcaster, dataProducer);
		res.json({ id: dataProducer.id });
	});

	return router;
}

function param(req: Request, name: string): string {
	const value = req.params[name];
	if (typeof value !== 'string' || value === '') throw createHttpError(400, `path parameter ${name} is required`);
	return value;
}

function parse<S extends z.ZodType>(schema: S, body: unknown, subject?: string): z.output<S> {
	const result = api.parseBody(schema, body, subject);
	if (!result.ok) throw createHttpError(400, result.reason);
	return result.data;
}
