// Real offers changed the way a test needs, with sdp-transform: an offer
// without some codecs (and the RTX, RED or FEC formats that repair them),
// for the 422 of an offer no producer fits.
import { parse, parseParams, write } from 'sdp-transform';

/** The offer without the named codecs (case-insensitive) in any m-section. */
export function withoutCodecs(offer: string, names: readonly string[]): string {
	const unwanted = new Set(names.map((name) => name.toLowerCase()));
	const sdp = parse(offer);
	for (const media of sdp.media) {
		const dropped = new Set(media.rtp.filter((rtp) => unwanted.has(rtp.codec.toLowerCase())).map((rtp) => rtp.payload));
		// RTX (apt=) of a dropped codec goes with it.
		for (const fmtp of media.fmtp) {
			if (dropped.has(Number(parseParams(String(fmtp.config)).apt))) dropped.add(fmtp.payload);
		}
		media.rtp = media.rtp.filter((rtp) => !dropped.has(rtp.payload));
		media.fmtp = media.fmtp.filter((fmtp) => !dropped.has(fmtp.payload));
		media.rtcpFb = media.rtcpFb?.filter((fb) => !dropped.has(Number(fb.payload)));
		media.payloads = String(media.payloads ?? '')
			.split(' ')
			.filter((payload) => !dropped.has(Number(payload)))
			.join(' ');
	}
	return write(sdp);
}
