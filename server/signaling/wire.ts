// The one place where validated wire objects become mediasoup's types. The
// protocol schemas (protocol/rtp.ts) checked their structure and primitive
// types; mediasoup checks their semantics (known codecs, URIs, payload types)
// and throws TypeError for what it refuses, which becomes a 400.
import type { types } from 'mediasoup';
import type * as wire from '../../protocol/rtp.ts';
import { deepFreeze } from './deepFreeze.ts';

export const fromWire = {
	/**
	 * Frozen all the way down: a member's capabilities never change after its
	 * join, and mediasoup (patches/, mediasoup 011) then validates them once
	 * for all the consumers the member gets, instead of once per consumer.
	 */
	rtpCapabilities: (value: wire.RtpCapabilities | undefined) =>
		value === undefined ? undefined : deepFreeze(value as types.RtpCapabilities),
	rtpParameters: (value: wire.RtpParameters) => value as types.RtpParameters,
	dtlsParameters: (value: wire.DtlsParameters) => value as types.DtlsParameters,
	sctpStreamParameters: (value: wire.SctpStreamParameters) => value as types.SctpStreamParameters,
};
