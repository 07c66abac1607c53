// One WHIP ingest (RFC 9725): a member of the room like a REST broadcaster
// (peers get newPeer, consume its producers, the recorder records them,
// peerClosed when it goes), owning one WebRtcTransport on the room's
// WebRtcServer and a producer per accepted m-section of the offer. It ends on
// DELETE, when the room closes, and when its transport fails or its ICE
// times out (webrtcHttp/WebRtcHttpSession.ts). Closing it closes its member,
// which closes the transport and so the producers.
import type { Logger } from 'pino';
import { createHttpError } from '../errors.ts';
import { Broadcaster } from '../room/Broadcaster.ts';
import type { Room } from '../room/Room.ts';
import { connectWebRtcTransportOnce } from '../room/transports.ts';
import { iceCredentialsOf, parseOffer } from '../webrtcHttp/sdpOffer.ts';
import { type SessionParts, WebRtcHttpSession } from '../webrtcHttp/WebRtcHttpSession.ts';
import { writeWhipAnswer } from './sdpAnswer.ts';
import { type AcceptedSection, planSections } from './sdpOffer.ts';

export interface WhipStart {
	room: Room;
	memberId: string;
	displayName: string;
	offer: string;
	log: Logger;
}

export class WhipSession extends WebRtcHttpSession {
	readonly member: Broadcaster;

	/**
	 * Reads the offer, joins the room, makes the transport and producers and
	 * the answer. A bad offer (400, 422) is refused before anything is made;
	 * a failure after that closes what was made.
	 */
	static async start({ room, memberId, displayName, offer: text, log }: WhipStart): Promise<WhipSession> {
		const offer = parseOffer(text);
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
			return new WhipSession(member, { room, transport, answer, clientUfrag: iceCredentialsOf(offer.sdp).ufrag, log });
		} catch (error) {
			member.close();
			throw error;
		}
	}

	private constructor(member: Broadcaster, parts: SessionParts) {
		super(parts, 'WHIP', { memberId: member.id });
		this.member = member;
		this.member.observer.once('close', () => this.close());
		this.log.info({ producers: this.member.producers.size }, 'WHIP session started');
	}

	protected release(): void {
		this.member.close();
	}
}
