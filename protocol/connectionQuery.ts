// The query of the protoo WebSocket URL (PROTOCOL.md section 1):
// `?roomId=R&peerId=P[&consumerReplicas=N][&token=T][&resume=S]`. The app builds it, the server
// parses it with parseConnectionQuery().
import { z } from 'zod';
import { idSchema } from './fields.ts';
import { MAX_CONSUMER_REPLICAS, MAX_TOKEN_LENGTH } from './limits.ts';
import { resumeSecretSchema } from './session.ts';
import { invalidReason, quoteName } from './validationReason.ts';

export const connectionQuerySchema = z.object({
	roomId: idSchema,
	peerId: idSchema,
	consumerReplicas: z.int().min(0).max(MAX_CONSUMER_REPLICAS),
	// The access token (ours to check: the contract names it, the classic
	// server ignored it). Required in token mode, ignored in open mode.
	token: z.string().max(MAX_TOKEN_LENGTH).optional(),
	// Ours: the join answer's resumeSecret, to take up that session again
	// (protocol/session.ts). Without it the connection starts a new session.
	resume: resumeSecretSchema.optional(),
});
export type ConnectionQuery = z.infer<typeof connectionQuerySchema>;

/** A parameter the server must read as one value. */
const SINGLE_PARAMETERS = ['roomId', 'peerId', 'token', 'resume'] as const;

export type ParseConnectionQueryResult =
	| {
			ok: true;
			query: ConnectionQuery;
			/** What was accepted only by leniency, for the log (empty when nothing was). */
			lenient: string[];
	  }
	| { ok: false; reason: string };

/**
 * Validates the query of a protoo connection. roomId and peerId must be given
 * once each: given twice, which one is meant is anyone's guess.
 *
 * consumerReplicas is lenient the way the classic demo's server is: that
 * server reads it with Number() and takes NaN as 0, and the classic app always
 * puts it in its URL, as the literal `consumerReplicas=undefined` when the page
 * had none. Anything that is not a number (absent, empty, "undefined", given
 * twice) is therefore 0. A number outside 0..16 is still refused: it is an
 * explicit request for a load the server does not allow.
 */
export function parseConnectionQuery(params: URLSearchParams): ParseConnectionQueryResult {
	for (const name of SINGLE_PARAMETERS) {
		const count = params.getAll(name).length;
		if (count > 1) return { ok: false, reason: `${name}: given ${count} times, expected once` };
	}
	const lenient: string[] = [];
	const replicas = params.getAll('consumerReplicas');
	let consumerReplicas = replicas.length === 1 ? Number(replicas[0]) : Number.NaN;
	if (Number.isNaN(consumerReplicas)) {
		if (replicas.length > 0) {
			lenient.push(`consumerReplicas ${quoteName(replicas.join(','))} is not a number: taken as 0`);
		}
		consumerReplicas = 0;
	}
	const result = connectionQuerySchema.safeParse(
		{
			roomId: params.get('roomId') ?? undefined,
			peerId: params.get('peerId') ?? undefined,
			consumerReplicas,
			token: params.get('token') ?? undefined,
			resume: params.get('resume') ?? undefined,
		},
		{ reportInput: true },
	);
	if (!result.success) return { ok: false, reason: invalidReason('connection query', result.error) };
	return { ok: true, query: result.data, lenient };
}
