// This node in the cluster's registry: its record (addresses, workers, load,
// draining) written every heartbeatMs with a lease of leaseMs, so the other
// nodes see it while it lives and stop seeing it within leaseMs of its death
// (SIGKILL, a lost machine, a partition from Redis): nobody has to notice the
// death, the lease just runs out. Liveness is judged by Redis's clock only.
//
// A heartbeat that fails (Redis down) is not retried: the next one comes
// anyway. When Redis is reachable again (a restart that lost everything) the
// node registers at once instead of waiting for its next beat.
//
// close() stops the heartbeats and removes the record, so the others see a
// node that stopped cleanly go at once rather than after its lease;
// whenLeft() tells when that is done.
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import { errorMessage } from '../errorMessage.ts';
import type { ClusterStore } from './ClusterStore.ts';
import { keys } from './keys.ts';
import { type LiveNode, type NodeRecord, nodeRecordSchema, pairs, parseRecord } from './records.ts';

/** What the node says about itself at each heartbeat (the registry adds its id and start time). */
export type NodeDescription = Omit<NodeRecord, 'id' | 'startedAt'>;

export interface NodeRegistryOptions {
	store: ClusterStore;
	nodeId: string;
	heartbeatMs: number;
	leaseMs: number;
	describe: () => NodeDescription | Promise<NodeDescription>;
	log: Logger;
}

export class NodeRegistry extends Closable {
	readonly nodeId: string;
	readonly #options: NodeRegistryOptions;
	readonly #startedAt = Date.now();
	readonly #timer: NodeJS.Timeout;
	/** The heartbeat in flight: another one is not started beside it. */
	#beating: Promise<boolean> | undefined;
	/** When (performance.now()) the last successful heartbeat was sent: the record lives until then + leaseMs. */
	#lastBeatSentAt = Number.NEGATIVE_INFINITY;
	#left: Promise<void> = Promise.resolve();
	readonly #onReachable = () => void this.heartbeat();

	constructor(options: NodeRegistryOptions) {
		super();
		this.#options = options;
		this.nodeId = options.nodeId;
		this.#timer = setInterval(() => void this.heartbeat(), options.heartbeatMs);
		options.store.observer.on('reachable', this.#onReachable);
		void this.heartbeat();
	}

	/** Whether this node's record is in Redis now, as far as this node can tell (its last heartbeat's lease runs). */
	get registered(): boolean {
		return !this.closed && performance.now() < this.#lastBeatSentAt + this.#options.leaseMs;
	}

	/** Writes the record now (e.g. draining changed); resolves whether Redis took it. */
	heartbeat(): Promise<boolean> {
		if (this.closed) return Promise.resolve(false);
		this.#beating ??= this.#beat().finally(() => {
			this.#beating = undefined;
		});
		return this.#beating;
	}

	/** The live nodes (this one included once registered), by id. */
	async list(): Promise<LiveNode[]> {
		const { store } = this.#options;
		const live = pairs(await store.run('liveNodes', [keys.nodes]));
		if (live.length === 0) return [];
		const records = await store.redis.mget(live.map(([id]) => keys.node(id)));
		const nodes: LiveNode[] = [];
		live.forEach(([, leaseMsLeft], index) => {
			const record = parseRecord(nodeRecordSchema, records[index]);
			if (record) nodes.push({ record, leaseMsLeft });
		});
		return nodes.sort((a, b) => a.record.id.localeCompare(b.record.id));
	}

	/** Resolves once the record was removed after close() (or removing it failed). */
	whenLeft(): Promise<void> {
		return this.#left;
	}

	protected closing(): void {
		clearInterval(this.#timer);
		this.#options.store.observer.off('reachable', this.#onReachable);
		const { store, nodeId, log } = this.#options;
		this.#left = (async () => {
			await this.#beating;
			try {
				await store.run('deregister', [keys.nodes, keys.node(nodeId)], [nodeId]);
			} catch (error) {
				// Its lease ends it anyway.
				log.warn({ error: errorMessage(error) }, 'could not remove this node from the cluster registry');
			}
		})();
	}

	async #beat(): Promise<boolean> {
		const { store, nodeId, leaseMs, log } = this.#options;
		if (!store.reachable) return false;
		try {
			const record: NodeRecord = { ...(await this.#options.describe()), id: nodeId, startedAt: this.#startedAt };
			const sentAt = performance.now();
			await store.run('heartbeat', [keys.nodes, keys.node(nodeId)], [nodeId, JSON.stringify(record), leaseMs]);
			const wasRegistered = this.registered;
			this.#lastBeatSentAt = sentAt;
			if (!wasRegistered) log.info({ nodeId }, 'registered in the cluster');
			return true;
		} catch (error) {
			log.debug({ error: errorMessage(error) }, 'heartbeat failed');
			return false;
		}
	}
}
