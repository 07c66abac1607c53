// The files of a live HLS stream, as the composer names them and the HTTPS
// routes serve them: the playlist, and segments named after the run of the
// stream, so that a player or a cache never takes a segment of an earlier run
// for one of this run (their numbers start again at 0 on every start).

/** The live playlist, the URL's last part: `/hls/:roomId/index.m3u8`. */
export const PLAYLIST = 'index.m3u8';

const SEGMENT = /^[0-9a-z]{1,16}-[0-9]{5,9}\.ts$/;

/** The composer's name pattern (hlssink2's `location`, printf style) for the segments of a run. */
export function segmentPattern(run: string): string {
	if (!/^[0-9a-z]{1,16}$/.test(run)) throw new Error(`bad HLS run name "${run}"`);
	return `${run}-%05d.ts`;
}

export interface HlsFileType {
	contentType: string;
	cacheControl: string;
}

/** How a file of a stream is served; undefined for any other name (never served). */
export function hlsFileType(name: string): HlsFileType | undefined {
	if (name === PLAYLIST) return { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'no-cache' };
	if (SEGMENT.test(name)) return { contentType: 'video/mp2t', cacheControl: 'public, max-age=60' };
	return undefined;
}
