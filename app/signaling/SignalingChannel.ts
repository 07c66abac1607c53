// The protoo connection to the server, typed by protocol/signaling.ts: a
// request names its method and gets back exactly that method's response
// (validated, so a server bug is an error here, not a broken mediasoup-client
// call later); what the server sends is validated with the shared parsers
// before anyone sees it. Closed for good (by close(), or by protoo-client
// when its retries are exhausted), it tells its observer.
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
	/** Connected (also again after a reconnection). */
	onOpen(): void;
	/** The connection dropped; protoo-client retries by itself. */
	onDisconnected(): void;
	/** A connection attempt failed (more may follow). */
	onFailed(attempt: number): void;
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

export class SignalingChannel extends Closable {
	readonly #peer: protooClient.Peer;

	constructor(url: string, handlers: SignalingHandlers) {
		super();
		this.#peer = new protooClient.Peer(new protooClient.WebSocketTransport(url));
		this.#peer.on('open', () => handlers.onOpen());
		this.#peer.on('disconnected', () => handlers.onDisconnected());
		this.#peer.on('failed', (attempt) => handlers.onFailed(attempt));
		this.#peer.on('close', () => this.close());
		this.#peer.on('notification', (message) => {
			const parsed = parseServerNotification(message.method, message.data);
			if (parsed.ok) handlers.onNotification(parsed.message);
			else handlers.onProtocolError(parsed.reason);
		});
		this.#peer.on('request', (message, accept, reject) => {
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
		this.#peer.close();
	}
}
