// This server as a node of the cluster (REDIS_URL set; startServer makes
// none otherwise): it registers itself (NodeRegistry), and at every heartbeat
// renews a membership in the RoomDirectory for each room it hosts, holding
// the room's ownership when nobody else does. A room that closes is released
// at once; one this node stopped renewing (it died) lapses with its lease.
//
// This is the foundation of issue 24 (docs/CLUSTER.md): nodes know each
// other and their rooms, but a room does not span nodes yet: each node still
// serves its own peers in its own rooms, exactly as a single server does.
// Nothing here can fail a call: Redis being down only delays the cluster's
// picture until it is back.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { CloseEvents } from '../../lifecycle/Closable.ts';
import type { ResolvedCluster } from '../config/Config.ts';
import { errorMessage } from '../errorMessage.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { ClusterStore } from './ClusterStore.ts';
import { NodePipes } from './NodePipes.ts';
import { type NodeDescription, NodeRegistry } from './NodeRegistry.ts';
import { NodeRequests } from './NodeRequests.ts';
import { ProducerAnnouncements } from './ProducerAnnouncements.ts';
import { RoomDirectory } from './RoomDirectory.ts';
import { RoomOwnership } from './RoomOwnership.ts';
import type { NodeLoad } from './records.ts';

export interface ClusterNodeOptions {
	cluster: ResolvedCluster & { redisUrl: string };
	/** Where clients reach this node. */
	announcedAddress: string;
	httpsPort: number;
	/** UDP ports of pipe transports (mediasoup.minPort..maxPort). */
	portRange: { min: number; max: number };
	pool: WorkerPool;
	rooms: RoomRegistry;
	log: Logger;
}

/** How long start() waits for Redis before going on without it (it registers once Redis is there). */
const START_WAIT_MS = 3000;

export class ClusterNode {
	/** Emits `close` once the node left the cluster (lifecycle/Closable.ts; closing is asynchronous here). */
	readonly observer = new EventEmitter<CloseEvents>();
	readonly nodeId: string;
	readonly store: ClusterStore;
	readonly registry: NodeRegistry;
	readonly directory: RoomDirectory;
	readonly announcements: ProducerAnnouncements;
	readonly requests: NodeRequests;
	/** Producers piped between this node and others (not used by rooms yet: docs/CLUSTER.md, Next). */
	readonly pipes: NodePipes;
	readonly #options: ClusterNodeOptions;
	readonly #log: Logger;
	readonly #syncTimer: NodeJS.Timeout;
	/** The rooms this node renews memberships for, with the ownership it holds of each (if any). */
	readonly #hosted = new Map<Room, { ownership: RoomOwnership | undefined; acquiring: boolean }>();
	readonly #cpu = new CpuSampler();
	/** Releases under way (a room closed): close() waits for them before it disconnects. */
	readonly #releasing = new Set<Promise<void>>();
	#syncing: Promise<void> | undefined;
	/** Nodes at the other end of pipes, missing from the registry since (performance.now()). */
	readonly #missingSince = new Map<string, number>();
	#closePromise: Promise<void> | undefined;

	static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
		const node = new ClusterNode(options);
		if (await node.store.whenReachable(START_WAIT_MS)) {
			await Promise.race([node.requests.whenListening(), sleep(START_WAIT_MS)]);
			await node.registry.heartbeat();
			await node.sync();
		} else {
			node.#log.warn(
				{ nodeId: node.nodeId },
				'Redis not reachable at start: serving as one node and joining the cluster once it is',
			);
		}
		return node;
	}

	private constructor(options: ClusterNodeOptions) {
		this.#options = options;
		const { cluster } = options;
		this.nodeId = cluster.nodeId;
		this.#log = options.log.child({ name: 'ClusterNode', nodeId: cluster.nodeId });
		this.store = new ClusterStore({ url: cluster.redisUrl, nodeId: cluster.nodeId, log: this.#log });
		this.registry = new NodeRegistry({
			store: this.store,
			nodeId: cluster.nodeId,
			heartbeatMs: cluster.heartbeatMs,
			leaseMs: cluster.leaseMs,
			describe: () => this.#describe(),
			log: this.#log,
		});
		this.directory = new RoomDirectory(this.store, cluster.leaseMs);
		this.announcements = new ProducerAnnouncements(this.store, { leaseMs: cluster.leaseMs });
		this.requests = new NodeRequests({
			store: this.store,
			redisUrl: cluster.redisUrl,
			nodeId: cluster.nodeId,
			log: this.#log,
		});
		this.pipes = new NodePipes({
			nodeId: cluster.nodeId,
			requests: this.requests,
			rooms: options.rooms,
			listenIp: cluster.pipeListenIp,
			announcedAddress: cluster.pipeAnnouncedAddress,
			portRange: options.portRange,
			log: this.#log,
		});
		this.#syncTimer = setInterval(() => void this.sync(), cluster.heartbeatMs);
		this.store.observer.on('reachable', () => void this.sync());
		this.#log.info({ pipe: cluster.pipeAnnouncedAddress }, 'cluster mode: joining through Redis');
	}

	/** Whether Redis is reachable now: what a readiness check in cluster mode adds. */
	get reachable(): boolean {
		return this.store.reachable;
	}

	get closed(): boolean {
		return this.#closePromise !== undefined;
	}

	/** The ownership this node holds of a room it hosts, if any (and still valid). */
	ownershipOf(roomId: string): RoomOwnership | undefined {
		for (const [room, hosted] of this.#hosted) {
			if (room.id === roomId && hosted.ownership?.valid) return hosted.ownership;
		}
		return undefined;
	}

	/** Renews this node's room memberships now (also done every heartbeat); never rejects. */
	sync(): Promise<void> {
		if (this.closed) return Promise.resolve();
		this.#syncing ??= this.#sync().finally(() => {
			this.#syncing = undefined;
		});
		return this.#syncing;
	}

	/** Gives back every ownership and membership, leaves the registry, and disconnects. Idempotent. */
	close(): Promise<void> {
		this.#closePromise ??= this.#close();
		return this.#closePromise;
	}

	async #close(): Promise<void> {
		clearInterval(this.#syncTimer);
		await this.#syncing;
		const hosted = [...this.#hosted.keys()];
		await Promise.all([...hosted.map((room) => this.#release(room)), ...this.#releasing]);
		this.pipes.close();
		this.requests.close();
		await this.requests.whenStopped();
		this.registry.close();
		await this.registry.whenLeft();
		this.store.close();
		this.#log.info('left the cluster');
		this.observer.emit('close');
	}

	async #sync(): Promise<void> {
		const live = (await this.#options.rooms.all()).filter((room) => !room.closed);
		for (const room of live) {
			if (this.#hosted.has(room)) continue;
			this.#hosted.set(room, { ownership: undefined, acquiring: false });
			room.observer.once('close', () => void this.#release(room));
		}
		if (!this.store.reachable) return;
		await Promise.all(live.map((room) => this.#renew(room)));
		await this.#closePipesOfLostNodes();
	}

	/**
	 * Pipes with a node that has been missing from the registry for a whole
	 * lease close. A whole lease, not one listing: after Redis restarted empty
	 * every node registers again within a heartbeat, and must not lose its
	 * pipes in between.
	 */
	async #closePipesOfLostNodes(): Promise<void> {
		const peers = new Set(this.pipes.ends.map((end) => end.peerNode));
		if (peers.size === 0) {
			this.#missingSince.clear();
			return;
		}
		let live: Set<string>;
		try {
			live = new Set((await this.registry.list()).map((node) => node.record.id));
		} catch {
			return;
		}
		const now = performance.now();
		for (const peer of [...this.#missingSince.keys()]) {
			if (live.has(peer) || !peers.has(peer)) this.#missingSince.delete(peer);
		}
		for (const peer of peers) {
			if (live.has(peer)) continue;
			const since = this.#missingSince.get(peer) ?? now;
			this.#missingSince.set(peer, since);
			if (now - since < this.#options.cluster.leaseMs) continue;
			const closed = this.pipes.closeWith(peer);
			this.#missingSince.delete(peer);
			this.#log.warn({ peerNode: peer, pipes: closed }, 'node gone from the cluster: its pipes closed');
		}
	}

	async #renew(room: Room): Promise<void> {
		const hosted = this.#hosted.get(room);
		if (!hosted || room.closed) return;
		try {
			await this.directory.renewMembership(room.id, this.nodeId);
			if (hosted.ownership?.valid || hosted.acquiring) return;
			hosted.acquiring = true;
			const result = await RoomOwnership.acquire(this.directory, room.id, this.nodeId, this.#log).finally(() => {
				hosted.acquiring = false;
			});
			if (!(result instanceof RoomOwnership)) return;
			// The room closed (or the node began closing) while the lease was being taken.
			if (room.closed || this.#hosted.get(room) !== hosted || this.closed) {
				result.close();
				await result.whenReleased();
				return;
			}
			hosted.ownership = result;
			this.#log.info({ roomId: room.id, token: result.token }, 'room ownership taken');
		} catch (error) {
			this.#log.debug({ roomId: room.id, error: errorMessage(error) }, 'room lease not renewed');
		}
	}

	#release(room: Room): Promise<void> {
		const hosted = this.#hosted.get(room);
		if (!hosted) return Promise.resolve();
		this.#hosted.delete(room);
		const releasing = this.#releaseLeases(room, hosted.ownership).finally(() => this.#releasing.delete(releasing));
		this.#releasing.add(releasing);
		return releasing;
	}

	async #releaseLeases(room: Room, ownership: RoomOwnership | undefined): Promise<void> {
		// Another live room of the same id on this node (a room closed and made anew) keeps the membership.
		const sameId = [...this.#hosted.keys()].some((other) => other.id === room.id);
		try {
			if (ownership) {
				ownership.close();
				await ownership.whenReleased();
			}
			if (!sameId) await this.directory.releaseMembership(room.id, this.nodeId);
		} catch (error) {
			this.#log.debug({ roomId: room.id, error: errorMessage(error) }, 'room lease not released: it lapses');
		}
	}

	async #describe(): Promise<NodeDescription> {
		const { cluster, pool, rooms, announcedAddress, httpsPort } = this.#options;
		return {
			announcedAddress,
			httpsPort,
			pipe: { listenIp: cluster.pipeListenIp, announcedAddress: cluster.pipeAnnouncedAddress },
			workers: pool.workers.map((pooled) => ({ index: pooled.index, pid: pooled.pid })),
			load: await this.#load(),
			draining: rooms.draining,
		};
	}

	async #load(): Promise<NodeLoad> {
		const { pool, rooms } = this.#options;
		let peers = 0;
		let consumers = 0;
		for (const room of await rooms.all()) {
			if (room.closed) continue;
			peers += room.peers.size + room.broadcasters.size;
			for (const router of room.routers.all) consumers += router.consumers;
		}
		return { peers, consumers, workerCpu: this.#cpu.sample(await pool.usage()) };
	}
}

/** The workers' mean CPU share between two heartbeats, from their rusage (user + system ms). */
class CpuSampler {
	#last = new Map<number, { cpuMs: number; at: number }>();

	sample(usage: readonly { pid: number; resourceUsage: { ru_utime: number; ru_stime: number } }[]): number {
		const now = performance.now();
		const next = new Map<number, { cpuMs: number; at: number }>();
		const shares: number[] = [];
		for (const { pid, resourceUsage } of usage) {
			const cpuMs = resourceUsage.ru_utime + resourceUsage.ru_stime;
			const before = this.#last.get(pid);
			if (before && now > before.at) shares.push(Math.max(0, (cpuMs - before.cpuMs) / (now - before.at)));
			next.set(pid, { cpuMs, at: now });
		}
		this.#last = next;
		if (shares.length === 0) return 0;
		return Math.round((shares.reduce((sum, share) => sum + share, 0) / shares.length) * 1000) / 1000;
	}
}
