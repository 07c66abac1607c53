// A PeerChannel over a protoo WebSocket: what the room layer says to a peer
// becomes protoo notifications and requests. Owns the protoo peer: closing the
// channel closes the WebSocket, and the WebSocket closing closes the channel.
import type * as protoo from 'protoo-server';
import { Closable } from '../../lifecycle/Closable.ts';
import type {
	ServerNotificationData,
	ServerNotificationMethod,
	ServerRequestData,
	ServerRequestMethod,
} from '../../protocol/signaling.ts';
import type { PeerChannel } from '../room/PeerChannel.ts';

export class ProtooChannel extends Closable implements PeerChannel {
	readonly protoo: protoo.Peer;

	constructor(protooPeer: protoo.Peer) {
		super();
		this.protoo = protooPeer;
		protooPeer.on('close', () => this.close());
	}

	notify<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void {
		if (this.protoo.closed) return;
		this.protoo.notify(method, data).catch(() => {});
	}

	request<M extends ServerRequestMethod>(method: M, data: ServerRequestData<M>): Promise<unknown> {
		return this.protoo.request(method, data);
	}

	protected closing(): void {
		this.protoo.close();
	}
}
