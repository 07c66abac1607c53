// Access tokens for token-mode test servers, minted with the server's own
// mintToken as an application backend would mint them: the API keys (two
// pairs, as an operator rotating keys has them: tokens of either must work),
// a token for an identity, how a client carries it (the connection query, the
// Authorization header), and every way a token can be wrong for an entry
// point (the authorization matrix, issue 21).
import { randomBytes } from 'node:crypto';
import type { TokenGrants } from '../../protocol/access.ts';
import { type ApiKey, type MintOptions, mintToken } from '../../server/auth/tokens.ts';

export const OLD_KEY: ApiKey = { key: 'key-2025', secret: 'old-secret-of-at-least-32-characters' };
export const NEW_KEY: ApiKey = { key: 'key-2026', secret: 'new-secret-of-at-least-32-characters' };

/** AUTH_KEYS for startTestServer's env: both pairs. */
export const AUTH_KEYS = [OLD_KEY, NEW_KEY].map(({ key, secret }) => `${key}:${secret}`).join(',');

/** A token for `identity` with these grants, signed with the new key unless the options say otherwise. */
export function testToken(
	identity: string,
	grants: TokenGrants,
	options: Omit<Partial<MintOptions>, 'identity' | 'grants'> = {},
): Promise<string> {
	return mintToken({ apiKey: NEW_KEY, identity, grants, ...options });
}

/** Grants of a moderator of the room. */
export const moderatorOf = (roomId: string): TokenGrants => ({ room: roomId, roomAdmin: true });

/** The query suffix TestServer.connect() takes: `&token=T`. */
export function tokenQuery(token: string): string {
	return `&token=${encodeURIComponent(token)}`;
}

/** The headers of a REST call with the token: none without one. */
export function bearer(token: string | undefined): Record<string, string> {
	return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** A token as the entry point wants it. */
export interface RightToken {
	apiKey: ApiKey;
	identity: string;
	grants: TokenGrants;
}

/** The right token itself. */
export function rightToken({ apiKey, identity, grants }: RightToken): Promise<string> {
	return testToken(identity, grants, { apiKey });
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
 * key, expired, not yet valid (each a 401), for another room ("another-room"),
 * and with `missingGrant` false (each a 403). `needs`: how the 403 names the grant.
 */
export async function wrongTokens(
	right: RightToken,
	{
		roomId,
		missingGrant,
		needs,
	}: { roomId: string; missingGrant: Exclude<keyof TokenGrants, 'room' | 'consumerReplicas'>; needs: RegExp },
): Promise<WrongToken[]> {
	const { apiKey, identity, grants } = right;
	const mint = (overrides: Partial<MintOptions>) => mintToken({ apiKey, identity, grants, ...overrides });
	// false, not left out: a token naming a room has join, publish, subscribe and data unless they are false.
	const withoutGrant: TokenGrants = { ...grants, [missingGrant]: false };
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
