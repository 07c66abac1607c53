// What the page's access token says about its bearer, read without checking
// the signature: the app has no secret, and the server verifies every token
// anyway. The app reads it only to connect as the token's identity (sub is
// the peerId the server requires), start with its name, and know its grants
// before the server confirms them.
import { type TokenClaims, tokenClaimsSchema } from '../../protocol/access.ts';

/** The claims of a JWT's payload; null when it is not a JWT with our claims (the server will say why). */
export function readTokenClaims(token: string): TokenClaims | null {
	const payload = token.split('.')[1];
	if (payload === undefined) return null;
	try {
		const parsed = tokenClaimsSchema.safeParse(JSON.parse(base64UrlDecode(payload)));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}

/** base64url (RFC 4648 section 5, unpadded as in a JWT) to UTF-8 text. */
function base64UrlDecode(text: string): string {
	const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
	const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
	return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}
