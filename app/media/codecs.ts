// Which codec a producer uses when the page forces one (forceVP8, forceVP9,
// forceH264), picked from what this device and the room's router share.
import type { types } from 'mediasoup-client';
import type { ForcedVideoCodec } from '../config/urlOptions.ts';

/**
 * H264 profiles we prefer, as profile-level-id prefixes (profile_idc and
 * constraint flags; the level does not matter for the choice): Chromium offers
 * Main as 4d001f while the router lists 4d0032, so exact ids would not match.
 */
const H264_PROFILE_PREFERENCE = ['42e0', '4d00', '6400'];

function h264Rank(codec: types.RtpCodecCapability): number {
	const profile = String(codec.parameters?.['profile-level-id'] ?? '').toLowerCase();
	const rank = H264_PROFILE_PREFERENCE.findIndex((prefix) => profile.startsWith(prefix));
	return rank === -1 ? H264_PROFILE_PREFERENCE.length : rank;
}

/** The forced codec among the device's send capabilities, or undefined (none forced, or not available). */
export function forcedCodec(
	capabilities: types.RtpCapabilities,
	forced: ForcedVideoCodec,
): types.RtpCodecCapability | undefined {
	if (forced === null) return undefined;
	const mimeType = `video/${forced}`.toLowerCase();
	const candidates = (capabilities.codecs ?? []).filter((codec) => codec.mimeType.toLowerCase() === mimeType);
	if (forced !== 'H264') return candidates[0];
	return candidates
		.filter((codec) => Number(codec.parameters?.['packetization-mode'] ?? 0) === 1)
		.sort((a, b) => h264Rank(a) - h264Rank(b))[0];
}

/** The video codec a producer will actually use: the forced one or the first the device can send. */
export function effectiveVideoCodec(
	capabilities: types.RtpCapabilities,
	forced: types.RtpCodecCapability | undefined,
): string {
	if (forced) return forced.mimeType;
	const first = (capabilities.codecs ?? []).find((codec) => codec.kind === 'video' && !/\/rtx$/i.test(codec.mimeType));
	return first?.mimeType ?? 'video/VP8';
}

export function isSvcCodec(mimeType: string): boolean {
	return /\/(vp9|av1)$/i.test(mimeType);
}
