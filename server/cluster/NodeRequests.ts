// Requests from one node to another, and their answers, through Redis
// Streams: each node has an inbox stream, reads it with a blocking XREAD on a
// connection of its own (a blocked connection can send nothing else), and
// answers into the asker's inbox. A stream rather than pub/sub, so a message
// sent while the reader was between two reads, or reconnecting for a
// moment, is still read. Every request has a timeout: the other node may be
// dead, and nothing else would ever answer.
//
// The inbox is trimmed to about 1000 entries and expires a minute after its
// last message, so the inbox of a node that died goes by itself.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Closable } from '../../lifecycle/Closable.ts';
import { errorMessage } from '../errorMessage.ts';
import { ClusterStore } from './ClusterStore.ts';
import { keys } from './keys.ts';

export type RequestHandler = (data: unknown, from: string) => unknown;

export interface NodeRequestsOptions {
	/** The node's connection for sending (requests and answers). */
	store: ClusterStore;
	redisUrl: string;
	nodeId: string;
	log: Logger;
	/** How long a request waits for its answer; default 5 s. */
	timeoutMs?: number;
}

/** How long one XREAD blocks: also how soon the reader notices close(). */
const BLOCK_MS = 1000;
const INBOX_MAX_LENGTH = 1000;
const INBOX_TTL_MS = 60_000;

const messageSchema = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('request'), id: z.string(), from: z.string(), method: z.string(), data: z.unknown() }),
	z.object({
		kind: z.literal('answer'),
		id: z.string(),
		ok: z.boolean(),
		data: z.unknown(),
		error: z.string().optional(),
	}),
]);
type Message = z.infer<typeof messageSchema>;

/** A request the other node answered with an error (its handler threw, or it has no such method). */
export class NodeRequestError extends Error {
	override name = 'NodeRequestError';
}

export class NodeRequests extends Closable {
	readonly #options: NodeRequestsOptions;
	readonly #reader: ClusterStore;
	readonly #handlers = new Map<string, RequestHandler>();
	readonly #pending = new Map<string, { resolve: (data: unknown) => void; reject: (error: Error) => void }>();
	readonly #reading: Promise<void>;
	readonly #listening = Promise.withResolvers<void>();

	constructor(options: NodeRequestsOptions) {
		super();
		this.#options = options;
		this.#reader = new ClusterStore({
			url: options.redisUrl,
			nodeId: `${options.nodeId}:inbox`,
			log: options.log,
			commandTimeoutMs: BLOCK_MS + 2000,
		});
		this.#reading = this.#read();
	}

	/** Answers `method` requests with what the handler returns (or throws). */
	handle(method: string, handler: RequestHandler): void {
		this.#handlers.set(method, handler);
	}

	/** Sends a request to another node; resolves with its answer, rejects on its error or after the timeout. */
	async request(nodeId: string, method: string, data: unknown, timeoutMs = this.#options.timeoutMs ?? 5000) {
		if (this.closed) throw new Error('node requests are closed');
		const id = randomUUID();
		const answer = new Promise<unknown>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(id);
				reject(new Error(`node ${nodeId} did not answer ${method} within ${timeoutMs} ms`));
			}, timeoutMs);
			this.#pending.set(id, {
				resolve: (value) => {
					clearTimeout(timer);
					resolve(value);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			});
		});
		try {
			await this.#send(nodeId, { kind: 'request', id, from: this.#options.nodeId, method, data });
		} catch (error) {
			this.#pending.get(id)?.reject(new Error(`request ${method} to node ${nodeId} not sent: ${errorMessage(error)}`));
			this.#pending.delete(id);
		}
		return answer;
	}

	/** Resolves once this node reads its inbox: requests sent to it from then on are answered. */
	whenListening(): Promise<void> {
		return this.#listening.promise;
	}

	/** Resolves once the reader stopped after close(). */
	whenStopped(): Promise<void> {
		return this.#reading;
	}

	protected closing(): void {
		this.#reader.close();
		for (const { reject } of this.#pending.values()) reject(new Error('node requests closed'));
		this.#pending.clear();
	}

	async #send(nodeId: string, message: Message): Promise<void> {
		const inbox = keys.nodeInbox(nodeId);
		const { redis } = this.#options.store;
		if (!this.#options.store.reachable) throw new Error('Redis is not reachable');
		await redis
			.multi()
			.xadd(inbox, 'MAXLEN', '~', INBOX_MAX_LENGTH, '*', 'message', JSON.stringify(message))
			.pexpire(inbox, INBOX_TTL_MS)
			.exec();
	}

	async #read(): Promise<void> {
		const inbox = keys.nodeInbox(this.#options.nodeId);
		// From the inbox's end as it is now: what a former process of this node left there is not ours.
		let lastId: string | undefined;
		while (!this.closed) {
			try {
				if (!this.#reader.reachable && !(await this.#reader.whenReachable(BLOCK_MS))) continue;
				if (lastId === undefined) {
					const [newest] = await this.#reader.redis.xrevrange(inbox, '+', '-', 'COUNT', 1);
					lastId = newest?.[0] ?? '0-0';
					this.#listening.resolve();
				}
				const reply = await this.#reader.redis.call('XREAD', 'COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', inbox, lastId);
				for (const [id, fields] of streamEntries(reply)) {
					lastId = id;
					this.#receive(fields);
				}
			} catch (error) {
				if (this.closed) break;
				this.#options.log.debug({ error: errorMessage(error) }, 'inbox read failed');
				await sleep(200);
			}
		}
	}

	#receive(fields: string[]): void {
		const text = fields[fields.indexOf('message') + 1];
		let message: Message;
		try {
			message = messageSchema.parse(JSON.parse(text ?? ''));
		} catch {
			this.#options.log.warn('unreadable message in the inbox: dropped');
			return;
		}
		if (message.kind === 'answer') {
			const pending = this.#pending.get(message.id);
			this.#pending.delete(message.id);
			if (!pending) return;
			if (message.ok) pending.resolve(message.data);
			else pending.reject(new NodeRequestError(message.error ?? 'the other node failed'));
			return;
		}
		void this.#answer(message);
	}

	async #answer(request: Extract<Message, { kind: 'request' }>): Promise<void> {
		const handler = this.#handlers.get(request.method);
		let answer: Message;
		try {
			if (!handler) throw new Error(`node ${this.#options.nodeId} has no request method ${request.method}`);
			answer = { kind: 'answer', id: request.id, ok: true, data: await handler(request.data, request.from) };
		} catch (error) {
			answer = { kind: 'answer', id: request.id, ok: false, data: null, error: errorMessage(error) };
		}
		if (this.closed) return;
		try {
			await this.#send(request.from, answer);
		} catch (error) {
			this.#options.log.debug({ error: errorMessage(error), method: request.method }, 'answer not sent');
		}
	}
}

/** XREAD's reply for one stream as [id, fields] pairs; nothing for a timeout. */
function streamEntries(reply: unknown): [string, string[]][] {
	if (!Array.isArray(reply)) return [];
	const [stream] = reply as [unknown];
	if (!Array.isArray(stream)) return [];
	const entries = stream[1];
	return Array.isArray(entries) ? (entries as [string, string[]][]) : [];
}
