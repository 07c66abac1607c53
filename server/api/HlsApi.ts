// REST routes for live HLS (ours): start and stop a room's stream, and serve
// its playlist and segments. Access as for recordings (restAccess.ts): in
// token mode, record or roomAdmin for the room, to start and stop it and to
// load its files (players send the Bearer header: hls.js's xhrSetup). The
// files carry CORS headers, so that pages of other sites can embed the stream.
import express from 'express';
import type { AccessControl } from '../auth/AccessControl.ts';
import { createHttpError } from '../errors.ts';
import { hlsFileType } from '../hls/hlsFiles.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { hlsCaller } from './restAccess.ts';

export function createHlsApi(rooms: RoomRegistry, access: AccessControl): express.Router {
	const router = express.Router();
	router.use('/hls', crossOrigin);

	router.post('/rooms/:roomId/hls', async (req, res) => {
		const roomId = String(req.params.roomId);
		await hlsCaller(access, req, roomId);
		res.json(await (await rooms.existing(roomId)).hls.start());
	});

	router.delete('/rooms/:roomId/hls', async (req, res) => {
		const roomId = String(req.params.roomId);
		await hlsCaller(access, req, roomId);
		await (await rooms.existing(roomId)).hls.stop();
		res.json({});
	});

	router.get('/hls/:roomId/:file', async (req, res, next) => {
		const roomId = String(req.params.roomId);
		await hlsCaller(access, req, roomId);
		const file = String(req.params.file);
		// Only the names the composer writes: nothing else in or out of the folder is served.
		const type = hlsFileType(file);
		if (!type) throw createHttpError(400, `"${file}" is not a file of an HLS stream (index.m3u8 or a segment)`);
		const stream = (await rooms.find(roomId))?.hls.stream;
		if (!stream) throw createHttpError(404, `room "${roomId}" is not streamed`);
		res.set({
			'Content-Type': type.contentType,
			// The live playlist changes every segment; a segment's name is never reused.
			'Cache-Control': type.cacheControl,
		});
		res.sendFile(file, { root: stream.directory, dotfiles: 'deny', cacheControl: false }, (error) => {
			if (!error) return;
			if (res.headersSent) return next(error);
			res.removeHeader('Cache-Control');
			next(createHttpError(404, `HLS file "${file}" not found (the live playlist lists the segments there are)`));
		});
	});

	return router;
}

/**
 * CORS on every answer under /hls (errors too): a player on a page of any
 * site may load the stream, since no cookie or other ambient credential opens
 * anything here, only the Bearer token the page itself sends (which makes
 * the browser ask first: OPTIONS). Cross-Origin-Resource-Policy lets players
 * that load without CORS (a <video src> of Safari's own HLS) have it too.
 */
const crossOrigin: express.RequestHandler = (req, res, next) => {
	res.set({
		'Access-Control-Allow-Origin': '*',
		'Access-Control-Allow-Methods': 'GET, OPTIONS',
		'Access-Control-Allow-Headers': 'Authorization',
		'Access-Control-Max-Age': '600',
		'Cross-Origin-Resource-Policy': 'cross-origin',
	});
	if (req.method === 'OPTIONS') {
		res.status(204).end();
		return;
	}
	next();
};
