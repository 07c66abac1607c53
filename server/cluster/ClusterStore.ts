// The node's connection to Redis, the cluster's shared state. Redis going away
// must never take calls down with it: the client reconnects forever with a
// capped backoff, an error is logged once per outage (not per retry), and
// commands sent while Redis is unreachable fail at once instead of queueing
// (enableOfflineQueue off): a heartbeat that could not be sent is worthless
// later, and a queue of them would replay stale state after the outage.
// Commands time out (commandTimeout), so a Redis that hangs behind a
// partition looks like one that is down, and lease renewals fail in time
// rather than hanging past the lease.
//
// `reachable` is what a readiness check reads; observers learn of 'reachable'
// (connected and ready again: registrations are renewed at once) and
// 'unreachable'.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import { errorMessage } from '../errorMessage.ts';
import { defineScripts, runScript, type ScriptName } from './scripts.ts';

export type ClusterStoreEvents = { close: []; reachable: []; unreachable: [] };

export interface ClusterStoreOptions {
	url: string;
	/** Shown in Redis's CLIENT LIST, so an operator sees which node holds which connection. */
	nodeId: string;
	log: Logger;
	/** How long one command may take before it fails; default 2 s. */
	commandTimeoutMs?: number;
}

/** Reconnection delays: 100 ms doubling to 2 s, with jitter so restarted nodes do not reconnect in step. */
export function reconnectDelayMs(attempt: number): number {
	const base = Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000);
	return base + Math.floor(Math.random() * 100);
}

export class ClusterStore extends Closable<ClusterStoreEvents> {
	readonly redis: Redis;
	readonly #log: Logger;
	#reachable = false;
	/** Logged once per outage: a Redis down for an hour must not fill the log. */
	#outageLogged = false;

	constructor({ url, nodeId, log, commandTimeoutMs = 2000 }: ClusterStoreOptions) {
		super();
		this.#log = log;
		this.redis = new Redis(url, {
			connectionName: `mediasoup-conference:${nodeId}`,
			retryStrategy: reconnectDelayMs,
			enableOfflineQueue: false,
			maxRetriesPerRequest: 0,
			commandTimeout: commandTimeoutMs,
			connectTimeout: commandTimeoutMs,
			// RESP2 replies: what every Redis since 2.x speaks, and what the Lua
			// scripts' replies are written for.
			protocol: 2,
		});
		defineScripts(this.redis);
		this.redis.on('ready', () => this.#onReady());
		this.redis.on('error', (error) => this.#onError(error));
		this.redis.on('close', () => this.#onLost());
	}

	/** Connected and ready for commands: what a readiness check reports. */
	get reachable(): boolean {
		return this.#reachable;
	}

	/** One of scripts.ts's scripts; rejects at once while Redis is unreachable. */
	run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[] = []): Promise<unknown> {
		if (!this.#reachable) return Promise.reject(new Error('Redis is not reachable'));
		return runScript(this.redis, name, keys, args);
	}

	/** Resolves true once Redis is reachable, or false after timeoutMs (or on close). */
	whenReachable(timeoutMs: number): Promise<boolean> {
		if (this.#reachable) return Promise.resolve(true);
		if (this.closed) return Promise.resolve(false);
		return new Promise((resolve) => {
			const done = (result: boolean) => {
				clearTimeout(timer);
				this.observer.off('reachable', onReachable);
				this.observer.off('close', onClose);
				resolve(result);
			};
			const onReachable = () => done(true);
			const onClose = () => done(false);
			const timer = setTimeout(() => done(false), timeoutMs);
			this.observer.on('reachable', onReachable);
			this.observer.on('close', onClose);
		});
	}

	/** Stops reconnecting and drops the connection; whoever holds leases releases them first. */
	protected closing(): void {
		this.#reachable = false;
		this.redis.disconnect();
	}

	#onReady(): void {
		if (this.closed) return;
		if (this.#outageLogged) this.#log.info('Redis reachable again');
		this.#outageLogged = false;
		this.#reachable = true;
		this.observer.emit('reachable');
	}

	#onError(error: Error): void {
		if (this.#outageLogged || this.closed) return;
		this.#outageLogged = true;
		this.#log.warn(
			{ error: errorMessage(error) },
			'Redis unreachable: calls go on, cluster state waits; reconnecting until it is back',
		);
	}

	#onLost(): void {
		if (!this.#reachable) return;
		this.#reachable = false;
		if (!this.closed) this.observer.emit('unreachable');
	}
}
