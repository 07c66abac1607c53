// A room member connected over a PeerChannel (a browser, or any client of the
// classic mediasoup-demo dialect). Owns its channel: closing the Peer closes
// it. The channel closing (the client gone) closes the Peer, except when a
// joined peer's connection dropped (PeerChannel.lost): then the peer is kept,
// with everything it has, for a grace period (reconnecting), and its client
// may resume the session over a new channel with the join answer's secret.
// The server's requests to it wait for that; its notifications are dropped
// meanwhile (sessionResumed tells the resumed client how things are now).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Grants } from '../../protocol/access.ts';
import type {
	CloseReason,
	ServerNotificationData,
	ServerNotificationMethod,
	ServerRequestData,
	ServerRequestMethod,
	SessionResumed,
} from '../../protocol/signaling.ts';
import { createHttpError } from '../errors.ts';
import { GracePeriod } from './GracePeriod.ts';
import { type MemberDescription, Participant } from './Participant.ts';
import type { PeerChannel } from './PeerChannel.ts';

/** What `Peer.session` emits, beside the observer's `close`. */
export type SessionEvents = {
	/** The connection dropped: the peer is kept for the grace period. */
	reconnecting: [];
	/** The peer resumed its session after its connection had dropped. */
	reconnected: [];
};

/** Why a peer closed, for the log: a reason the client was told, or its grace period ran out. */
export type PeerCloseReason = CloseReason | 'graceExpired';

export interface PeerOptions {
	consumerReplicas: number;
	grants: Grants;
	/** How long a joined peer whose connection dropped is kept (0: it closes at once). */
	graceMs: number;
}

export interface RequestOptions {
	/**
	 * Checked before the request goes out, and again before it is sent anew
	 * after a resume: false drops it (it rejects). A newConsumer for a consumer
	 * that closed while its peer was away must not reach the client.
	 */
	stillWanted?: () => boolean;
}

/** Bytes of a resume secret: 256 bits, as base64url 43 characters. */
const RESUME_SECRET_BYTES = 32;

export class Peer extends Participant {
	readonly kind = 'peer';
	/** Its connection's ups and downs while the session lasts (the Room tells the others). */
	readonly session = new EventEmitter<SessionEvents>();
	/** How many extra consumers of each producer to create (load testing). */
	readonly consumerReplicas: number;
	/** performance.now() when its connection was accepted: where its join latency starts. */
	readonly connectedAt = performance.now();
	readonly #graceMs: number;
	#channel: PeerChannel;
	/** Stops listening to the current channel (before it is swapped for a new one). */
	#unwatch: () => void = () => {};
	#grants: Grants;
	#joined = false;
	#replaced = false;
	/** SHA-256 of the session's resume secret: compared in constant time, never kept in clear. */
	#secretDigest: Buffer | undefined;
	/** Set while the connection is down and the peer waits for its client. */
	#grace: GracePeriod | undefined;
	#closeReason: PeerCloseReason | undefined;

	constructor(id: string, channel: PeerChannel, { consumerReplicas, grants, graceMs }: PeerOptions) {
		super(id);
		this.consumerReplicas = consumerReplicas;
		this.#grants = grants;
		this.#graceMs = graceMs;
		this.#channel = channel;
		this.#watch(channel);
	}

	/** What it may do: its token's grants (everything in open mode), as a moderator last set them. */
	get grants(): Grants {
		return this.#grants;
	}

	set grants(grants: Grants) {
		this.#grants = grants;
	}

	/** Not announced to the others (recorders, bots): the hidden grant. */
	get hidden(): boolean {
		return this.#grants.hidden;
	}

	/** Whether it joined: the others know it, and it gets consumers. */
	get joined(): boolean {
		return this.#joined;
	}

	/** Whether a newer connection with the same peerId replaced this one. */
	get replaced(): boolean {
		return this.#replaced;
	}

	/** Whether its connection dropped and it waits, in its grace period, for its client to resume. */
	get reconnecting(): boolean {
		return this.#grace !== undefined;
	}

	/** Whole seconds left of its grace period (0 when not reconnecting). */
	get graceSecondsLeft(): number {
		return this.#grace?.secondsLeft ?? 0;
	}

	/** Why it closed, once closed by the server; undefined when its client closed the connection. */
	get closeReason(): PeerCloseReason | undefined {
		return this.#closeReason;
	}

	/** The join request: what the peer says about itself, once. Answers the session's resume secret. */
	join(description: MemberDescription): string {
		if (this.#joined) throw createHttpError(403, 'peer already joined');
		this.describe(description);
		this.#joined = true;
		const secret = randomBytes(RESUME_SECRET_BYTES).toString('base64url');
		this.#secretDigest = digest(secret);
		return secret;
	}

	/** Whether `secret` is this session's resume secret (constant time; a peer that has not joined has none). */
	holdsSecret(secret: string): boolean {
		return this.#secretDigest !== undefined && timingSafeEqual(digest(secret), this.#secretDigest);
	}

	/**
	 * The client is back on a new channel (its old one dropped, or it is
	 * about to: a client may notice before the server does). The old channel
	 * is closed, `sessionResumed` goes out first on the new one, then the
	 * requests that waited (on a later turn, when their awaits resume).
	 */
	resume(channel: PeerChannel, resumed: SessionResumed): void {
		if (this.closed) throw new Error(`peer "${this.id}" is closed: it cannot resume`);
		this.#unwatch();
		this.#channel.closeFor('resumed');
		this.#channel = channel;
		channel.notify('sessionResumed', resumed);
		const grace = this.#grace;
		this.#grace = undefined;
		if (grace) {
			grace.end(true);
			this.session.emit('reconnected');
		}
		this.#watch(channel);
	}

	/** A newer connection with this peerId takes over: this one closes. */
	replace(): void {
		this.#replaced = true;
		this.closeFor('replaced');
	}

	/** Closes the peer, telling its client why first (if it is connected). */
	closeFor(reason: CloseReason): void {
		if (this.closed) return;
		this.#closeReason = reason;
		this.close();
	}

	/** Fire and forget: dropped while the client is away (see sessionResumed). */
	notify<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void {
		this.#channel.notify(method, data);
	}

	/**
	 * A request to the client. While the peer is reconnecting it waits for the
	 * resume; one that was out when the connection dropped is sent again on the
	 * next (its answer may have been lost: a client answers a repeated
	 * newConsumer for a consumer it has without making a second). Rejects when
	 * the client refuses, when the peer closes, or when it is no longer wanted.
	 */
	async request<M extends ServerRequestMethod>(
		method: M,
		data: ServerRequestData<M>,
		{ stillWanted = () => true }: RequestOptions = {},
	): Promise<unknown> {
		for (;;) {
			const channel = await this.#connected();
			if (!stillWanted()) throw new Error(`${method} no longer wanted`);
			try {
				return await channel.request(method, data);
			} catch (error) {
				// The channel went with the request out, but the peer did not: again
				// on its next channel (it waits for the resume, or it has one).
				const next = this.#grace !== undefined || this.#channel !== channel;
				if (this.closed || !channel.closed || !next) throw error;
			}
		}
	}

	/** The current channel once the client is connected; rejects when the peer closes first. */
	async #connected(): Promise<PeerChannel> {
		while (this.#grace) await this.#grace.returned;
		if (this.closed) throw new Error(`peer "${this.id}" closed`);
		return this.#channel;
	}

	#watch(channel: PeerChannel): void {
		const onClose = () => this.#channelClosed(channel);
		channel.observer.once('close', onClose);
		this.#unwatch = () => channel.observer.off('close', onClose);
		// Gone before it was watched (the client vanished during the handshake).
		if (channel.closed) this.#channelClosed(channel);
	}

	/** A client that left closes the peer; a joined peer whose connection dropped waits for its client. */
	#channelClosed(channel: PeerChannel): void {
		if (this.closed || channel !== this.#channel || this.#grace) return;
		if (!channel.lost || !this.#joined || this.#graceMs === 0) {
			this.close();
			return;
		}
		this.#grace = new GracePeriod(this.#graceMs, () => {
			this.#closeReason = 'graceExpired';
			this.close();
		});
		this.session.emit('reconnecting');
	}

	protected override closing(): void {
		super.closing();
		this.#grace?.end(false);
		this.#grace = undefined;
		this.session.removeAllListeners();
		const reason = this.#closeReason;
		if (reason === undefined || reason === 'graceExpired') this.#channel.close();
		else this.#channel.closeFor(reason);
	}
}

function digest(secret: string): Buffer {
	return createHash('sha256').update(secret).digest();
}
