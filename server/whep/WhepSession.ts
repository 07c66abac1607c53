// One WHEP playback: a viewer of one member of the room (a peer of the app,
// a broadcaster or a WHIP sender), outside the room (room/Viewer.ts: no
// newPeer, not in the peer list). It has a router of its own on the room's
// home worker, numbered as the player's offer (sdpOffer.ts says why), to
// which the member's producers are piped; there, one WebRtcTransport on the
// worker's WebRtcServer and a consumer of a producer for each m-section of
// the offer it can play. It ends on DELETE, when the watched member leaves,
// when every consumer closed (the member closed those producers: WHEP has
// no way to offer the player a new one, it POSTs again), when the room
// closes, and when its transport fails or its ICE times out
// (webrtcHttp/WebRtcHttpSession.ts). Closing it closes its router, which
// closes the transport, the consumers and the pipes from the room's routers.
import { randomBytes } from 'node:crypto';
import { errors, type types } from 'mediasoup';
import type { Logger } from 'pino';
import { createHttpError } from '../errors.ts';
import type { Participant } from '../room/Participant.ts';
import type { Room } from '../room/Room.ts';
import { connectWebRtcTransportOnce, createWebRtcTransport } from '../room/transports.ts';
import { Viewer } from '../room/Viewer.ts';
import { iceCredentialsOf, parseOffer } from '../webrtcHttp/sdpOffer.ts';
import { type SessionParts, WebRtcHttpSession } from '../webrtcHttp/WebRtcHttpSession.ts';
import { writeWhepAnswer } from './sdpAnswer.ts';
import { planWhepSections, playerCapabilities, viewerRouterCodecs, type WhepAccepted } from './sdpOffer.ts';

export interface WhepStart {
	room: Room;
	/** The member to play. */
	member: Participant;
	/** The token's identity (undefined in open mode): only it may PATCH or DELETE the session. */
	identity: string | undefined;
	offer: string;
	log: Logger;
}

export class WhepSession extends WebRtcHttpSession {
	readonly member: Participant;
	readonly viewer: Viewer;
	/** The session's own router (the worker's WebRtcServer serves its transport). */
	readonly router: types.Router;
	readonly identity: string | undefined;
	readonly consumers: readonly types.Consumer[];
	/** The member outlives its viewers: the listener goes with the session. */
	readonly #onMemberClose = () => this.end('the watched member left');

	/**
	 * Reads the offer, makes the viewer, its transport, the consumers and the
	 * answer. A bad offer (400, 422) is refused before anything is made; a
	 * failure after that closes what was made.
	 */
	static async start({ room, member, identity, offer: text, log }: WhepStart): Promise<WhepSession> {
		const offer = parseOffer(text);
		const plans = planWhepSections(offer, [...member.producers.values()]);
		const viewer = new Viewer(`whep-${randomBytes(8).toString('hex')}`);
		room.addViewer(viewer, identity);
		const home = room.routers.home;
		let router: types.Router | undefined;
		try {
			router = await home.worker.createRouter({ mediaCodecs: viewerRouterCodecs(plans) });
			const transport = await createWebRtcTransport(router, home.webRtcServer, room.config, viewer.id, {
				forceTcp: false,
				producing: false,
				consuming: true,
				sctpCapabilities: undefined,
			});
			viewer.addTransport(transport);
			await connectWebRtcTransportOnce(transport, offer.dtlsParameters);
			const consumers = new Map<string, types.Consumer>();
			for (const plan of plans) {
				if (plan.accepted) consumers.set(plan.section.mid, await consume(room, router, transport, plan));
			}
			if (member.closed) throw createHttpError(404, `member "${member.id}" left the room`);
			const answer = writeWhepAnswer(plans, consumers, {
				transport,
				clientRole: offer.dtlsParameters.role ?? 'client',
				sessionId: String(Date.now()),
				streamId: viewer.id,
			});
			const clientUfrag = iceCredentialsOf(offer.sdp).ufrag;
			return new WhepSession(
				{ member, viewer, router, identity, consumers: [...consumers.values()] },
				{
					room,
					transport,
					answer,
					clientUfrag,
					log,
				},
			);
		} catch (error) {
			viewer.close();
			router?.close();
			throw error;
		}
	}

	private constructor(
		parts: {
			member: Participant;
			viewer: Viewer;
			router: types.Router;
			identity: string | undefined;
			consumers: types.Consumer[];
		},
		session: SessionParts,
	) {
		super(session, 'WHEP', { memberId: parts.member.id, viewerId: parts.viewer.id });
		this.member = parts.member;
		this.viewer = parts.viewer;
		this.router = parts.router;
		this.identity = parts.identity;
		this.consumers = parts.consumers;
		this.member.observer.once('close', this.#onMemberClose);
		// Its worker died, or the server stops.
		this.router.observer.once('close', () => this.end('its router closed'));
		let open = this.consumers.length;
		for (const consumer of this.consumers) {
			consumer.observer.once('close', () => {
				if (--open === 0) this.end("the watched member's producers closed");
			});
		}
		this.transport.on('dtlsstatechange', (state) => {
			// mediasoup's consumers ask for a key frame themselves when their
			// transport connects; asking here too costs one PLI per video
			// consumer and makes the player's first frame independent of that.
			if (state !== 'connected') return;
			for (const consumer of this.consumers) {
				if (consumer.kind === 'video' && !consumer.closed) void consumer.requestKeyFrame().catch(() => {});
			}
		});
		this.log.info({ consumers: this.consumers.length }, 'WHEP session started');
	}

	protected release(): void {
		this.member.observer.off('close', this.#onMemberClose);
		this.viewer.close();
		this.router.close();
	}
}

/**
 * A consumer of the plan's producer on the session's transport, the
 * producer piped to the session's router from the room's router it lives
 * on (appData.producerId: the member's producer). Unpaused: WHEP has no step where the player accepts a consumer (as
 * newConsumer is for the app), and its receivers exist once it set the
 * answer, before DTLS is up; mediasoup sends nothing until then. `mid` is the
 * offer's. Of a simulcast producer it plays the highest layer (mediasoup's
 * default; named here), as far as the bandwidth estimate allows. 422 when
 * mediasoup finds the codec unusable after all.
 */
async function consume(
	room: Room,
	router: types.Router,
	transport: types.WebRtcTransport,
	plan: WhepAccepted,
): Promise<types.Consumer> {
	const origin = room.routers.originRouter(plan.producer.id);
	if (!origin) throw createHttpError(404, `the member's ${plan.kind} closed`);
	// On the same worker, the piped producer needs an id of its own.
	const { pipeProducer } = await origin.router.pipeToRouter({ producerId: plan.producer.id, router, keepId: false });
	if (!pipeProducer) throw new Error(`piping producer ${plan.producer.id} made no producer`);
	const layers = plan.producer.rtpParameters.encodings?.length ?? 1;
	try {
		return await transport.consume({
			producerId: pipeProducer.id,
			rtpCapabilities: playerCapabilities(plan, router.rtpCapabilities),
			mid: plan.section.mid,
			enableRtx: true,
			paused: false,
			ignoreDtx: true,
			...(layers > 1 ? { preferredLayers: { spatialLayer: layers - 1 } } : {}),
			// The member's producer (the consumer's own producerId is the piped one's).
			appData: { whep: true, producerId: plan.producer.id },
		});
	} catch (error) {
		if (error instanceof errors.UnsupportedError) {
			throw createHttpError(422, `mid ${plan.section.mid}: mediasoup cannot send it: ${error.message}`);
		}
		throw error;
	}
}
