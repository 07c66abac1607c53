// A room member connected over protoo (a browser, or any client of the
// classic mediasoup-demo dialect). Owns its protoo peer: closing the Peer
// closes the WebSocket; the Room reacts to the protoo peer's 'close'.
import type * as protoo from 'protoo-server';
import type {
	ServerNotificationData,
	ServerNotificationMethod,
	ServerRequestData,
	ServerRequestMethod,
} from '../../protocol/signaling.ts';
import { Participant } from './Participant.ts';

export class Peer extends Participant {
	readonly kind = 'peer';
	readonly protoo: protoo.Peer;
	/** How many extra consumers of each producer to create (load testing). */
	readonly consumerReplicas: number;
	joined = false;
	/** Set when a newer connection with the same peerId replaced this one. */
	replaced = false;
	/**
	 * Settles once the consumers this peer was owed at its join are made and
	 * answered, or ARRIVAL_WAIT_MS after it (arrival.ts). Its producers reach
	 * the others after that. A peer cannot produce before it joins.
	 */
	arrived: Promise<void> = Promise.resolve();

	constructor(protooPeer: protoo.Peer, consumerReplicas: number) {
		super(protooPeer.id);
		this.protoo = protooPeer;
		this.consumerReplicas = consumerReplicas;
	}

	get closed(): boolean {
		return this.protoo.closed;
	}

	/** Fire and forget: a notification to a peer that just left is not an error. */
	notify<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void {
		if (this.protoo.closed) return;
		this.protoo.notify(method, data).catch(() => {});
	}

	request<M extends ServerRequestMethod>(method: M, data: ServerRequestData<M>): Promise<unknown> {
		return this.protoo.request(method, data);
	}

	close(): void {
		this.protoo.close();
	}
}
