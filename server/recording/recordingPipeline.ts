// The GStreamer pipeline that receives one consumer's RTP on a local UDP port
// and writes it, without transcoding, into a container: WebM for VP8, VP9 and
// opus, Matroska for H264. GStreamer rather than ffmpeg because `gst-launch-1.0
// -e` finalises the file on SIGINT even when no packet is arriving (a paused
// or closed producer), where ffmpeg keeps waiting for input.
import type { types } from 'mediasoup';

interface CodecRecipe {
	encodingName: string;
	/** Depayloader and parser elements. */
	depay: string[];
	muxer: 'webmmux' | 'matroskamux';
	extension: 'webm' | 'mkv';
}

const RECIPES: Record<string, CodecRecipe> = {
	'video/vp8': { encodingName: 'VP8', depay: ['rtpvp8depay'], muxer: 'webmmux', extension: 'webm' },
	'video/vp9': { encodingName: 'VP9', depay: ['rtpvp9depay'], muxer: 'webmmux', extension: 'webm' },
	'video/h264': { encodingName: 'H264', depay: ['rtph264depay', 'h264parse'], muxer: 'matroskamux', extension: 'mkv' },
	'audio/opus': { encodingName: 'OPUS', depay: ['rtpopusdepay', 'opusparse'], muxer: 'webmmux', extension: 'webm' },
};

function recipeFor(rtpParameters: types.RtpParameters): { codec: types.RtpCodecParameters; recipe: CodecRecipe } {
	const codec = rtpParameters.codecs[0];
	const recipe = codec && RECIPES[codec.mimeType.toLowerCase()];
	if (!codec || !recipe) throw new Error(`cannot record codec ${codec?.mimeType ?? '(none)'}`);
	return { codec, recipe };
}

export function recordingExtension(rtpParameters: types.RtpParameters): string {
	return recipeFor(rtpParameters).recipe.extension;
}

/** Arguments of `gst-launch-1.0 -e` (one element or property per argument, no shell). */
export function recordingPipeline(
	kind: types.MediaKind,
	rtpParameters: types.RtpParameters,
	rtpPort: number,
	file: string,
): string[] {
	const { codec, recipe } = recipeFor(rtpParameters);
	const caps =
		`application/x-rtp,media=${kind},encoding-name=${recipe.encodingName},` +
		`clock-rate=${codec.clockRate},payload=${codec.payloadType}`;
	return [
		...['udpsrc', 'address=127.0.0.1', `port=${rtpPort}`, `caps=${caps}`, '!'],
		// Reorders what UDP mixed up; a short latency keeps the start of the file.
		...['rtpjitterbuffer', 'latency=200', '!'],
		...recipe.depay.flatMap((element) => [element, '!']),
		...[recipe.muxer, '!', 'filesink', `location=${file}`],
	];
}
