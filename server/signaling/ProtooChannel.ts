// A PeerChannel over a protoo WebSocket: what the room layer says to a peer
// becomes protoo notifications and requests. Owns the protoo peer: closing the
// channel closes the WebSocket, and the WebSocket closing closes the channel.
import * as protoo from 'protoo-server';
import { Closable } from '../../lifecycle/Closable.ts';
import type {
	CloseReason,
	ServerNotificationData,
	ServerNotificationMethod,
	ServerRequestData,
	ServerRequestMethod,
} from '../../protocol/signaling.ts';
import type { PeerChannel } from '../room/PeerChannel.ts';
import { ABNORMAL_CLOSURE, type WebSocketConnection, webSocketConnectionOf } from './webSocketConnection.ts';

/**
 * The close code of every close the server starts, as protoo-server's own:
 * protoo-client reconnects by itself, to the same URL, after any other code,
 * and that reconnection would undo a removal or take a session back from
 * the connection that replaced it. The reason travels in `closing` (and as the
 * close frame's reason, for clients that can read it).
 */
const SERVER_CLOSE_CODE = 4000;

export class ProtooChannel extends Closable implements PeerChannel {
	readonly protoo: protoo.Peer;
	readonly #connection: WebSocketConnection;
	#lost = false;
	#reason: CloseReason | undefined;

	constructor(peerId: string, transport: protoo.WebSocketTransport) {
		super();
		this.#connection = webSocketConnectionOf(transport);
		// A protoo Room of its own: protoo refuses a second peer with one id in
		// a Room, and a replacing (or resuming) connection arrives while the old
		// one may still be open. Our Room decides about both.
		this.protoo = new protoo.Room().createPeer(peerId, transport);
		this.protoo.on('close', () => {
			if (this.closed) return;
			this.#lost = this.#connection.closeReasonCode === ABNORMAL_CLOSURE;
			this.close();
		});
	}

	get lost(): boolean {
		return this.#lost;
	}

	notify<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void {
		if (this.protoo.closed) return;
		this.protoo.notify(method, data).catch(() => {});
	}

	request<M extends ServerRequestMethod>(method: M, data: ServerRequestData<M>): Promise<unknown> {
		return this.protoo.request(method, data);
	}

	closeFor(reason: CloseReason): void {
		if (this.closed) return;
		// Written to the socket at once, ahead of the close frame.
		this.notify('closing', { reason });
		this.#reason = reason;
		this.close();
	}

	protected closing(): void {
		if (this.#reason !== undefined) this.#connection.close(SERVER_CLOSE_CODE, this.#reason);
		this.protoo.close();
	}
}
