// Cross-site WebSocket hijacking: a page on another site could open our
// WebSocket with the visitor's browser. Browsers always send Origin on a
// WebSocket handshake, so one that is not allowed is refused; clients that
// send none (ffmpeg, scripts, the tests) are not browsers and pass.
import { createHttpError } from '../errors.ts';

/**
 * Allowed: no Origin, an origin of the list, or (with no list) the origin
 * whose host is the one the request was sent to (the page the app came from).
 */
export function checkOrigin(
	origin: string | undefined,
	host: string | undefined,
	allowed: readonly string[] | undefined,
): void {
	if (origin === undefined) return;
	let originUrl: URL;
	try {
		originUrl = new URL(origin);
	} catch {
		throw createHttpError(403, `origin "${origin.slice(0, 200)}" is not allowed`);
	}
	const ok = allowed
		? allowed.some((entry) => new URL(entry).origin === originUrl.origin)
		: host !== undefined && originUrl.host === host && originUrl.protocol === 'https:';
	if (!ok) {
		throw createHttpError(
			403,
			`origin "${originUrl.origin}" is not allowed to open the WebSocket (auth.allowedOrigins, ALLOWED_ORIGINS)`,
		);
	}
}
