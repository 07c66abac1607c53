// Who may do what. Open mode (no API key configured) lets everyone do
// everything, as the classic demo does; token mode requires a valid token at
// every entry point (protoo, REST, recordings). Entry points ask here and get
// an Access, or a 401 (who are you?) or 403 (not allowed, naming the grant).
import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { type GrantName, type Grants, grantsCoverRoom, OPEN_GRANTS } from '../../protocol/access.ts';
import { createHttpError } from '../errors.ts';
import { type ApiKey, type TokenIdentity, TokenVerifier } from './tokens.ts';

export type AccessMode = 'open' | 'token';

/** What an authenticated caller is: from its token, or anyone in open mode. */
export interface Access {
	/** The token's sub; undefined in open mode, where the caller names itself. */
	identity: string | undefined;
	/** The token's name claim: the display name the app starts with. */
	name: string | undefined;
	grants: Grants;
}

/** How long a signed recording download link works. */
const DOWNLOAD_LINK_TTL_SECONDS = 10 * 60;

export class AccessControl {
	readonly mode: AccessMode;
	readonly #verifier: TokenVerifier;
	/** Signs download links; made per process, so links die with it. */
	readonly #linkSecret = randomBytes(32);

	constructor(keys: readonly ApiKey[]) {
		this.mode = keys.length > 0 ? 'token' : 'open';
		this.#verifier = new TokenVerifier(keys);
	}

	/**
	 * The caller's access. In open mode any token is ignored (there is no key
	 * to check it with); in token mode a missing or invalid one is a 401.
	 */
	async authenticate(token: string | undefined): Promise<Access> {
		if (this.mode === 'open') return { identity: undefined, name: undefined, grants: OPEN_GRANTS };
		if (token === undefined || token === '') {
			throw createHttpError(401, 'token required: this server runs in token mode');
		}
		const verified: TokenIdentity = await this.#verifier.verify(token);
		return { identity: verified.identity, name: verified.name, grants: verified.grants };
	}

	/**
	 * A signed link to one recording file, for a browser (which cannot send a
	 * header with a download). ttlSeconds: tests make expired links with it.
	 */
	async signDownload(urlPath: string, ttlSeconds = DOWNLOAD_LINK_TTL_SECONDS): Promise<string> {
		const signature = await new SignJWT({})
			.setProtectedHeader({ alg: 'HS256' })
			.setSubject(urlPath)
			.setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
			.sign(this.#linkSecret);
		return `${urlPath}?access=${signature}`;
	}

	/** Whether `access` is a valid link signature for this path; a 401 when it is not. */
	async verifyDownload(urlPath: string, access: string): Promise<void> {
		try {
			const { payload } = await jwtVerify(access, this.#linkSecret, { algorithms: ['HS256'], subject: urlPath });
			if (payload.sub !== urlPath) throw new Error('other path');
		} catch (error) {
			throw createHttpError(
				401,
				error instanceof errors.JWTExpired ? 'download link expired' : 'download link is invalid for this file',
			);
		}
	}
}

/** A 403 unless the grants are for this room. */
export function requireRoom(grants: Grants, roomId: string): void {
	if (!grantsCoverRoom(grants, roomId)) {
		throw createHttpError(403, `token is for room "${grants.room ?? '(none)'}", not "${roomId}"`);
	}
}

/** A 403 naming the grant unless the grants hold it. */
export function requireGrant(grants: Grants, grant: GrantName, forWhat: string): void {
	const held = grant === 'publish' ? grants.publish.length > 0 : grants[grant];
	if (!held) throw createHttpError(403, `${forWhat} needs the ${grant} grant`);
}

/** A 403 unless the grants hold at least one of these. */
export function requireAnyGrant(grants: Grants, names: readonly GrantName[], forWhat: string): void {
	if (names.some((name) => (name === 'publish' ? grants.publish.length > 0 : grants[name]))) return;
	throw createHttpError(403, `${forWhat} needs the ${names.join(' or ')} grant`);
}

/** The token of an `Authorization: Bearer T` header; undefined without one. */
export function bearerToken(header: string | undefined): string | undefined {
	if (header === undefined) return undefined;
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
	if (!match) throw createHttpError(401, 'Authorization header must be "Bearer <token>"');
	return match[1];
}
