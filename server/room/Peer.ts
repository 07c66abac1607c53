// A room member connected over a PeerChannel (a browser, or any client of the
// classic mediasoup-demo dialect). Owns its channel: closing the Peer closes
// it, and the channel closing (the client gone) closes the Peer.

import type { Grants } from '../../protocol/access.ts';
import type {
	ServerNotificationData,
	ServerNotificationMethod,
	ServerRequestData,
	ServerRequestMethod,
} from '../../protocol/signaling.ts';
import { createHttpError } from '../errors.ts';
import { type MemberDescription, Participant } from './Participant.ts';
import type { PeerChannel } from './PeerChannel.ts';

export class Peer extends Participant {
	readonly kind = 'peer';
	/** How many extra consumers of each producer to create (load testing). */
	readonly consumerReplicas: number;
	readonly #channel: PeerChannel;
	#grants: Grants;
	#joined = false;
	#replaced = false;

	constructor(
		id: string,
		channel: PeerChannel,
		{ consumerReplicas, grants }: { consumerReplicas: number; grants: Grants },
	) {
		super(id);
		this.#channel = channel;
		this.consumerReplicas = consumerReplicas;
		this.#grants = grants;
		channel.observer.once('close', () => this.close());
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

	/** The join request: what the peer says about itself, once. */
	join(description: MemberDescription): void {
		if (this.#joined) throw createHttpError(403, 'peer already joined');
		this.describe(description);
		this.#joined = true;
	}

	/** A newer connection with this peerId takes over: this one closes. */
	replace(): void {
		this.#replaced = true;
		this.close();
	}

	/** Fire and forget: the channel drops a notification to a client that left. */
	notify<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void {
		this.#channel.notify(method, data);
	}

	request<M extends ServerRequestMethod>(method: M, data: ServerRequestData<M>): Promise<unknown> {
		return this.#channel.request(method, data);
	}

	protected override closing(): void {
		super.closing();
		this.#channel.close();
	}
}
