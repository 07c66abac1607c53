// Whether a caller may enter a room as a peer: the checks of the token that
// every way into a room shares. The protoo WebSocket runs them at its
// handshake; GET /access (api/AccessCheckApi.ts) runs the same ones, because a
// browser cannot read why its WebSocket handshake was refused.
import type { ConnectionQuery } from '../../protocol/connectionQuery.ts';
import { createHttpError } from '../errors.ts';
import { type Access, type AccessControl, requireGrant, requireRoom } from './AccessControl.ts';

/**
 * The caller's access for this room and peerId; throws the 401 (who are you?)
 * or 403 (not allowed, naming the grant) to refuse it with. Room capacity is
 * the caller's to check: it needs the room.
 */
export async function checkAdmission(
	access: AccessControl,
	{ roomId, peerId, consumerReplicas, token }: ConnectionQuery,
): Promise<Access> {
	const caller = await access.authenticate(token);
	requireRoom(caller.grants, roomId);
	requireGrant(caller.grants, 'join', 'joining a room');
	// In token mode the token names the peer: nobody takes another's identity.
	if (caller.identity !== undefined && caller.identity !== peerId) {
		throw createHttpError(403, `peerId must be the token's identity (sub): connect with peerId=${caller.identity}`);
	}
	if (consumerReplicas > caller.grants.consumerReplicas) {
		throw createHttpError(
			403,
			`consumerReplicas ${consumerReplicas} is more than the token allows (grants.consumerReplicas ${caller.grants.consumerReplicas})`,
		);
	}
	return caller;
}
