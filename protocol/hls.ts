// Live HLS of a room (ours, not in the classic dialect): the REST API starts
// and stops it; players load the playlist over HTTPS.
import { z } from 'zod';

/**
 * Answer of POST /rooms/:roomId/hls, once the playlist can be loaded: `url`
 * is its path on the server (`/hls/:roomId/index.m3u8`, the room id
 * URL-encoded), `startedAt` when the stream started (ms since the epoch).
 */
export const hlsStartedSchema = z.object({ url: z.string(), startedAt: z.number() });
export type HlsStarted = z.infer<typeof hlsStartedSchema>;
