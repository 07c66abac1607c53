// A WHIP client's SDP offer (RFC 9725), read with sdp-transform:
// the ICE and DTLS parameters of its one bundled transport, and per m-section
// what the router can take of it: one media codec (the first the offer
// prefers that the router has) with its RTX, the header extensions and RTCP
// feedback both sides know, and the encodings (an SSRC with its RTX SSRC from
// a=ssrc-group:FID, SSRCs of a=ssrc-group:SIM, or the rids of a=simulcast).
// What comes out is exactly what mediasoup's transport.produce() takes, and
// what sdpAnswer.ts writes back. Nothing here touches mediasoup: a bad offer
// is refused (400, or 422 when no codec fits) before anything is created.
import type { types } from 'mediasoup';
import {
	type MediaAttributes,
	type MediaDescription,
	parse,
	parseParams,
	type SessionDescription,
} from 'sdp-transform';
import { createHttpError } from '../errors.ts';

type MediaKind = 'audio' | 'video';

export interface WhipOffer {
	sdp: SessionDescription;
	/** The client's DTLS role and fingerprint, as transport.connect() takes them. */
	dtlsParameters: types.DtlsParameters;
	/** Every m-section in offer order (the answer has one per offered one, same order). */
	sections: OfferedSection[];
}

export interface OfferedSection {
	mid: string;
	/** The m= line's media type ("audio", "video", "application", ...). */
	type: string;
	media: MediaDescription;
}

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

export interface RejectedSection {
	accepted: false;
	section: OfferedSection;
	/** Why, for the log and the 422 when nothing is accepted. */
	reason: string;
}

/** Codecs that repair or protect another one: never the media codec of a producer. */
const REPAIR_CODECS = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/** Reads an offer; 400 naming what is wrong with it. */
export function parseWhipOffer(text: string): WhipOffer {
	if (!/^v=0\r?\n/.test(text)) throw badOffer('body is not an SDP offer: it must start with "v=0"');
	let sdp: SessionDescription;
	try {
		sdp = parse(text);
	} catch (error) {
		throw badOffer(`SDP does not parse: ${(error as Error).message}`);
	}
	if (sdp.media.length === 0) throw badOffer('SDP offer has no m-section: nothing to ingest');
	const sections = sdp.media.map((media, index) => {
		if (media.mid === undefined || String(media.mid) === '') {
			throw badOffer(`m-section ${index} (${media.type}) has no a=mid`);
		}
		return { mid: String(media.mid), type: media.type, media: { ...media, mid: String(media.mid) } };
	});
	const mids = sections.map((section) => section.mid);
	const duplicate = mids.find((mid, index) => mids.indexOf(mid) !== index);
	if (duplicate !== undefined) throw badOffer(`a=mid:${duplicate} is given to two m-sections`);
	return { sdp, dtlsParameters: dtlsParametersOf(sdp), sections };
}

/** The client's ICE username fragment and password (session level or the first m-section's). */
export function iceCredentialsOf(sdp: SessionDescription): { ufrag: string; pwd: string } {
	const first = sdp.media[0];
	// sdp-transform makes numbers of values that look like numbers.
	const ufrag = sdp.iceUfrag ?? first?.iceUfrag;
	const pwd = sdp.icePwd ?? first?.icePwd;
	if (ufrag === undefined || pwd === undefined) throw badOffer('SDP offer has no a=ice-ufrag and a=ice-pwd');
	return { ufrag: String(ufrag), pwd: String(pwd) };
}

function dtlsParametersOf(sdp: SessionDescription): types.DtlsParameters {
	iceCredentialsOf(sdp);
	const first = sdp.media[0];
	const fingerprint = sdp.fingerprint ?? first?.fingerprint;
	if (!fingerprint) throw badOffer('SDP offer has no a=fingerprint: DTLS-SRTP needs it');
	const algorithm = fingerprint.type.toLowerCase();
	if (!FINGERPRINT_ALGORITHMS.has(algorithm)) {
		throw badOffer(
			`a=fingerprint algorithm "${fingerprint.type}" is not one of ${[...FINGERPRINT_ALGORITHMS].join(', ')}`,
		);
	}
	const setup = (first?.setup ?? sdp.setup ?? 'actpass').toLowerCase();
	// The answer takes the other role: passive (DTLS server) to an actpass or
	// active offer, active to a passive one. mediasoup wants the client's role.
	const roles: Record<string, types.DtlsRole> = { actpass: 'client', active: 'client', passive: 'server' };
	const role = roles[setup];
	if (!role) throw badOffer(`a=setup:${setup} is not actpass, active or passive`);
	return { role, fingerprints: [{ algorithm: algorithm as types.FingerprintAlgorithm, value: fingerprint.hash }] };
}

const FINGERPRINT_ALGORITHMS = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);

/**
 * What the router can take of each m-section. 400 when the accepted
 * sections are not all in one BUNDLE group (WHIP has one transport), 422
 * when no section has a codec the router has.
 */
export function planSections(offer: WhipOffer, capabilities: types.RtpCapabilities): SectionPlan[] {
	const plans = offer.sections.map((section) => planSection(section, capabilities));
	const accepted = plans.filter((plan): plan is AcceptedSection => plan.accepted);
	if (accepted.length === 0) {
		throw createHttpError(
			422,
			`no m-section of the offer can be received: ${plans.map((plan) => `mid ${plan.section.mid}: ${plan.accepted ? '' : plan.reason}`).join('; ')}`,
		);
	}
	if (accepted.length > 1) {
		const bundle = (offer.sdp.groups ?? []).find((group) => group.type === 'BUNDLE');
		const bundled = new Set(bundle ? String(bundle.mids).split(' ') : []);
		const outside = accepted.filter((plan) => !bundled.has(plan.section.mid));
		if (outside.length > 0) {
			throw badOffer(
				`m-sections ${outside.map((plan) => plan.section.mid).join(', ')} are not in the a=group:BUNDLE: WHIP sends everything on one transport (RFC 9725)`,
			);
		}
	}
	return plans;
}

function planSection(section: OfferedSection, capabilities: types.RtpCapabilities): SectionPlan {
	const { media } = section;
	const reject = (reason: string): RejectedSection => ({ accepted: false, section, reason });
	if (media.type !== 'audio' && media.type !== 'video') return reject(`${media.type} is not audio or video`);
	const kind: MediaKind = media.type;
	if (media.port === 0) return reject('the offer disabled it (port 0)');
	if (!/SAVPF?$/.test(media.protocol)) return reject(`protocol ${media.protocol} is not DTLS-SRTP`);
	if (media.direction === 'recvonly' || media.direction === 'inactive') return reject(`it is ${media.direction}`);
	if (media.rtcpMux === undefined) return reject('no a=rtcp-mux (WHIP needs RTP and RTCP on one port)');

	const choice = chooseCodec(media, kind, capabilities);
	if (!choice) {
		const offered = media.rtp.filter((rtp) => !REPAIR_CODECS.has(rtp.codec.toLowerCase())).map(rtpName);
		return reject(`no codec the server has (offered ${offered.join(', ') || 'none'})`);
	}
	const { offered, supported } = choice;
	const rtxCapability = capabilities.codecs?.find(
		(codec) => codec.kind === kind && codec.mimeType.toLowerCase() === `${kind}/rtx`,
	);
	const rtx = rtxCapability
		? media.rtp.find((rtp) => rtp.codec.toLowerCase() === 'rtx' && fmtpOf(media, rtp.payload).apt === offered.payload)
		: undefined;

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

type OfferedRtp = MediaAttributes['rtp'][number];

/** The offer's first media codec (m= line order: the client's preference) that the router has. */
function chooseCodec(
	media: MediaDescription,
	kind: MediaKind,
	capabilities: types.RtpCapabilities,
): { offered: OfferedRtp; supported: types.RtpCodecCapability } | undefined {
	const order = String(media.payloads ?? '')
		.split(' ')
		.map(Number);
	const offeredCodecs = [...media.rtp]
		.filter((rtp) => !REPAIR_CODECS.has(rtp.codec.toLowerCase()))
		.sort((a, b) => rank(order, a.payload) - rank(order, b.payload));
	for (const offered of offeredCodecs) {
		const parameters = fmtpOf(media, offered.payload);
		const supported = (capabilities.codecs ?? []).find(
			(codec) => codec.kind === kind && sameCodec(codec, kind, offered, parameters),
		);
		if (supported) return { offered, supported };
	}
	return undefined;
}

function rank(order: number[], payload: number): number {
	const index = order.indexOf(payload);
	return index === -1 ? order.length : index;
}

function sameCodec(
	codec: types.RtpCodecCapability,
	kind: MediaKind,
	offered: OfferedRtp,
	parameters: Record<string, string | number>,
): boolean {
	if (codec.mimeType.toLowerCase() !== `${kind}/${offered.codec.toLowerCase()}`) return false;
	if (codec.clockRate !== offered.rate) return false;
	if (kind === 'audio' && (codec.channels ?? 1) !== (offered.encoding ?? 1)) return false;
	const known = codec.parameters ?? {};
	switch (offered.codec.toLowerCase()) {
		case 'h264':
			return (
				Number(known['packetization-mode'] ?? 0) === Number(parameters['packetization-mode'] ?? 0) &&
				h264Profile(String(known['profile-level-id'] ?? '42001f')) ===
					h264Profile(String(parameters['profile-level-id'] ?? '42001f'))
			);
		case 'vp9':
			return Number(known['profile-id'] ?? 0) === Number(parameters['profile-id'] ?? 0);
		default:
			return true;
	}
}

/**
 * The H.264 profile a profile-level-id names (RFC 6184: profile_idc and the
 * constraint flags of profile-iop, as libwebrtc tells them apart; the level
 * does not matter, the answer keeps the offer's). Constrained Baseline is
 * Baseline with constraint_set1 (0x40), Main with constraint_set0 (0x80), or
 * Extended with both; Constrained High is High with constraint_set4 and 5.
 */
export function h264Profile(profileLevelId: string): string {
	if (!/^[0-9a-f]{6}$/i.test(profileLevelId)) return `unknown ${profileLevelId}`;
	const idc = Number.parseInt(profileLevelId.slice(0, 2), 16);
	const iop = Number.parseInt(profileLevelId.slice(2, 4), 16);
	switch (idc) {
		case 0x42:
			return iop & 0x40 ? 'constrained-baseline' : 'baseline';
		case 0x4d:
			return iop & 0x80 ? 'constrained-baseline' : 'main';
		case 0x58:
			return (iop & 0xc0) === 0xc0 ? 'constrained-baseline' : 'extended';
		case 0x64:
			return (iop & 0x0c) === 0x0c ? 'constrained-high' : 'high';
		default:
			return `idc ${idc}`;
	}
}

function rtpName(rtp: OfferedRtp): string {
	return `${rtp.codec}/${rtp.rate ?? '?'}${rtp.encoding ? `/${rtp.encoding}` : ''}`;
}

function fmtpOf(media: MediaDescription, payload: number): Record<string, string | number> {
	const line = media.fmtp.find((fmtp) => fmtp.payload === payload);
	return line ? (parseParams(String(line.config)) as Record<string, string | number>) : {};
}

function feedbackOf(media: MediaDescription, payload: number): types.RtcpFeedback[] {
	return (media.rtcpFb ?? [])
		.filter((fb) => fb.payload === '*' || Number(fb.payload) === payload)
		.map((fb) => ({ type: fb.type, ...(fb.subtype ? { parameter: fb.subtype } : {}) }));
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

function badOffer(reason: string): Error {
	return createHttpError(400, reason);
}
