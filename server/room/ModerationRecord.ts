// What moderators decided about identities in one room, kept for the room's
// lifetime so that a decision does not end with a connection: a removed
// identity is refused when it comes back, and a peer whose grants a
// moderator changed gets the same change when it reconnects with its token
// (otherwise reloading the page would undo "stop publishing"). In token mode
// the identity is the token's sub, so this holds; in open mode peerIds are
// chosen by the clients and this only stops a client that keeps its peerId.
import type { Grants } from '../../protocol/access.ts';
import type { GrantsChange } from '../../protocol/moderation.ts';
import { applyGrantsChange } from '../auth/grantsChange.ts';
import { createHttpError } from '../errors.ts';

export const REMOVED_REASON = 'removed from this room by a moderator';

export class ModerationRecord {
	readonly #removed = new Set<string>();
	readonly #grantsChanges = new Map<string, GrantsChange[]>();

	/** The member may not come back while the room lives. */
	remove(memberId: string): void {
		this.#removed.add(memberId);
	}

	/** A 403 when a moderator removed this member from the room. */
	checkNotRemoved(memberId: string): void {
		if (this.#removed.has(memberId)) throw createHttpError(403, REMOVED_REASON);
	}

	changeGrants(peerId: string, change: GrantsChange): void {
		const changes = this.#grantsChanges.get(peerId) ?? [];
		changes.push(change);
		this.#grantsChanges.set(peerId, changes);
	}

	/** A new connection's grants: its token's, with what moderators changed for its identity, in order. */
	grantsFor(peerId: string, tokenGrants: Grants): Grants {
		return (this.#grantsChanges.get(peerId) ?? []).reduce(applyGrantsChange, tokenGrants);
	}
}
