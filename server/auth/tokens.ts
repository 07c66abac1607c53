// Access tokens (protocol/access.ts): minting and verifying JWTs signed with
// HMAC-SHA256 by an API key's secret, with jose. The key is the token's `iss`,
// so a server configured with several pairs accepts tokens of each, which is
// how keys are rotated. Every refusal is a 401 naming what was wrong.
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { type Grants, resolveGrants, type TokenGrants, tokenClaimsSchema } from '../../protocol/access.ts';
import { invalidReason } from '../../protocol/validationReason.ts';
import { createHttpError } from '../errors.ts';

/** An API key and its secret, as configured (`key:secret`). */
export interface ApiKey {
	key: string;
	secret: string;
}

/** Who a verified token says the bearer is, and what it may do. */
export interface TokenIdentity {
	identity: string;
	name: string | undefined;
	grants: Grants;
	/** When the token stops being valid (seconds since the epoch). */
	expiresAt: number;
}

/** Lifetime of a minted token when none is given: a working day's meeting. */
export const DEFAULT_TOKEN_TTL_SECONDS = 6 * 60 * 60;

/** Clock difference tolerated between the minting backend and this server. */
const CLOCK_TOLERANCE_SECONDS = 30;

const ALGORITHM = 'HS256';

export function parseApiKeys(entries: readonly string[]): ApiKey[] {
	return entries.map((entry) => {
		const colon = entry.indexOf(':');
		return { key: entry.slice(0, colon), secret: entry.slice(colon + 1) };
	});
}

export interface MintOptions {
	apiKey: ApiKey;
	identity: string;
	name?: string | undefined;
	grants: TokenGrants;
	/** Seconds from now; DEFAULT_TOKEN_TTL_SECONDS when left out. */
	ttlSeconds?: number;
	/** Seconds from now before which the token is not valid; valid at once when left out. */
	notBeforeSeconds?: number;
}

/** A signed token, as an application backend would mint it (README "Access control"). */
export function mintToken(options: MintOptions): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	const jwt = new SignJWT({ grants: options.grants, ...(options.name === undefined ? {} : { name: options.name }) })
		.setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
		.setIssuer(options.apiKey.key)
		.setSubject(options.identity)
		.setIssuedAt(now)
		.setNotBefore(now + (options.notBeforeSeconds ?? 0))
		.setExpirationTime(now + (options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS));
	return jwt.sign(new TextEncoder().encode(options.apiKey.secret));
}

export class TokenVerifier {
	readonly #secrets: ReadonlyMap<string, Uint8Array>;

	constructor(keys: readonly ApiKey[]) {
		this.#secrets = new Map(keys.map(({ key, secret }) => [key, new TextEncoder().encode(secret)]));
	}

	/** The token's identity and grants, or a 401 HttpError saying why not. */
	async verify(token: string): Promise<TokenIdentity> {
		const secret = this.#secret(token);
		let payload: unknown;
		try {
			({ payload } = await jwtVerify(token, secret, {
				algorithms: [ALGORITHM],
				clockTolerance: CLOCK_TOLERANCE_SECONDS,
				requiredClaims: ['sub', 'exp'],
			}));
		} catch (error) {
			throw createHttpError(401, verificationReason(error));
		}
		const claims = tokenClaimsSchema.safeParse(payload, { reportInput: false });
		if (!claims.success) throw createHttpError(401, invalidReason('token claims', claims.error));
		const { sub, name, exp, grants } = claims.data;
		return { identity: sub, name, grants: resolveGrants(grants), expiresAt: exp };
	}

	/** The secret of the token's API key (its iss), read before the signature is checked. */
	#secret(token: string): Uint8Array {
		let issuer: unknown;
		try {
			issuer = decodeJwt(token).iss;
		} catch {
			throw createHttpError(401, 'token is not a JWT (header.payload.signature)');
		}
		if (typeof issuer !== 'string') throw createHttpError(401, 'token has no iss claim (the API key)');
		const secret = this.#secrets.get(issuer);
		if (!secret) throw createHttpError(401, `token is signed with an unknown API key "${issuer.slice(0, 100)}"`);
		return secret;
	}
}

function verificationReason(error: unknown): string {
	if (error instanceof errors.JWTExpired) return 'token expired';
	if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') return 'token is not valid yet (nbf)';
	if (error instanceof errors.JWTClaimValidationFailed) return `token claim ${error.claim} is invalid: ${error.reason}`;
	if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
	if (error instanceof errors.JOSEAlgNotAllowed) return `token must be signed with ${ALGORITHM}`;
	return 'token is malformed';
}
