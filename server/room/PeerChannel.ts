// How the room layer reaches a peer's client, whatever carries it: the Room
// and the Peer never see the wire. signaling/ProtooChannel.ts is the one
// implementation, over a protoo WebSocket. The channel closes when the client
// goes (or when it is closed), and its observer says so.
import type { EventEmitter } from 'node:events';
import type { CloseEvents } from '../../lifecycle/Closable.ts';
import type {
	CloseReason,
	ServerNotificationData,
	ServerNotificationMethod,
	ServerRequestData,
	ServerRequestMethod,
} from '../../protocol/signaling.ts';

export interface PeerChannel {
	readonly closed: boolean;
	/**
	 * Closed because the connection dropped (the network went, or the client
	 * stopped answering pings), not because the client closed it or the server
	 * did: such a client may come back and resume its session.
	 */
	readonly lost: boolean;
	readonly observer: EventEmitter<CloseEvents>;
	/** Fire and forget: a notification to a client that just left is not an error. */
	notify<M extends ServerNotificationMethod>(method: M, data: ServerNotificationData<M>): void;
	/** Resolves with the client's answer, rejects with its refusal or when the channel closes. */
	request<M extends ServerRequestMethod>(method: M, data: ServerRequestData<M>): Promise<unknown>;
	/** Tells the client why (`closing`), then closes. */
	closeFor(reason: CloseReason): void;
	close(): void;
}
