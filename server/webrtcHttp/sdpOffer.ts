// What WHIP (RFC 9725) and WHEP read the same way in a client's SDP offer,
// with sdp-transform: the ICE and DTLS parameters of its one bundled
// transport, its m-sections by mid, the checks every media section must pass
// (audio or video, DTLS-SRTP, rtcp-mux, in the BUNDLE group), and the
// choice of a codec among those the offer lists (in its order of
// preference) by the rules libwebrtc and mediasoup match codecs with. What
// each protocol does with a section (a producer of what the client sends,
// or a consumer of what it wants) is whip/sdpOffer.ts's and whep/sdpOffer.ts's.
// Nothing here touches mediasoup: a bad offer is refused (400, or 422) before
// anything is created.
import type { types } from 'mediasoup';
import {
	type MediaAttributes,
	type MediaDescription,
	parse,
	parseParams,
	type SessionDescription,
} from 'sdp-transform';
import { createHttpError } from '../errors.ts';

export type MediaKind = 'audio' | 'video';

export interface SdpOffer {
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

export type OfferedRtp = MediaAttributes['rtp'][number];

/** A codec as mediasoup describes one: a router's capability or a producer's parameters. */
export interface KnownCodec {
	mimeType: string;
	clockRate: number;
	channels?: number | undefined;
	parameters?: Record<string, unknown> | undefined;
}

/** Codecs that repair or protect another one: never the media codec of a stream. */
export const REPAIR_CODECS = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/** Reads an offer; 400 naming what is wrong with it. */
export function parseOffer(text: string): SdpOffer {
	if (!/^v=0\r?\n/.test(text)) throw badOffer('body is not an SDP offer: it must start with "v=0"');
	let sdp: SessionDescription;
	try {
		sdp = parse(text);
	} catch (error) {
		throw badOffer(`SDP does not parse: ${(error as Error).message}`);
	}
	if (sdp.media.length === 0) throw badOffer('SDP offer has no m-section: no media to send or receive');
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
 * The media kind of a section both protocols can use, or why not: audio or
 * video, not disabled, DTLS-SRTP, RTP and RTCP on one port. `refused` are
 * the directions the protocol cannot use (a WHIP endpoint only receives, a
 * WHEP endpoint only sends).
 */
export function mediaKindOf(
	section: OfferedSection,
	refused: readonly string[],
): { kind: MediaKind; reason?: never } | { kind?: never; reason: string } {
	const { media } = section;
	if (media.type !== 'audio' && media.type !== 'video') return { reason: `${media.type} is not audio or video` };
	if (media.port === 0) return { reason: 'the offer disabled it (port 0)' };
	if (!/SAVPF?$/.test(media.protocol)) return { reason: `protocol ${media.protocol} is not DTLS-SRTP` };
	const direction = media.direction ?? 'sendrecv';
	if (refused.includes(direction)) return { reason: `it is ${direction}` };
	if (media.rtcpMux === undefined) return { reason: 'no a=rtcp-mux (RTP and RTCP must share the one port)' };
	return { kind: media.type };
}

/** A section the answer does not take (port 0), and why. */
export interface RejectedSection {
	accepted: false;
	section: OfferedSection;
	/** Why, for the log and the 422 when nothing is accepted. */
	reason: string;
}

/**
 * The checks of a protocol's plan of the offer's sections: 422 naming why
 * each was refused when none is taken (`what` the server would do with one:
 * "received", "played"), 400 unless the taken ones are all in the offer's
 * BUNDLE group (one transport carries them all, RFC 9725).
 */
export function checkPlans(
	offer: SdpOffer,
	plans: readonly ({ accepted: true; section: OfferedSection } | RejectedSection)[],
	what: string,
): void {
	const accepted = plans.filter((plan) => plan.accepted).map((plan) => plan.section.mid);
	if (accepted.length === 0) {
		const reasons = plans.map((plan) => `mid ${plan.section.mid}: ${plan.accepted ? '' : plan.reason}`);
		throw createHttpError(422, `no m-section of the offer can be ${what}: ${reasons.join('; ')}`);
	}
	if (accepted.length === 1) return;
	const bundle = (offer.sdp.groups ?? []).find((group) => group.type === 'BUNDLE');
	const bundled = new Set(bundle ? String(bundle.mids).split(' ') : []);
	const outside = accepted.filter((mid) => !bundled.has(mid));
	if (outside.length > 0) {
		throw badOffer(
			`m-sections ${outside.join(', ')} are not in the a=group:BUNDLE: everything goes on one transport (RFC 9725)`,
		);
	}
}

/** The offer's first media codec (m= line order: the client's preference) that one of `known` matches. */
export function chooseCodec<T extends KnownCodec>(
	media: MediaDescription,
	kind: MediaKind,
	known: readonly T[],
): { offered: OfferedRtp; codec: T } | undefined {
	const order = String(media.payloads ?? '')
		.split(' ')
		.map(Number);
	const offeredCodecs = [...media.rtp]
		.filter((rtp) => !REPAIR_CODECS.has(rtp.codec.toLowerCase()))
		.sort((a, b) => rank(order, a.payload) - rank(order, b.payload));
	for (const offered of offeredCodecs) {
		const parameters = fmtpOf(media, offered.payload);
		const codec = known.find((candidate) => sameCodec(candidate, kind, offered, parameters));
		if (codec) return { offered, codec };
	}
	return undefined;
}

function rank(order: number[], payload: number): number {
	const index = order.indexOf(payload);
	return index === -1 ? order.length : index;
}

function sameCodec(
	codec: KnownCodec,
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

/** The offer's RTX payload for a media payload (a=fmtp:<rtx> apt=<payload>). */
export function rtxOf(media: MediaDescription, payload: number): OfferedRtp | undefined {
	return media.rtp.find((rtp) => rtp.codec.toLowerCase() === 'rtx' && fmtpOf(media, rtp.payload).apt === payload);
}

/** The offered media codecs, for a refusal: "opus/48000/2, VP8/90000". */
export function offeredCodecNames(media: MediaDescription): string {
	const names = media.rtp
		.filter((rtp) => !REPAIR_CODECS.has(rtp.codec.toLowerCase()))
		.map((rtp) => `${rtp.codec}/${rtp.rate ?? '?'}${rtp.encoding ? `/${rtp.encoding}` : ''}`);
	return names.join(', ') || 'none';
}

export function fmtpOf(media: MediaDescription, payload: number): Record<string, string | number> {
	const line = media.fmtp.find((fmtp) => fmtp.payload === payload);
	return line ? (parseParams(String(line.config)) as Record<string, string | number>) : {};
}

export function feedbackOf(media: MediaDescription, payload: number): types.RtcpFeedback[] {
	return (media.rtcpFb ?? [])
		.filter((fb) => fb.payload === '*' || Number(fb.payload) === payload)
		.map((fb) => ({ type: fb.type, ...(fb.subtype ? { parameter: fb.subtype } : {}) }));
}

export function badOffer(reason: string): Error {
	return createHttpError(400, reason);
}
