// The one place where validated wire objects become mediasoup's types. The
// protocol schemas (protocol/rtp.ts) checked their structure and primitive
// types; mediasoup checks their semantics (known codecs, URIs, payload types)
// and throws TypeError for what it refuses, which becomes a 400.
import type { types } from 'mediasoup';
import type * as wire from '../../protocol/rtp.ts';

export const fromWire = {
	rtpCapabilities: (value: wire.RtpCapabilities | undefined) => value as types.RtpCapabilities | undefined,
	rtpParameters: (value: wire.RtpParameters) => value as types.RtpParameters,
	dtlsParameters: (value: wire.DtlsParameters) => value as types.DtlsParameters,
	sctpStreamParameters: (value: wire.SctpStreamParameters) => value as types.SctpStreamParameters,
};
