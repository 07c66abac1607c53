// A WHEP player's SDP offer: per m-section (recvonly, as players offer, or
// sendrecv), which producer of the watched member it gets, and how to send
// it as the player expects. mediasoup numbers what a consumer sends after
// its router (payload types) and its own header extension ids, whatever the
// receiver offered; mediasoup-client adapts to that, a WHEP player cannot
// (it offers, and receives with the numbers it offered). So a session gets a
// router of its own (viewerRouterCodecs: the producers' codecs with the
// payload types of the offer) that the producers are piped to, and consumes
// there with the player's capabilities (playerCapabilities: the codec, its
// RTX when the router numbers it as the offer does, the offer's header
// extensions whose ids are mediasoup's). Sections are given producers in
// offer order, each kind's camera (or microphone) before its screen share.
// Nothing here touches mediasoup: an offer no producer fits is refused (422)
// before anything is created.
import type { types } from 'mediasoup';
import { producerSource } from '../../protocol/access.ts';
import {
	checkPlans,
	chooseCodec,
	feedbackOf,
	fmtpOf,
	type MediaKind,
	mediaKindOf,
	type OfferedSection,
	offeredCodecNames,
	REPAIR_CODECS,
	type RejectedSection,
	rtxOf,
	type SdpOffer,
} from '../webrtcHttp/sdpOffer.ts';

export type WhepPlan = WhepAccepted | RejectedSection;

export interface WhepAccepted {
	accepted: true;
	section: OfferedSection;
	kind: MediaKind;
	producer: types.Producer;
	/** The producer's codec, with the payload type the offer gives it: a codec of the session's router. */
	codec: types.RtpCodecCapability;
	/** The player's capabilities for this section (its RTX too, if it offered one). */
	rtpCapabilities: types.RtpCapabilities;
}

/**
 * What each m-section plays of `producers` (the watched member's). 422 when
 * no section gets one (the member sends nothing, or nothing in a codec the
 * player offered), 400 when those that do are not in one BUNDLE group.
 */
export function planWhepSections(offer: SdpOffer, producers: readonly types.Producer[]): WhepPlan[] {
	// Camera before screen (and microphone before a screen's audio): what a viewer of a person wants.
	const left = [...producers].sort((a, b) => isScreen(a) - isScreen(b));
	const plans = offer.sections.map((section): WhepPlan => {
		const plan = planSection(section, left);
		if (plan.accepted) left.splice(left.indexOf(plan.producer), 1);
		return plan;
	});
	checkPlans(offer, plans, 'played');
	return plans;
}

function isScreen(producer: types.Producer): number {
	return producerSource(producer.kind, producer.appData) === 'screen' ? 1 : 0;
}

function planSection(section: OfferedSection, producers: readonly types.Producer[]): WhepPlan {
	const { media } = section;
	const reject = (reason: string): RejectedSection => ({ accepted: false, section, reason });
	// A WHEP endpoint only sends.
	const { kind, reason } = mediaKindOf(section, ['sendonly', 'inactive']);
	if (!kind) return reject(reason);
	const candidates = producers.filter((producer) => producer.kind === kind);
	if (candidates.length === 0) return reject(`the member sends no ${kind} (none left for this section)`);
	for (const producer of candidates) {
		const codec = producer.rtpParameters.codecs.find(
			(candidate) => !REPAIR_CODECS.has(candidate.mimeType.split('/')[1]?.toLowerCase() ?? ''),
		);
		const choice = codec ? chooseCodec(media, kind, [codec]) : undefined;
		if (!choice) continue;
		const { offered } = choice;
		const rtx = rtxOf(media, offered.payload);
		const codecs: types.RtpCodecCapability[] = [
			{
				kind,
				mimeType: choice.codec.mimeType,
				preferredPayloadType: offered.payload,
				clockRate: choice.codec.clockRate,
				...(kind === 'audio' ? { channels: offered.encoding ?? 1 } : {}),
				parameters: fmtpOf(media, offered.payload),
				rtcpFeedback: feedbackOf(media, offered.payload),
			},
		];
		if (rtx) {
			codecs.push({
				kind,
				mimeType: `${kind}/rtx`,
				preferredPayloadType: rtx.payload,
				clockRate: choice.codec.clockRate,
				parameters: { apt: offered.payload },
				rtcpFeedback: [],
			});
		}
		const headerExtensions = (media.ext ?? []).map(
			(ext): types.RtpHeaderExtension => ({
				kind,
				uri: ext.uri as types.RtpHeaderExtensionUri,
				preferredId: ext.value,
				preferredEncrypt: false,
				direction: 'sendrecv',
			}),
		);
		const routerCodec: types.RtpCodecCapability = {
			kind,
			mimeType: choice.codec.mimeType,
			preferredPayloadType: offered.payload,
			clockRate: choice.codec.clockRate,
			...(choice.codec.channels === undefined ? {} : { channels: choice.codec.channels }),
			parameters: { ...choice.codec.parameters },
		};
		return {
			accepted: true,
			section,
			kind,
			producer,
			codec: routerCodec,
			rtpCapabilities: { codecs, headerExtensions },
		};
	}
	const sent = candidates.map((producer) => producer.rtpParameters.codecs[0]?.mimeType ?? '?').join(', ');
	return reject(`the member's ${kind} is ${sent}, not a codec the offer has (offered ${offeredCodecNames(media)})`);
}

/** The media codecs of a session's router: each accepted section's, once per payload type. */
export function viewerRouterCodecs(plans: readonly WhepPlan[]): types.RtpCodecCapability[] {
	const codecs = new Map<number, types.RtpCodecCapability>();
	for (const plan of plans) {
		if (plan.accepted && plan.codec.preferredPayloadType !== undefined) {
			codecs.set(plan.codec.preferredPayloadType, plan.codec);
		}
	}
	return [...codecs.values()];
}

/**
 * The player's capabilities to consume a section with on the session's
 * router: its RTX only when the router numbers RTX as the offer does (a
 * router picks its RTX payload types itself; sent with another number, the
 * player would take it for the codec its offer gave that number). Without
 * RTX, mediasoup answers NACKs with the lost packets themselves.
 */
export function playerCapabilities(plan: WhepAccepted, router: types.RtpCapabilities): types.RtpCapabilities {
	const routerRtx = router.codecs?.find(
		(codec) =>
			codec.mimeType.toLowerCase() === `${plan.kind}/rtx` && codec.parameters?.apt === plan.codec.preferredPayloadType,
	);
	const codecs = (plan.rtpCapabilities.codecs ?? []).filter(
		(codec) =>
			codec.mimeType.toLowerCase() !== `${plan.kind}/rtx` ||
			codec.preferredPayloadType === routerRtx?.preferredPayloadType,
	);
	return { ...plan.rtpCapabilities, codecs };
}
