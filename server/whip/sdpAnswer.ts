// The SDP answer to a WHIP offer: per offered m-section in offer order,
// either what the router takes of it (sdpOffer.ts's plan: the codec and its
// RTX with the offer's payload types, the header extensions and RTCP
// feedback both know, recvonly) or a rejected section, around the
// transport's lines (webrtcHttp/sdpAnswer.ts).
import type { types } from 'mediasoup';
import type { MediaDescription } from 'sdp-transform';
import { type AnsweredMedia, type AnswerSection, type AnswerTransport, writeAnswer } from '../webrtcHttp/sdpAnswer.ts';
import type { AcceptedSection, SectionPlan } from './sdpOffer.ts';

/**
 * `clientRole`: the role the offer took (what transport.connect() was given);
 * the answer takes the other one. `sessionId`: the o= line's, one per session.
 */
export function writeWhipAnswer(
	plans: SectionPlan[],
	transport: AnswerTransport,
	clientRole: types.DtlsRole,
	sessionId: string,
): string {
	return writeAnswer(
		plans.map(
			(plan): AnswerSection =>
				plan.accepted
					? { accepted: true, media: acceptedMedia(plan) }
					: { accepted: false, offered: plan.section.media },
		),
		transport,
		clientRole,
		sessionId,
	);
}

function acceptedMedia(plan: AcceptedSection): AnsweredMedia {
	const { media } = plan.section;
	const payloads = new Set(plan.payloads);
	const [codec] = plan.rtpParameters.codecs;
	return {
		type: media.type,
		protocol: media.protocol,
		payloads: plan.payloads.join(' '),
		mid: plan.section.mid,
		direction: 'recvonly',
		...(media.rtcpRsize ? { rtcpRsize: 'rtcp-rsize' } : {}),
		rtp: media.rtp.filter((rtp) => payloads.has(rtp.payload)),
		fmtp: media.fmtp.filter((fmtp) => payloads.has(fmtp.payload)),
		rtcpFb: (codec?.rtcpFeedback ?? []).map((fb) => ({
			payload: codec?.payloadType ?? 0,
			type: fb.type,
			...(fb.parameter ? { subtype: fb.parameter } : {}),
		})),
		ext: plan.rtpParameters.headerExtensions?.map((ext) => ({ value: ext.id, uri: ext.uri })) ?? [],
		...(media.simulcast ? simulcastAnswer(media) : {}),
	};
}

/** The offer's send rids, received: a=rid:<id> recv and a=simulcast:recv <list>. */
function simulcastAnswer(media: MediaDescription): Pick<AnsweredMedia, 'rids' | 'simulcast'> {
	const simulcast = media.simulcast;
	const list = simulcast?.dir1 === 'send' ? simulcast.list1 : simulcast?.list2;
	if (!list) return {};
	return {
		rids: (media.rids ?? [])
			.filter((rid) => rid.direction === 'send')
			.map((rid) => ({ id: rid.id, direction: 'recv' })),
		simulcast: { dir1: 'recv', list1: String(list) },
	};
}
