// API keys and tokens for token-mode test servers. Two key pairs, as an
// operator rotating keys has them: tokens of either must work.
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

/** The query suffix TestServer.connect() takes: `&token=T`. */
export function tokenQuery(token: string): string {
	return `&token=${encodeURIComponent(token)}`;
}
