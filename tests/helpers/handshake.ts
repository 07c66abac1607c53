// What a client sees of a protoo WebSocket handshake: accepted (101), or
// refused with an HTTP status and the server's reason (protoo-server sends it
// in the X-WebSocket-Reject-Reason header). protoo-client only says "failed",
// so tests that assert why a connection was refused open the WebSocket with
// the `websocket` package protoo itself uses, as a browser or script would.
import websocket from 'websocket';

export interface HandshakeAnswer {
	/** 101 when the WebSocket opened, else the HTTP status of the refusal. */
	status: number;
	/** Why it was refused; '' when it opened. */
	reason: string;
}

export interface HandshakeOptions {
	/** PEM of the server's certificate, trusted for this connection only. */
	ca: string;
	/** The Origin header a browser page would send; none when left out (scripts, ffmpeg). */
	origin?: string;
}

/** Opens a protoo WebSocket and closes it again at once if it opened. */
export function handshake(url: string, { ca, origin }: HandshakeOptions): Promise<HandshakeAnswer> {
	const client = new websocket.client({ tlsOptions: { ca } });
	return new Promise<HandshakeAnswer>((resolve, reject) => {
		client.on('connect', (connection) => {
			connection.close();
			resolve({ status: 101, reason: '' });
		});
		// With a listener here, the client hands over a non-101 answer instead of failing.
		client.on('httpResponse', (response) => {
			const reason = response.headers['x-websocket-reject-reason'];
			resolve({ status: response.statusCode ?? 0, reason: typeof reason === 'string' ? reason : '' });
		});
		client.on('connectFailed', reject);
		client.connect(url, 'protoo', origin);
	});
}
