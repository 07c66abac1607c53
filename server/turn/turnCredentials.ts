// coturn's shared-secret credentials (its use-auth-secret / static-auth-secret,
// the "TURN REST API" draft): the username carries its own expiry, the
// password is an HMAC of the username with the secret both servers know, so
// coturn checks a credential with no call back to us and no user database.
// coturn refuses a username whose expiry is past when a client asks for a new
// allocation (tests/e2e/turn.test.ts); an allocation it has let in is kept
// and refreshed with the key it derived then.
import { createHmac } from 'node:crypto';

export interface TurnCredentials {
	/** `<expiry, Unix seconds>:<identity>`. */
	username: string;
	/** base64(HMAC-SHA1(secret, username)). */
	credential: string;
}

/** Credentials for `identity` (here the peerId) valid until `expiresAt` (Unix seconds). */
export function turnCredentials(secret: string, identity: string, expiresAt: number): TurnCredentials {
	const username = `${Math.floor(expiresAt)}:${identity}`;
	const credential = createHmac('sha1', secret).update(username).digest('base64');
	return { username, credential };
}
