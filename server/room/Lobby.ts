// The lock of a room and the peers waiting in its lobby. While the room is
// locked, a peer's `join` is refused (403) unless the peer may pass: it holds
// roomAdmin, it is hidden (a recorder or bot the application backend sent:
// putting it in the lobby would announce it to the moderators), or it is a
// member (it joined or was admitted before, so a reload does not send it back
// to the lobby; "admits nobody new"). The others wait here until a moderator
// admits them (they then send `join` again) or denies them (their connection
// closes). Nobody is admitted automatically: with no moderator present the
// waiting peers wait. The joined roomAdmin peers are told of every arrival
// and departure.
import type { ServerNotificationData, ServerNotificationMethod } from '../../protocol/signaling.ts';
import { createHttpError } from '../errors.ts';
import type { Peer } from './Peer.ts';

export const LOBBY_REASON = 'room is locked: waiting in the lobby for a moderator';

interface Waiting {
	peer: Peer;
	displayName: string;
}

export class Lobby {
	#locked: boolean;
	/** By peerId: a peer's newer connection takes its place. */
	readonly #waiting = new Map<string, Waiting>();
	/** Peers who joined or were admitted: they pass the lock while the room lives. */
	readonly #members = new Set<string>();
	/** Connections that waited here at some point: their join took a moderator's time (metrics leave them out). */
	readonly #waited = new WeakSet<Peer>();
	readonly #moderators: () => readonly Peer[];

	/** `moderators`: the joined peers with roomAdmin, who are told who waits. */
	constructor(locked: boolean, moderators: () => readonly Peer[]) {
		this.#locked = locked;
		this.#moderators = moderators;
	}

	get locked(): boolean {
		return this.#locked;
	}

	/** Answers whether this changed anything. Unlocking admits everyone waiting (see admitAll). */
	setLocked(locked: boolean): boolean {
		if (locked === this.#locked) return false;
		this.#locked = locked;
		if (!locked) this.admitAll();
		return true;
	}

	/** Whether this peer's join must wait for a moderator. */
	mustWait(peer: Peer): boolean {
		return this.#locked && !peer.grants.roomAdmin && !peer.hidden && !this.#members.has(peer.id);
	}

	/**
	 * The peer's join was refused: it waits (once; a second join while waiting
	 * only tells it again). Throws the 403 the join is answered with.
	 */
	enter(peer: Peer, displayName: string): never {
		const already = this.isWaiting(peer);
		this.#waiting.set(peer.id, { peer, displayName });
		this.#waited.add(peer);
		peer.notify('lobbyEntered', {});
		if (!already) this.#tellModerators('lobbyPeerWaiting', { peerId: peer.id, displayName });
		throw createHttpError(403, LOBBY_REASON);
	}

	/** The peer is in the room now: it passes the lock from now on. */
	joined(peer: Peer): void {
		this.#members.add(peer.id);
	}

	/** Whether this connection waited in the lobby before it joined (or waits now). */
	waited(peer: Peer): boolean {
		return this.#waited.has(peer);
	}

	isWaiting(peer: Peer): boolean {
		return this.#waiting.get(peer.id)?.peer === peer;
	}

	/** A moderator let the peer in: it is told to join again, which now succeeds. */
	admit(peer: Peer): void {
		this.#checkWaiting(peer);
		this.#leave(peer);
		this.#members.add(peer.id);
		peer.notify('lobbyAdmitted', {});
	}

	/** A moderator turned the peer away: it is told so and its connection closes. */
	deny(peer: Peer): void {
		this.#checkWaiting(peer);
		this.#leave(peer);
		peer.notify('lobbyDenied', { reason: '' });
		peer.closeFor('denied');
	}

	/**
	 * The room was unlocked: whoever waited would now be let in by a plain
	 * join, so each is told to join again rather than left waiting for a
	 * moderator who has nothing left to decide (Jitsi does the same when its
	 * lobby is turned off).
	 */
	admitAll(): void {
		for (const { peer } of [...this.#waiting.values()]) this.admit(peer);
	}

	/** The peer's connection closed (or was removed): it waits no more. */
	left(peer: Peer): void {
		if (this.isWaiting(peer)) this.#leave(peer);
	}

	/** A removed identity is no member any longer. */
	forget(peerId: string): void {
		this.#members.delete(peerId);
	}

	/** Who waits, as a moderator is told of them (a resumed moderator gets the list: sessionResumed). */
	waiting(): { peerId: string; displayName: string }[] {
		return [...this.#waiting.values()].map(({ peer, displayName }) => ({ peerId: peer.id, displayName }));
	}

	/** A peer that just became a moderator (joined with roomAdmin, or was given it) learns who waits. */
	tellWaiting(moderator: Peer): void {
		for (const { peer, displayName } of this.#waiting.values()) {
			moderator.notify('lobbyPeerWaiting', { peerId: peer.id, displayName });
		}
	}

	#leave(peer: Peer): void {
		this.#waiting.delete(peer.id);
		this.#tellModerators('lobbyPeerLeft', { peerId: peer.id });
	}

	#tellModerators<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void {
		for (const moderator of this.#moderators()) moderator.notify(method, data);
	}

	/** A 409 unless the peer waits here: a moderator can only admit or deny a waiting peer. */
	#checkWaiting(peer: Peer): void {
		if (!this.isWaiting(peer)) throw createHttpError(409, `peer "${peer.id}" is not waiting in the lobby`);
	}
}
