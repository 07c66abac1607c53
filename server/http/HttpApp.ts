// The Express app behind the one HTTPS port: security headers, the REST API
// for broadcasters and recordings, live HLS, WHIP ingest and WHEP playback
// (each route checks its caller, see api/restAccess.ts), the access check the
// app makes before it connects (api/AccessCheckApi.ts), /healthz and /readyz
// (health/healthAnswers.ts), the built browser app, and JSON errors. The protoo
// WebSocket shares the same server (see signaling/ProtooSignaling.ts).
import { existsSync } from 'node:fs';
import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { createAccessCheckApi } from '../api/AccessCheckApi.ts';
import { createBroadcasterApi } from '../api/BroadcasterApi.ts';
import { createHlsApi } from '../api/HlsApi.ts';
import { createRecordingApi } from '../api/RecordingApi.ts';
import { createWhepApi } from '../api/WhepApi.ts';
import { createWhipApi } from '../api/WhipApi.ts';
import type { AccessControl } from '../auth/AccessControl.ts';
import { toHttpError } from '../errors.ts';
import { type Health, healthRoutes } from '../health/healthAnswers.ts';
import { withoutSecrets } from '../logging/withoutSecrets.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { securityHeaders } from './securityHeaders.ts';

/** REST bodies are small JSON documents (RTP parameters at most). */
const MAX_BODY_BYTES = 256 * 1024;

export function createHttpApp({
	rooms,
	access,
	appDir,
	recordingsDir,
	hsts,
	health,
	log,
}: {
	rooms: RoomRegistry;
	access: AccessControl;
	appDir: string;
	recordingsDir: string;
	/** Send Strict-Transport-Security: only with a configured (real) certificate. */
	hsts: boolean;
	health: Health;
	log: Logger;
}) {
	const app = express();
	app.disable('x-powered-by');
	app.use(securityHeaders({ hsts }));
	app.use(healthRoutes(health));
	app.use(express.json({ limit: MAX_BODY_BYTES }));
	app.use(createAccessCheckApi(rooms, access));
	app.use(createBroadcasterApi(rooms, access, log));
	app.use(createRecordingApi(rooms, access, recordingsDir));
	app.use(createHlsApi(rooms, access));
	app.use(createWhipApi(rooms, access, log));
	app.use(createWhepApi(rooms, access, log));
	if (existsSync(appDir)) app.use(express.static(appDir));
	app.use(jsonErrors(log));
	return app;
}

/** body-parser's errors (http-errors marked with a `type`), in our words. */
const BODY_ERRORS: Readonly<Record<string, string>> = {
	'entity.parse.failed': 'body is not valid JSON',
	'entity.too.large': `body larger than ${MAX_BODY_BYTES} bytes`,
};

/**
 * Every error becomes `{ error: reason }` with its status; 500s are logged.
 * A 401 says which scheme would do (RFC 6750), so a client knows to send a
 * Bearer token.
 */
function jsonErrors(log: Logger): ErrorRequestHandler {
	return (error: unknown, req, res, _next) => {
		const { status, message, type } = toHttpError(error);
		const reason = (typeof type === 'string' && BODY_ERRORS[type]) || message;
		const url = withoutSecrets(req.originalUrl);
		if (status >= 500) log.error({ method: req.method, url, error }, 'REST request failed');
		else log.warn({ method: req.method, url, status, reason }, 'REST request rejected');
		if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="conference"');
		res.status(status).json({ error: reason });
	};
}
