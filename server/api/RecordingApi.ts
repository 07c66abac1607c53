// REST routes for recording (ours): start and stop recording a room, list the
// recordings and download them. Served by the same Express app as the
// broadcaster API, so the same access rules apply to both.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request } from 'express';
import type { RecordingList } from '../../protocol/recording.ts';
import { createHttpError } from '../errors.ts';
import { ROOM_ID_FILE } from '../recording/RoomRecorder.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

/** Folder and file names we create: nothing else may be asked for (no "..", no "/"). */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export function createRecordingApi(rooms: RoomRegistry, directory: string): express.Router {
	const router = express.Router();

	const room = (req: Request) => rooms.existing(String(req.params.roomId));

	router.post('/rooms/:roomId/recording', async (req, res) => {
		res.json(await (await room(req)).recorder.start());
	});

	router.delete('/rooms/:roomId/recording', async (req, res) => {
		res.json(await (await room(req)).recorder.stop());
	});

	router.get('/recordings', async (_req, res) => {
		res.json(await listRecordings(directory));
	});

	router.get('/recordings/:folder/:name', (req, res, next) => {
		const { folder, name } = req.params;
		if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(name)) {
			throw createHttpError(400, 'folder and file name may only contain letters, digits, "_", "-" and "."');
		}
		res.download(path.join(directory, folder, name), name, (error) => {
			if (!error) return;
			if (res.headersSent) return next(error);
			next(createHttpError(404, `recording "${folder}/${name}" not found`));
		});
	});

	return router;
}

async function listRecordings(directory: string): Promise<RecordingList> {
	const folders = await readdir(directory, { withFileTypes: true }).catch(() => []);
	const lists = await Promise.all(
		folders.filter((entry) => entry.isDirectory()).map((entry) => listFolder(directory, entry.name)),
	);
	return lists.flat().sort((a, b) => a.url.localeCompare(b.url));
}

async function listFolder(directory: string, folder: string): Promise<RecordingList> {
	const folderPath = path.join(directory, folder);
	const roomId = await readFile(path.join(folderPath, ROOM_ID_FILE), 'utf8').catch(() => null);
	const names = (await readdir(folderPath)).filter((name) => !name.startsWith('.'));
	return Promise.all(
		names.map(async (name) => ({
			roomId,
			folder,
			name,
			bytes: (await stat(path.join(folderPath, name))).size,
			url: `/recordings/${encodeURIComponent(folder)}/${encodeURIComponent(name)}`,
		})),
	);
}
