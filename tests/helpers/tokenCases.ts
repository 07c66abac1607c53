// The token cases of the authorization matrix (issue 21): for one entry point
// and the token that is right for it, every way a token can be wrong, each
// with the status and the reason the caller must get. Minted with the
// server's own mintToken, as an application backend would mint them.
import { randomBytes } from 'node:crypto';
import type { TokenGrants } from '../../protocol/access.ts';
import { type ApiKey, mintToken } from '../../server/auth/tokens.ts';

/** Two API keys, as a server mid-rotation has them; AUTH_KEYS for startTestServer's env. */
export function apiKeys(): { keys: [ApiKey, ApiKey]; env: string } {
	const keys: [ApiKey, ApiKey] = [
		{ key: 'key-one', secret: randomBytes(24).toString('hex') },
		{ key: 'key-two', secret: randomBytes(24).toString('hex') },
	];
	return { keys, env: keys.map(({ key, secret }) => `${key}:${secret}`).join(',') };
}

/** A token as the entry point wants it. */
export interface RightToken {
	apiKey: ApiKey;
	identity: string;
	grants: TokenGrants;
}

export interface WrongToken {
	name: string;
	/** undefined: no token at all. */
	token: string | undefined;
	status: 401 | 403;
	reason: RegExp;
}

/**
 * Every wrong token for an entry point: none, a bad signature, an unknown
 * key, expired, not yet valid (each a 401), for another room, and without
 * `missingGrant` (each a 403). `needs`: how the 403 names the grant.
 */
export async function wrongTokens(
	right: RightToken,
	{ roomId, missingGrant, needs }: { roomId: string; missingGrant: keyof TokenGrants; needs: RegExp },
): Promise<WrongToken[]> {
	const { apiKey, identity, grants } = right;
	const mint = (overrides: Partial<Parameters<typeof mintToken>[0]>) =>
		mintToken({ apiKey, identity, grants, ...overrides });
	const { [missingGrant]: _left, ...withoutGrant } = grants;
	return [
		{ name: 'no token', token: undefined, status: 401, reason: /token required/ },
		{
			name: 'bad signature',
			token: await mint({ apiKey: { key: apiKey.key, secret: randomBytes(24).toString('hex') } }),
			status: 401,
			reason: /token signature is invalid/,
		},
		{
			name: 'unknown key',
			token: await mint({ apiKey: { key: 'no-such-key', secret: apiKey.secret } }),
			status: 401,
			reason: /unknown API key "no-such-key"/,
		},
		// Past the server's 30 s of tolerated clock difference.
		{ name: 'expired', token: await mint({ ttlSeconds: -120 }), status: 401, reason: /token expired/ },
		{
			name: 'not yet valid',
			token: await mint({ notBeforeSeconds: 120 }),
			status: 401,
			reason: /token is not valid yet \(nbf\)/,
		},
		{
			name: 'other room',
			token: await mint({ grants: { ...grants, room: 'another-room' } }),
			status: 403,
			reason: new RegExp(`token is for room "another-room", not "${roomId}"`),
		},
		{ name: 'missing grant', token: await mint({ grants: withoutGrant }), status: 403, reason: needs },
	];
}

/** The right token itself. */
export function rightToken(right: RightToken): Promise<string> {
	return mintToken({ apiKey: right.apiKey, identity: right.identity, grants: right.grants });
}

export function bearer(token: string | undefined): Record<string, string> {
	return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
