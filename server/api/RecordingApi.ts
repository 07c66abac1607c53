// REST routes for recording (ours): start and stop recording a room, list the
// recordings and download them. Access (restAccess.ts): in token mode, record
// or roomAdmin for the room; the list holds only the rooms the token opens,
// and its urls are short-lived signed links, so that a browser, which sends
// no header with a download, can fetch them.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request } from 'express';
import type { RecordingList } from '../../protocol/recording.ts';
import { type AccessControl, requireAnyGrant } from '../auth/AccessControl.ts';
import { createHttpError } from '../errors.ts';
import { ROOM_ID_FILE } from '../recording/RoomRecorder.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import {
	mayReadRecordingsOf,
	RECORDING_GRANTS,
	recordingCaller,
	requireRecordingsOf,
	restCaller,
} from './restAccess.ts';

/** Folder and file names we create: nothing else may be asked for (no "..", no "/"). */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

export function createRecordingApi(rooms: RoomRegistry, access: AccessControl, directory: string): express.Router {
	const router = express.Router();

	/** The path's room, once the caller may record it (401/403 before 404: a refusal tells nothing of rooms). */
	const room = async (req: Request) => {
		const roomId = String(req.params.roomId);
		await recordingCaller(access, req, roomId);
		return rooms.existing(roomId);
	};

	/**
	 * A signed link (?access=, from GET /recordings) opens its one file; without
	 * one, the caller's token must open the recordings of the folder's room.
	 */
	const authorizeDownload = async (req: Request, folder: string, name: string): Promise<void> => {
		const link = req.query.access;
		if (access.mode === 'token' && link !== undefined) {
			if (typeof link !== 'string') throw createHttpError(401, 'download link is invalid for this file');
			checkSafeNames(folder, name);
			await access.verifyDownload(recordingUrl(folder, name), link);
			return;
		}
		const { grants } = await restCaller(access, req);
		checkSafeNames(folder, name);
		requireRecordingsOf(grants, await folderRoomId(directory, folder));
	};

	router.post('/rooms/:roomId/recording', async (req, res) => {
		res.json(await (await room(req)).recorder.start());
	});

	router.delete('/rooms/:roomId/recording', async (req, res) => {
		res.json(await (await room(req)).recorder.stop());
	});

	router.get('/recordings', async (req, res) => {
		const { grants } = await restCaller(access, req);
		requireAnyGrant(grants, RECORDING_GRANTS, 'listing recordings');
		const visible = (await listRecordings(directory)).filter((entry) => mayReadRecordingsOf(grants, entry.roomId));
		if (access.mode === 'open') {
			res.json(visible);
			return;
		}
		res.json(
			await Promise.all(visible.map(async (entry) => ({ ...entry, url: await access.signDownload(entry.url) }))),
		);
	});

	router.get('/recordings/:folder/:name', async (req, res, next) => {
		const { folder, name } = req.params;
		await authorizeDownload(req, folder, name);
		res.download(path.join(directory, folder, name), name, (error) => {
			if (!error) return;
			if (res.headersSent) return next(error);
			next(createHttpError(404, `recording "${folder}/${name}" not found`));
		});
	});

	return router;
}

function checkSafeNames(folder: string, name: string): void {
	if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(name)) {
		throw createHttpError(400, 'folder and file name may only contain letters, digits, "_", "-" and "."');
	}
}

/** The path a file is downloaded from: what GET /recordings lists and a link signs. */
function recordingUrl(folder: string, name: string): string {
	return `/recordings/${encodeURIComponent(folder)}/${encodeURIComponent(name)}`;
}

/** The room a recording folder belongs to, from its ROOM_ID_FILE; null when it does not say. */
function folderRoomId(directory: string, folder: string): Promise<string | null> {
	return readFile(path.join(directory, folder, ROOM_ID_FILE), 'utf8').catch(() => null);
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
	const roomId = await folderRoomId(directory, folder);
	const names = (await readdir(folderPath)).filter((name) => !name.startsWith('.'));
	return Promise.all(
		names.map(async (name) => ({
			roomId,
			folder,
			name,
			bytes: (await stat(path.join(folderPath, name))).size,
			url: recordingUrl(folder, name),
		})),
	);
}
