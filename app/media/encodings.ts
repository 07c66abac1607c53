// The RTP encodings of the webcam and screen-share producers: simulcast
// (several resolutions of one picture) for VP8/H264, SVC (one stream with
// layers) for VP9, or a single plain stream when layers are disabled.
import type { types } from 'mediasoup-client';
import { isSvcCodec } from './codecs.ts';

export interface LayerOptions {
	enabled: boolean;
	codecMimeType: string;
	/** webcamScalabilityMode / sharingScalabilityMode from the URL. */
	scalabilityMode: string | null;
	numSimulcastStreams: number;
}

/** Bitrate caps of the simulcast streams, smallest picture first. */
const WEBCAM_SIMULCAST = [
	{ scaleResolutionDownBy: 4, maxBitrate: 500_000 },
	{ scaleResolutionDownBy: 2, maxBitrate: 1_000_000 },
	{ scaleResolutionDownBy: 1, maxBitrate: 5_000_000 },
];

/** Screens are mostly still: same picture, two bitrates. */
const SHARING_SIMULCAST = [
	{ dtx: true, maxBitrate: 1_500_000 },
	{ dtx: true, maxBitrate: 6_000_000 },
];

export function webcamEncodings(options: LayerOptions): types.RtpEncodingParameters[] | undefined {
	if (!options.enabled) return undefined;
	if (isSvcCodec(options.codecMimeType)) {
		return [{ maxBitrate: 5_000_000, scalabilityMode: options.scalabilityMode ?? 'L3T3_KEY' }];
	}
	const temporal = options.scalabilityMode ?? 'L1T3';
	// Keep the largest streams: with fewer streams, the top one is full size.
	return WEBCAM_SIMULCAST.slice(WEBCAM_SIMULCAST.length - options.numSimulcastStreams).map((encoding) => ({
		...encoding,
		scalabilityMode: temporal,
	}));
}

export function sharingEncodings(options: LayerOptions): types.RtpEncodingParameters[] | undefined {
	if (!options.enabled) return undefined;
	if (isSvcCodec(options.codecMimeType)) {
		return [{ maxBitrate: 5_000_000, dtx: true, scalabilityMode: options.scalabilityMode ?? 'L3T3' }];
	}
	const temporal = options.scalabilityMode ?? 'L1T3';
	return SHARING_SIMULCAST.slice(0, Math.max(1, Math.min(options.numSimulcastStreams, SHARING_SIMULCAST.length))).map(
		(encoding) => ({ ...encoding, scalabilityMode: temporal }),
	);
}
