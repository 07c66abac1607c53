// The SDP answer to a WHIP offer, written with sdp-transform: mediasoup's
// end of the one WebRtcTransport (ICE-lite, its ICE parameters, candidates
// and DTLS fingerprint, the DTLS role opposite to the offer's) and, per
// offered m-section in offer order, either what the router takes of it
// (sdpOffer.ts's plan: the codec and its RTX with the offer's payload types,
// the header extensions and RTCP feedback both know, recvonly) or a rejected
// section (port 0, left out of the BUNDLE group).
import type { types } from 'mediasoup';
import { type MediaDescription, type SessionDescription, write } from 'sdp-transform';
import type { SectionPlan } from './sdpOffer.ts';

export interface AnswerTransport {
	iceParameters: types.IceParameters;
	iceCandidates: types.IceCandidate[];
	dtlsParameters: types.DtlsParameters;
}

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
	const fingerprint =
		transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
		transport.dtlsParameters.fingerprints[0];
	if (!fingerprint) throw new Error('mediasoup gave the transport no DTLS fingerprint');
	const accepted = plans.filter((plan) => plan.accepted).map((plan) => plan.section.mid);
	const answer: SessionDescription = {
		version: 0,
		origin: { username: '-', sessionId, sessionVersion: 1, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
		name: '-',
		timing: { start: 0, stop: 0 },
		icelite: 'ice-lite',
		fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
		msidSemantic: { semantic: 'WMS', token: '*' },
		groups: [{ type: 'BUNDLE', mids: accepted.join(' ') }],
		media: plans.map((plan) => (plan.accepted ? acceptedMedia(plan, transport, clientRole) : rejectedMedia(plan))),
	};
	return write(answer);
}

function acceptedMedia(
	plan: Extract<SectionPlan, { accepted: true }>,
	transport: AnswerTransport,
	clientRole: types.DtlsRole,
): MediaDescription {
	const { media } = plan.section;
	const payloads = new Set(plan.payloads);
	const codecLines = media.rtp.filter((rtp) => payloads.has(rtp.payload));
	const [codec] = plan.rtpParameters.codecs;
	return {
		type: media.type,
		port: 9,
		protocol: media.protocol,
		payloads: plan.payloads.join(' '),
		connection: { version: 4, ip: '0.0.0.0' },
		mid: plan.section.mid,
		direction: 'recvonly',
		iceUfrag: transport.iceParameters.usernameFragment,
		icePwd: transport.iceParameters.password,
		setup: clientRole === 'client' ? 'passive' : 'active',
		rtcpMux: 'rtcp-mux',
		...(media.rtcpRsize ? { rtcpRsize: 'rtcp-rsize' as const } : {}),
		rtp: codecLines,
		fmtp: media.fmtp.filter((fmtp) => payloads.has(fmtp.payload)),
		rtcpFb: (codec?.rtcpFeedback ?? []).map((fb) => ({
			payload: codec?.payloadType ?? 0,
			type: fb.type,
			...(fb.parameter ? { subtype: fb.parameter } : {}),
		})),
		ext: plan.rtpParameters.headerExtensions?.map((ext) => ({ value: ext.id, uri: ext.uri })) ?? [],
		...(media.simulcast ? simulcastAnswer(media) : {}),
		candidates: transport.iceCandidates.map((candidate) => ({
			foundation: candidate.foundation,
			component: 1,
			transport: candidate.protocol,
			priority: candidate.priority,
			ip: candidate.address,
			port: candidate.port,
			type: candidate.type,
			...(candidate.tcpType ? { tcptype: candidate.tcpType } : {}),
		})),
		endOfCandidates: 'end-of-candidates',
	};
}

/** The offer's send rids, received: a=rid:<id> recv and a=simulcast:recv <list>. */
function simulcastAnswer(media: MediaDescription): Partial<MediaDescription> {
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

function rejectedMedia(plan: Extract<SectionPlan, { accepted: false }>): MediaDescription {
	const { media } = plan.section;
	const first = media.rtp[0];
	const payloads = first ? String(first.payload) : (media.payloads ?? '');
	return {
		type: media.type,
		port: 0,
		protocol: media.protocol,
		payloads,
		connection: { version: 4, ip: '0.0.0.0' },
		mid: plan.section.mid,
		direction: 'inactive',
		// A payload format the offer has, so the m= line is well formed.
		rtp: media.rtp.slice(0, 1),
		fmtp: [],
	};
}
