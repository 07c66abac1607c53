// Before opening the WebSocket, the app asks the server whether it would be
// let in (GET /access, protocol/accessCheck.ts): a browser cannot read the
// status or the reason of a refused WebSocket handshake, so without asking it
// could only say "cannot connect" while protoo-client retries for a minute.
import type { Grants } from '../../protocol/access.ts';
import { ACCESS_CHECK_PATH, accessCheckErrorSchema, accessCheckResponseSchema } from '../../protocol/accessCheck.ts';

export type AccessVerdict =
	| { kind: 'allowed'; grants: Grants }
	/** 400, 401 or 403: the reason the server would refuse the WebSocket with. */
	| { kind: 'refused'; status: number; reason: string }
	/** The server did not say (busy, or of the classic dialect, which has no such route): the WebSocket will tell. */
	| { kind: 'unknown' }
	/** 410, asked with `resume`: the session is gone (its grace period ended, the server restarted): join anew. */
	| { kind: 'expired'; reason: string }
	/** 503: the server is draining (shutting down): it takes nobody new now; ask again later. */
	| { kind: 'unavailable'; reason: string }
	/** No answer at all (the network is down, or the server is): a WebSocket would fail the same way, only slower. */
	| { kind: 'unreachable' };

/**
 * How long the question may take. Over a network that went away a request
 * gets no answer for minutes rather than an error, and a page that comes back
 * by itself must get on with its next attempt.
 */
export const ACCESS_CHECK_TIMEOUT_MS = 5000;

export interface AccessQuery {
	roomId: string;
	peerId: string;
	consumerReplicas: number;
	token: string | null;
	/** The secret of the session the page means to resume: the server checks that too. */
	resume?: string | undefined;
}

/** Asks the server that served the page (same origin as the WebSocket, PROTOCOL.md section 2). */
export async function checkAccess(
	location: { protocol: string; host: string },
	{ roomId, peerId, consumerReplicas, token, resume }: AccessQuery,
	/** Gives up on the request (the reconnect attempt was hurried): the verdict is 'unreachable'. */
	signal?: AbortSignal,
): Promise<AccessVerdict> {
	const query = new URLSearchParams({ roomId, peerId });
	if (consumerReplicas > 0) query.set('consumerReplicas', String(consumerReplicas));
	if (resume !== undefined) query.set('resume', resume);
	let response: Response;
	try {
		response = await fetch(`${location.protocol}//${location.host}${ACCESS_CHECK_PATH}?${query.toString()}`, {
			// The token goes in a header, never in an address that ends up in logs.
			headers: token === null ? {} : { authorization: `Bearer ${token}` },
			cache: 'no-store',
			signal: signal
				? AbortSignal.any([AbortSignal.timeout(ACCESS_CHECK_TIMEOUT_MS), signal])
				: AbortSignal.timeout(ACCESS_CHECK_TIMEOUT_MS),
		});
	} catch {
		return { kind: 'unreachable' };
	}
	return verdictOf(response.status, await response.json().catch(() => undefined));
}

/** What a response means; anything but our answers is "unknown", and the WebSocket will tell. */
export function verdictOf(status: number, body: unknown): AccessVerdict {
	if (status === 200) {
		const allowed = accessCheckResponseSchema.safeParse(body);
		return allowed.success ? { kind: 'allowed', grants: allowed.data.grants } : { kind: 'unknown' };
	}
	const refused = accessCheckErrorSchema.safeParse(body);
	if ((status === 400 || status === 401 || status === 403) && refused.success) {
		return { kind: 'refused', status, reason: refused.data.error };
	}
	if (status === 410 && refused.success) return { kind: 'expired', reason: refused.data.error };
	if (status === 503 && refused.success) return { kind: 'unavailable', reason: refused.data.error };
	return { kind: 'unknown' };
}
