// Cross-site WebSocket hijacking: a page on another site could open our
// WebSocket with the visitor's browser. Browsers always send Origin on a
// WebSocket handshake, so one that is not allowed is refused; clients that
// send none (ffmpeg, scripts, the tests) are not browsers and pass.
import { createHttpError } from '../errors.ts';

/**
 * Allowed: no Origin, the server's own origin (https and the host the request
 * was sent to: the page the app came from), and the origins of the list (pages
 * elsewhere that embed or serve the app). The list adds to the server's own,
 * so listing an embedding site does not lock out the app the server serves.
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
	const own = host !== undefined && originUrl.host === host && originUrl.protocol === 'https:';
	const ok = own || (allowed ?? []).some((entry) => new URL(entry).origin === originUrl.origin);
	if (!ok) {
		throw createHttpError(
			403,
			`origin "${originUrl.origin}" is not allowed to open the WebSocket (auth.allowedOrigins, ALLOWED_ORIGINS)`,
		);
	}
}
