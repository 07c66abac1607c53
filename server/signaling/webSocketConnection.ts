// The WebSocket under a protoo-server transport (websocket-node's connection),
// for the two things protoo-server does not pass on: how the connection
// closed, and closing it with a reason of ours. protoo-server 4.0.8 (pinned
// exactly, and patched: patches/) keeps it as the transport's `_connection`;
// a version that does not is found at the first connection, not guessed at.
import type * as protoo from 'protoo-server';

/** What we use of websocket-node's WebSocketConnection. */
export interface WebSocketConnection {
	/** -1 while open; the close code once closed (1006 when no close frame came: the connection dropped). */
	readonly closeReasonCode: number;
	/** Sends a close frame with this code and reason, if still open. */
	close(reasonCode: number, description: string): void;
}

/** RFC 6455: the connection closed without a close frame (websocket-node also uses it for a ping timeout). */
export const ABNORMAL_CLOSURE = 1006;

export function webSocketConnectionOf(transport: protoo.WebSocketTransport): WebSocketConnection {
	const connection: unknown = Reflect.get(transport, '_connection');
	if (!isWebSocketConnection(connection)) {
		throw new Error(
			'protoo-server WebSocketTransport has no websocket-node connection (_connection): was it upgraded?',
		);
	}
	return connection;
}

function isWebSocketConnection(value: unknown): value is WebSocketConnection {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof Reflect.get(value, 'closeReasonCode') === 'number' &&
		typeof Reflect.get(value, 'close') === 'function'
	);
}
