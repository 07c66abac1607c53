// A WHIP client's SDP offer (RFC 9725): per m-section what the router can
// take of it (webrtcHttp/sdpOffer.ts reads the offer and its transport): one
// media codec (the first the offer prefers that the router has) with its
// RTX, the header extensions and RTCP feedback both sides know, and the
// encodings (an SSRC with its RTX SSRC from a=ssrc-group:FID, SSRCs of
// a=ssrc-group:SIM, or the rids of a=simulcast). What comes out is exactly
// what mediasoup's transport.produce() takes, and what sdpAnswer.ts writes
// back. Nothing here touches mediasoup: a bad offer is refused (400, or 422
// when no codec fits) before anything is created.
import type { types } from 'mediasoup';
import type { MediaDescription } from 'sdp-transform';
import {
	checkPlans,
	chooseCodec,
	feedbackOf,
	fmtpOf,
	type MediaKind,
	mediaKindOf,
	type OfferedSection,
	offeredCodecNames,
	type RejectedSection,
	rtxOf,
	type SdpOffer,
} from '../webrtcHttp/sdpOffer.ts';

/** What the answer does with one m-section: takes it (and a producer is made of it), or rejects it (port 0). */
export type SectionPlan = AcceptedSection | RejectedSection;

export interface AcceptedSection {
	accepted: true;
	section: OfferedSection;
	kind: MediaKind;
	rtpParameters: types.RtpParameters;
	/** The offer's rtpmap/fmtp/rtcp-fb lines of the chosen codec and its RTX, for the answer. */
	payloads: number[];
}

/**
 * What the router can take of each m-section. 400 when the accepted
 * sections are not all in one BUNDLE group (WHIP has one transport), 422
 * when no section has a codec the router has.
 */
export function planSections(offer: SdpOffer, capabilities: types.RtpCapabilities): SectionPlan[] {
	const plans = offer.sections.map((section) => planSection(section, capabilities));
	checkPlans(offer, plans, 'received');
	return plans;
}

function planSection(section: OfferedSection, capabilities: types.RtpCapabilities): SectionPlan {
	const { media } = section;
	const reject = (reason: string): RejectedSection => ({ accepted: false, section, reason });
	// A WHIP endpoint only receives.
	const { kind, reason } = mediaKindOf(section, ['recvonly', 'inactive']);
	if (!kind) return reject(reason);

	const routerCodecs = (capabilities.codecs ?? []).filter((codec) => codec.kind === kind);
	const choice = chooseCodec(media, kind, routerCodecs);
	if (!choice) return reject(`no codec the server has (offered ${offeredCodecNames(media)})`);
	const { offered, codec: supported } = choice;
	const rtxCapability = routerCodecs.find((codec) => codec.mimeType.toLowerCase() === `${kind}/rtx`);
	const rtx = rtxCapability ? rtxOf(media, offered.payload) : undefined;

	const rtcpFeedback = feedbackOf(media, offered.payload).filter((fb) =>
		(supported.rtcpFeedback ?? []).some(
			(known) => known.type === fb.type && (known.parameter ?? '') === (fb.parameter ?? ''),
		),
	);
	const codecs: types.RtpCodecParameters[] = [
		{
			mimeType: `${kind}/${offered.codec}`,
			payloadType: offered.payload,
			clockRate: offered.rate ?? supported.clockRate,
			...(kind === 'audio' ? { channels: offered.encoding ?? 1 } : {}),
			parameters: fmtpOf(media, offered.payload),
			rtcpFeedback,
		},
	];
	if (rtx) {
		codecs.push({
			mimeType: `${kind}/rtx`,
			payloadType: rtx.payload,
			clockRate: rtx.rate ?? supported.clockRate,
			parameters: { apt: offered.payload },
			rtcpFeedback: [],
		});
	}
	const headerExtensions = (media.ext ?? [])
		.filter((ext) =>
			(capabilities.headerExtensions ?? []).some(
				(known) =>
					known.kind === kind &&
					known.uri === ext.uri &&
					(known.direction === undefined || known.direction === 'sendrecv' || known.direction === 'recvonly'),
			),
		)
		.map((ext) => ({ uri: ext.uri as types.RtpHeaderExtensionUri, id: ext.value }));
	const encodings = encodingsOf(media, rtx !== undefined);
	if (typeof encodings === 'string') return reject(encodings);
	const cname = media.ssrcs?.find((line) => line.attribute === 'cname')?.value;
	return {
		accepted: true,
		section,
		kind,
		payloads: rtx ? [offered.payload, rtx.payload] : [offered.payload],
		rtpParameters: {
			mid: section.mid,
			codecs,
			headerExtensions,
			encodings,
			rtcp: { ...(cname ? { cname } : {}), reducedSize: media.rtcpRsize !== undefined },
		},
	};
}

/**
 * The streams the section sends: rids of a=simulcast (send direction, first
 * of each alternative, `~` paused ones too), else the SSRCs of an
 * a=ssrc-group:SIM, else the one SSRC of the section; each SSRC with the
 * RTX SSRC its a=ssrc-group:FID pairs it with. A string says why none.
 */
function encodingsOf(media: MediaDescription, withRtx: boolean): types.RtpEncodingParameters[] | string {
	const simulcast = media.simulcast;
	if (simulcast) {
		const list = simulcast.dir1 === 'send' ? simulcast.list1 : simulcast.dir2 === 'send' ? simulcast.list2 : undefined;
		if (!list) return 'a=simulcast has no send list';
		const rids = String(list)
			.split(';')
			.map((alternatives) => (alternatives.split(',')[0] ?? '').replace(/^~/, ''));
		const known = new Set((media.rids ?? []).filter((rid) => rid.direction === 'send').map((rid) => String(rid.id)));
		const unknown = rids.filter((rid) => !known.has(rid));
		if (unknown.length > 0) return `a=simulcast names rids without a=rid:<id> send: ${unknown.join(', ')}`;
		return rids.map((rid) => ({ rid }));
	}
	const groups = media.ssrcGroups ?? [];
	const fid = new Map<number, number>();
	for (const group of groups.filter((g) => g.semantics === 'FID')) {
		const [primary, repair] = String(group.ssrcs).split(' ').map(Number);
		if (primary !== undefined && repair !== undefined) fid.set(primary, repair);
	}
	const withRepair = (ssrc: number): types.RtpEncodingParameters => {
		const repair = fid.get(ssrc);
		return withRtx && repair !== undefined ? { ssrc, rtx: { ssrc: repair } } : { ssrc };
	};
	const sim = groups.find((group) => group.semantics === 'SIM');
	if (sim)
		return String(sim.ssrcs)
			.split(' ')
			.map((ssrc) => withRepair(Number(ssrc)));
	const repairs = new Set(fid.values());
	const primary = (media.ssrcs ?? []).map((line) => line.id).find((ssrc) => !repairs.has(Number(ssrc)));
	if (primary === undefined) return 'no a=ssrc and no a=simulcast: the server cannot tell its stream';
	return [withRepair(Number(primary))];
}
