// The protoo connection to the server, typed by protocol/signaling.ts: a
// request names its method and gets back exactly that method's response
// (validated, so a server bug is an error here, not a broken mediasoup-client
// call later); what the server sends is validated with the shared parsers
// before anyone sees it.
//
// One channel is one WebSocket: protoo-client's own retries are off, because
// a page that comes back must say how (a resume secret, or a new session)
// and only its owner knows which. A connection that could not open, or that
// dropped, closes the channel (onLost first); the owner makes the next one.
import * as protooClient from 'protoo-client';
import { Closable } from '../../lifecycle/Closable.ts';
import {
	type ClientRequestInput,
	type ClientRequestMethod,
	type ClientResponses,
	clientResponses,
	parseServerNotification,
	parseServerRequest,
	type ServerNotification,
	type ServerRequest,
} from '../../protocol/signaling.ts';

export interface SignalingHandlers {
	/** Connected. */
	onOpen(): void;
	/**
	 * The connection ended without close() (the channel closes right after):
	 * `opened` false when it never opened (unreachable, or the handshake was
	 * refused), true when it dropped (the network, or the server closed it).
	 */
	onLost(opened: boolean): void;
	/** Resolves to accept the request, rejects to refuse it. */
	onRequest(request: ServerRequest): Promise<void>;
	onNotification(notification: ServerNotification): void;
	/** The server sent something the protocol does not allow. */
	onProtocolError(reason: string): void;
}

/** A protoo error response, with the server's code (400, 403, 404, 500). */
export class SignalingError extends Error {
	readonly code: number | undefined;

	constructor(method: string, message: string, code?: number) {
		super(`${method}: ${message}`);
		this.name = 'SignalingError';
		this.code = code;
	}
}

function errorCode(error: unknown): number | undefined {
	const code = (error as { errorCode?: unknown } | null)?.errorCode;
	return typeof code === 'number' ? code : undefined;
}

/** protoo-client's retry options: none (see above). */
const NO_RETRIES = { retries: 0 };

/**
 * How long a connection may take to open before it counts as failed: over a
 * network that went away a WebSocket neither opens nor fails for minutes.
 */
export const OPEN_TIMEOUT_MS = 10_000;

export class SignalingChannel extends Closable {
	readonly #peer: protooClient.Peer;
	readonly #openTimer: ReturnType<typeof setTimeout>;
	#opened = false;
	/** Given up on (abandon()): nothing it receives is passed on any more. */
	#abandoned = false;

	constructor(url: string, handlers: SignalingHandlers) {
		super();
		this.#peer = new protooClient.Peer(new protooClient.WebSocketTransport(url, { retry: NO_RETRIES }));
		this.#openTimer = setTimeout(() => this.#lost(handlers), OPEN_TIMEOUT_MS);
		this.#peer.on('open', () => {
			this.#opened = true;
			clearTimeout(this.#openTimer);
			if (!this.#abandoned) handlers.onOpen();
		});
		// protoo-client would open a new WebSocket to the same URL by itself.
		this.#peer.on('disconnected', () => this.#lost(handlers));
		this.#peer.on('failed', () => this.#lost(handlers));
		// Also after a close code 4000 (the server closed it): lost all the same.
		this.#peer.on('close', () => this.#lost(handlers));
		this.#peer.on('notification', (message) => {
			if (this.#abandoned) return;
			const parsed = parseServerNotification(message.method, message.data);
			if (parsed.ok) handlers.onNotification(parsed.message);
			else handlers.onProtocolError(parsed.reason);
		});
		this.#peer.on('request', (message, accept, reject) => {
			if (this.#abandoned) {
				reject(503, 'this connection was given up on');
				return;
			}
			const parsed = parseServerRequest(message.method, message.data);
			if (!parsed.ok) {
				handlers.onProtocolError(parsed.reason);
				reject(parsed.code, parsed.reason);
				return;
			}
			handlers.onRequest(parsed.message).then(
				() => accept(),
				(error: unknown) => reject(500, error instanceof Error ? error.message : String(error)),
			);
		});
	}

	#lost(handlers: SignalingHandlers): void {
		if (this.closed) return;
		if (!this.#abandoned) handlers.onLost(this.#opened);
		this.close();
	}

	/**
	 * The connection seems dead (it stopped answering): its owner stops
	 * listening to it and goes on over a new one, but does not close it yet.
	 * A close frame that gets through once the network is back would tell the
	 * server the page left, and end the session the new connection is about
	 * to resume; the server closes this one itself when the resume takes over
	 * (`closing {reason: "resumed"}`). close() it once that is done.
	 */
	abandon(): void {
		this.#abandoned = true;
		clearTimeout(this.#openTimer);
	}

	/**
	 * Whether the server still answers within `timeoutMs`: a WebSocket over a
	 * network that went dead stays open for minutes, and only a request that
	 * gets no answer tells.
	 */
	async probe(timeoutMs: number): Promise<boolean> {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timedOut = new Promise<boolean>((resolve) => {
			timer = setTimeout(() => resolve(false), timeoutMs);
		});
		const answered = this.request('getRouterRtpCapabilities').then(
			() => true,
			() => false,
		);
		try {
			return await Promise.race([answered, timedOut]);
		} finally {
			clearTimeout(timer);
		}
	}

	async request<M extends ClientRequestMethod>(
		method: M,
		...[data]: ClientRequestInput<M> extends Record<string, never> ? [] : [ClientRequestInput<M>]
	): Promise<ClientResponses[M]> {
		let raw: unknown;
		try {
			raw = await this.#peer.request(method, data ?? {});
		} catch (error) {
			throw new SignalingError(method, error instanceof Error ? error.message : String(error), errorCode(error));
		}
		const parsed = clientResponses[method].safeParse(raw);
		if (!parsed.success) throw new SignalingError(method, `unexpected response: ${parsed.error.message}`);
		return parsed.data;
	}

	protected override closing(): void {
		clearTimeout(this.#openTimer);
		this.#peer.close();
	}
}
