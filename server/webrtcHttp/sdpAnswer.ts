// The SDP answer to a WHIP or WHEP offer, written with sdp-transform:
// mediasoup's end of the one WebRtcTransport (ICE-lite, its ICE parameters,
// candidates and DTLS fingerprint, the DTLS role opposite to the offer's)
// around the media lines each protocol writes for the sections it takes
// (whip/sdpAnswer.ts: what the producers receive; whep/sdpAnswer.ts: what
// the consumers send), in offer order; a section it does not take is
// rejected (port 0, left out of the BUNDLE group).
import type { types } from 'mediasoup';
import { type MediaDescription, type SessionDescription, write } from 'sdp-transform';

export interface AnswerTransport {
	iceParameters: types.IceParameters;
	iceCandidates: types.IceCandidate[];
	dtlsParameters: types.DtlsParameters;
}

/** The media lines of a section the answer takes; writeAnswer() adds the transport's. */
export type AnsweredMedia = Pick<MediaDescription, 'type' | 'protocol' | 'payloads' | 'direction' | 'rtp' | 'fmtp'> &
	Partial<
		Pick<MediaDescription, 'rtcpFb' | 'ext' | 'rtcpRsize' | 'rids' | 'simulcast' | 'msid' | 'ssrcs' | 'ssrcGroups'>
	> & { mid: string };

/** One m-section of the answer: taken (its media lines), or rejected (the offer's section, answered port 0). */
export type AnswerSection = { accepted: true; media: AnsweredMedia } | { accepted: false; offered: MediaDescription };

/**
 * `clientRole`: the role the offer took (what transport.connect() was given);
 * the answer takes the other one. `sessionId`: the o= line's, one per session.
 */
export function writeAnswer(
	sections: AnswerSection[],
	transport: AnswerTransport,
	clientRole: types.DtlsRole,
	sessionId: string,
): string {
	const fingerprint =
		transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ??
		transport.dtlsParameters.fingerprints[0];
	if (!fingerprint) throw new Error('mediasoup gave the transport no DTLS fingerprint');
	const accepted = sections.flatMap((section) => (section.accepted ? [section.media.mid] : []));
	const answer: SessionDescription = {
		version: 0,
		origin: { username: '-', sessionId, sessionVersion: 1, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
		name: '-',
		timing: { start: 0, stop: 0 },
		icelite: 'ice-lite',
		fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
		msidSemantic: { semantic: 'WMS', token: '*' },
		groups: [{ type: 'BUNDLE', mids: accepted.join(' ') }],
		media: sections.map((section) =>
			section.accepted ? withTransport(section.media, transport, clientRole) : rejectedMedia(section.offered),
		),
	};
	return write(answer);
}

function withTransport(media: AnsweredMedia, transport: AnswerTransport, clientRole: types.DtlsRole): MediaDescription {
	return {
		...media,
		port: 9,
		connection: { version: 4, ip: '0.0.0.0' },
		iceUfrag: transport.iceParameters.usernameFragment,
		icePwd: transport.iceParameters.password,
		setup: clientRole === 'client' ? 'passive' : 'active',
		rtcpMux: 'rtcp-mux',
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

function rejectedMedia(offered: MediaDescription): MediaDescription {
	const first = offered.rtp[0];
	const payloads = first ? String(first.payload) : (offered.payloads ?? '');
	return {
		type: offered.type,
		port: 0,
		protocol: offered.protocol,
		payloads,
		connection: { version: 4, ip: '0.0.0.0' },
		...(offered.mid === undefined ? {} : { mid: offered.mid }),
		direction: 'inactive',
		// A payload format the offer has, so the m= line is well formed.
		rtp: offered.rtp.slice(0, 1),
		fmtp: [],
	};
}
