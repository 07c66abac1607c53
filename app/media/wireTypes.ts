// The one place where validated wire objects (protocol/rtp.ts) become
// mediasoup-client's types. The protocol schemas checked structure and
// primitive types; mediasoup-client checks the semantics and throws on what
// it cannot use. The mirror of server/signaling/wire.ts.
import type { types } from 'mediasoup-client';
import type * as wire from '../../protocol/rtp.ts';
import type { WebRtcTransportInfo } from '../../protocol/signaling.ts';

export const fromWire = {
	rtpCapabilities: (value: wire.RtpCapabilities) => value as types.RtpCapabilities,
	rtpParameters: (value: wire.RtpParameters) => value as types.RtpParameters,
	sctpStreamParameters: (value: wire.SctpStreamParameters) => value as types.SctpStreamParameters,
	iceParameters: (value: wire.IceParameters) => value as types.IceParameters,
	transportOptions: (info: WebRtcTransportInfo) =>
		({
			id: info.id,
			iceParameters: info.iceParameters,
			iceCandidates: info.iceCandidates,
			dtlsParameters: info.dtlsParameters,
			sctpParameters: info.sctpParameters,
		}) as types.TransportOptions,
};

export const toWire = {
	rtpCapabilities: (value: types.RtpCapabilities) => value as wire.RtpCapabilities,
	rtpParameters: (value: types.RtpParameters) => value as wire.RtpParameters,
	dtlsParameters: (value: types.DtlsParameters) => value as wire.DtlsParameters,
	sctpStreamParameters: (value: types.SctpStreamParameters) => value as wire.SctpStreamParameters,
};
