// The SDP answer to a WHEP offer: per offered m-section in offer order,
// either what its consumer sends (sendonly; the codec, its RTX if any, the
// header extensions and RTCP feedback as the consumer's RTP parameters have
// them, numbered as the offer by the session's router, sdpOffer.ts; its
// SSRCs with their CNAME; one a=msid stream for the session, so that the
// player's ontrack gets both tracks in one MediaStream) or a rejected
// section, around the transport's lines (webrtcHttp/sdpAnswer.ts).
import type { types } from 'mediasoup';
import type { MediaDescription } from 'sdp-transform';
import { type AnsweredMedia, type AnswerSection, type AnswerTransport, writeAnswer } from '../webrtcHttp/sdpAnswer.ts';
import type { WhepPlan } from './sdpOffer.ts';

/**
 * `consumers`: the consumer of each accepted section, by mid. `streamId`:
 * the a=msid stream id of the session's tracks.
 */
export function writeWhepAnswer(
	plans: WhepPlan[],
	consumers: ReadonlyMap<string, types.Consumer>,
	answer: { transport: AnswerTransport; clientRole: types.DtlsRole; sessionId: string; streamId: string },
): string {
	return writeAnswer(
		plans.map((plan): AnswerSection => {
			const consumer = plan.accepted ? consumers.get(plan.section.mid) : undefined;
			return consumer
				? { accepted: true, media: sentMedia(plan.section.media, consumer, answer.streamId) }
				: { accepted: false, offered: plan.section.media };
		}),
		answer.transport,
		answer.clientRole,
		answer.sessionId,
	);
}

function sentMedia(offered: MediaDescription, consumer: types.Consumer, streamId: string): AnsweredMedia {
	const { codecs, headerExtensions, encodings, rtcp } = consumer.rtpParameters;
	const [codec] = codecs;
	const msid = `${streamId} ${consumer.id}`;
	const ssrc = encodings?.[0]?.ssrc;
	const rtxSsrc = encodings?.[0]?.rtx?.ssrc;
	const ssrcLines = (id: number) => [
		...(rtcp?.cname ? [{ id, attribute: 'cname', value: rtcp.cname }] : []),
		{ id, attribute: 'msid', value: msid },
	];
	return {
		type: offered.type,
		protocol: offered.protocol,
		payloads: codecs.map((c) => c.payloadType).join(' '),
		mid: String(offered.mid),
		direction: 'sendonly',
		...(offered.rtcpRsize ? { rtcpRsize: 'rtcp-rsize' } : {}),
		rtp: codecs.map((c) => ({
			payload: c.payloadType,
			codec: c.mimeType.split('/')[1] ?? c.mimeType,
			rate: c.clockRate,
			...((c.channels ?? 1) > 1 ? { encoding: c.channels } : {}),
		})),
		fmtp: codecs
			.filter((c) => Object.keys(c.parameters ?? {}).length > 0)
			.map((c) => ({
				payload: c.payloadType,
				config: Object.entries(c.parameters ?? {})
					.map(([name, value]) => `${name}=${String(value)}`)
					.join(';'),
			})),
		rtcpFb: (codec?.rtcpFeedback ?? []).map((fb) => ({
			payload: codec?.payloadType ?? 0,
			type: fb.type,
			...(fb.parameter ? { subtype: fb.parameter } : {}),
		})),
		ext: (headerExtensions ?? []).map((ext) => ({ value: ext.id, uri: ext.uri })),
		msid: [{ id: streamId, appdata: consumer.id }],
		ssrcs: ssrc === undefined ? [] : [...ssrcLines(ssrc), ...(rtxSsrc === undefined ? [] : ssrcLines(rtxSsrc))],
		...(ssrc !== undefined && rtxSsrc !== undefined
			? { ssrcGroups: [{ semantics: 'FID', ssrcs: `${ssrc} ${rtxSsrc}` }] }
			: {}),
	};
}
