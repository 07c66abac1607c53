// Recording (ours, not in the classic dialect): a peer or the REST API starts
// and stops recording a room; every peer is told. Files are listed and
// downloaded over HTTPS.
import { z } from 'zod';

/** One finalised file: its name under the room's recording folder. */
export const recordedFileSchema = z.object({
	name: z.string(),
	producerId: z.string(),
	peerId: z.string(),
	kind: z.enum(['audio', 'video']),
	bytes: z.int().min(0),
});
export type RecordedFile = z.infer<typeof recordedFileSchema>;

/** Answer of startRecording and data of the recordingStarted notification. */
export const recordingStartedSchema = z.object({ startedAt: z.number() });
export type RecordingStarted = z.infer<typeof recordingStartedSchema>;

/** Answer of stopRecording and data of the recordingStopped notification. */
export const recordingStoppedSchema = z.object({ files: z.array(recordedFileSchema) });
export type RecordingStopped = z.infer<typeof recordingStoppedSchema>;

/**
 * GET /recordings: every file of every room the caller may read (in token
 * mode, the rooms its record or roomAdmin grant is for; a folder of unknown
 * room only for room "*"). `folder` is the recording folder (the room id made
 * safe for a file name, plus a hash); `roomId` is the room's own id, or null
 * for a folder that does not say (made by an older server). `url` downloads
 * the file: in token mode a signed link (`?access=`) valid for 10 minutes,
 * which needs no Authorization header.
 */
export const recordingListSchema = z.array(
	z.object({
		roomId: z.string().nullable(),
		folder: z.string(),
		name: z.string(),
		bytes: z.int().min(0),
		url: z.string(),
	}),
);
export type RecordingList = z.infer<typeof recordingListSchema>;
