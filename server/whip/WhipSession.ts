// One WHIP ingest (RFC 9725): a member of the room like a REST broadcaster
// (peers get newPeer, consume its producers, the recorder records them,
// peerClosed when it goes), owning one WebRtcTransport on the room's
// WebRtcServer and a producer per accepted m-section of the offer. It ends on
// DELETE, when its transport fails (DTLS failed or closed), when ICE does not
// connect within config.whip.iceTimeoutMs of the offer or stays disconnected
// that long (a client that went away without DELETE; it can restart ICE with
// a PATCH meanwhile), and when the room closes. Closing
// it closes its member, which closes the transport and so the producers.
import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import { createHttpError } from '../errors.ts';
import { Broadcaster } from '../room/Broadcaster.ts';
import type { Room } from '../room/Room.ts';
import { connectWebRtcTransportOnce } from '../room/transports.ts';
import { writeWhipAnswer } from './sdpAnswer.ts';
import { type AcceptedSection, iceCredentialsOf, parseWhipOffer, planSections } from './sdpOffer.ts';

export interface WhipStart {
	room: Room;
	memberId: string;
	displayName: string;
	offer: string;
	log: Logger;
}

export class WhipSession extends Closable {
	/** The resource id in the session's URL: unguessable, as it is all a client needs besides its token. */
	readonly id = randomBytes(16).toString('hex');
	readonly room: Room;
	readonly member: Broadcaster;
	readonly transport: types.WebRtcTransport;
	/** The SDP answer of the POST. */
	readonly answer: string;
	readonly #log: Logger;
	/** The ICE username fragment of the client's current ICE session (a new one means an ICE restart). */
	#clientUfrag: string;
	#etag = newEtag();
	#iceTimer: NodeJS.Timeout | undefined;

	/**
	 * Reads the offer, joins the room, makes the transport and producers and
	 * the answer. A bad offer (400, 422) is refused before anything is made;
	 * a failure after that closes what was made.
	 */
	static async start({ room, memberId, displayName, offer: text, log }: WhipStart): Promise<WhipSession> {
		const offer = parseWhipOffer(text);
		const plans = planSections(offer, room.router.rtpCapabilities);
		const accepted = plans.filter((plan): plan is AcceptedSection => plan.accepted);
		const { producersPerPeer } = room.config.limits;
		if (accepted.length > producersPerPeer) {
			throw createHttpError(403, `too many media sections: limits.producersPerPeer is ${producersPerPeer}`);
		}
		const member = new Broadcaster(memberId, {
			displayName,
			device: { flag: 'whip', name: 'WHIP' },
			rtpCapabilities: undefined,
			sctpCapabilities: undefined,
		});
		room.addBroadcaster(member);
		try {
			const transport = await room.createWebRtcTransport(member, {
				forceTcp: false,
				producing: true,
				consuming: false,
				sctpCapabilities: undefined,
			});
			await connectWebRtcTransportOnce(transport, offer.dtlsParameters);
			for (const plan of accepted) {
				const producer = await transport.produce({
					kind: plan.kind,
					rtpParameters: plan.rtpParameters,
					appData: { peerId: member.id, whip: true },
				});
				room.addProducer(member, producer);
			}
			const answer = writeWhipAnswer(plans, transport, offer.dtlsParameters.role ?? 'client', String(Date.now()));
			return new WhipSession({ room, member, transport, answer, clientUfrag: iceCredentialsOf(offer.sdp).ufrag, log });
		} catch (error) {
			member.close();
			throw error;
		}
	}

	private constructor(parts: {
		room: Room;
		member: Broadcaster;
		transport: types.WebRtcTransport;
		answer: string;
		clientUfrag: string;
		log: Logger;
	}) {
		super();
		this.room = parts.room;
		this.member = parts.member;
		this.transport = parts.transport;
		this.answer = parts.answer;
		this.#clientUfrag = parts.clientUfrag;
		this.#log = parts.log.child({ roomId: this.room.id, memberId: this.member.id, whipSession: this.id });
		this.member.observer.once('close', () => this.close());
		this.transport.observer.once('close', () => this.close());
		this.transport.on('dtlsstatechange', (state) => {
			if (state === 'failed' || state === 'closed') this.#end(`DTLS ${state}`);
		});
		this.transport.on('icestatechange', (state) => {
			if (state === 'connected' || state === 'completed') this.#clearIceTimer();
			if (state === 'disconnected') this.#startIceTimer('ICE disconnected');
		});
		this.#startIceTimer('ICE did not connect');
		this.#log.info({ producers: this.member.producers.size }, 'WHIP session started');
	}

	/** The entity tag of the current ICE session (If-Match of a PATCH). */
	get etag(): string {
		return this.#etag;
	}

	/**
	 * A PATCH's ICE username fragment: a new one is an ICE restart, which
	 * gives the transport new ICE parameters (answered to the client); the
	 * same one (or none) is trickle, and mediasoup, ICE-lite, needs no remote
	 * candidates: the client's checks tell it where the client is.
	 */
	async patchIce(clientUfrag: string | undefined): Promise<types.IceParameters | undefined> {
		if (clientUfrag === undefined || clientUfrag === this.#clientUfrag) return undefined;
		const iceParameters = await this.transport.restartIce();
		this.#clientUfrag = clientUfrag;
		this.#etag = newEtag();
		this.#startIceTimer('ICE did not connect after a restart');
		this.#log.info('WHIP session restarted ICE');
		return iceParameters;
	}

	#startIceTimer(why: string): void {
		this.#clearIceTimer();
		const timeoutMs = this.room.config.whip.iceTimeoutMs;
		this.#iceTimer = setTimeout(() => this.#end(`${why} within ${timeoutMs} ms`), timeoutMs);
		this.#iceTimer.unref();
	}

	#clearIceTimer(): void {
		if (this.#iceTimer) clearTimeout(this.#iceTimer);
		this.#iceTimer = undefined;
	}

	#end(why: string): void {
		if (this.closed) return;
		this.#log.warn({ why }, 'WHIP session ends');
		this.close();
	}

	protected closing(): void {
		this.#clearIceTimer();
		this.member.close();
		this.#log.info('WHIP session closed');
	}
}

function newEtag(): string {
	return `"${randomBytes(8).toString('hex')}"`;
}
