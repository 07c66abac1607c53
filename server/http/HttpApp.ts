// The Express app behind the one HTTPS port: the REST API for broadcasters,
// the built browser app, and JSON errors. The protoo WebSocket shares the same
// server (see signaling/ProtooSignaling.ts).
import { existsSync } from 'node:fs';
import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { createBroadcasterApi } from '../api/BroadcasterApi.ts';
import { createRecordingApi } from '../api/RecordingApi.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { toRequestError } from '../signaling/RequestError.ts';

/** REST bodies are small JSON documents (RTP parameters at most). */
const MAX_BODY_BYTES = 256 * 1024;

export function createHttpApp({
	rooms,
	appDir,
	recordingsDir,
	log,
}: {
	rooms: RoomRegistry;
	appDir: string;
	recordingsDir: string;
	log: Logger;
}) {
	const app = express();
	app.disable('x-powered-by');
	app.use(express.json({ limit: MAX_BODY_BYTES }));
	app.use(createBroadcasterApi(rooms, log));
	app.use(createRecordingApi(rooms, recordingsDir));
	if (existsSync(appDir)) app.use(express.static(appDir));
	app.use(jsonErrors(log));
	return app;
}

/** Every error becomes `{ error: reason }` with its status; 500s are logged. */
function jsonErrors(log: Logger): ErrorRequestHandler {
	return (error: unknown, req, res, _next) => {
		const bodyParserStatus = (error as { status?: unknown; type?: unknown }).type
			? (error as { status?: number }).status
			: undefined;
		if (bodyParserStatus === 400 || bodyParserStatus === 413) {
			const reason = bodyParserStatus === 413 ? `body larger than ${MAX_BODY_BYTES} bytes` : 'body is not valid JSON';
			res.status(bodyParserStatus).json({ error: reason });
			return;
		}
		const { status, message } = toRequestError(error);
		if (status === 500) log.error({ method: req.method, url: req.originalUrl, error }, 'REST request failed');
		else log.warn({ method: req.method, url: req.originalUrl, status, reason: message }, 'REST request rejected');
		res.status(status).json({ error: message });
	};
}
