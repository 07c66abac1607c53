// The routers one room spans, so that a big room uses every core. A room
// starts on one router (home, which also holds the bot, the audio level
// observer and the recorder). Each member is placed on one router when it
// makes its first transport; all its transports, producers and consumers
// live there. When a member consumes something that lives on another
// router, the producer (or data producer) is piped there with pipeToRouter,
// once per router: the piped copy keeps the producer's id, so clients notice
// nothing. mediasoup closes a piped copy when its original closes, and a
// pair of pipe transports when either router closes.
//
// The Room owns this; it closes every router on close. An extra router closes
// when its last member leaves, taking its pipe transports with it. A worker of
// the room closing (it died) closes this, and the room with it.
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import type { PooledWorker, WorkerPool } from '../media/WorkerPool.ts';
import type { Participant } from './Participant.ts';
import { RoomRouter } from './RoomRouter.ts';

export type PipedKind = 'producer' | 'dataProducer';

export interface RoomRoutersOptions {
	roomId: string;
	pool: WorkerPool;
	config: ResolvedConfig;
	log: Logger;
}

export class RoomRouters extends Closable {
	readonly home: RoomRouter;
	readonly #routers: RoomRouter[];
	readonly #options: RoomRoutersOptions;
	/** Where each member was placed (settles once; a failed placement is retried). */
	readonly #placements = new Map<Participant, Promise<RoomRouter>>();
	readonly #settled = new Map<Participant, RoomRouter>();
	/** The router each producer and data producer of the room was created on. */
	readonly #origins = new Map<string, RoomRouter>();
	/** Pipes made or being made, by `${id}>${routerId}`. */
	readonly #pipes = new Map<string, Promise<void>>();
	/** One router creation at a time, so two newcomers do not both add one. */
	#adding: Promise<RoomRouter | undefined> | undefined;

	static async create(options: RoomRoutersOptions): Promise<RoomRouters> {
		const home = await createRoomRouter(options.pool.pick(), options.config);
		return new RoomRouters(home, options);
	}

	private constructor(home: RoomRouter, options: RoomRoutersOptions) {
		super();
		this.home = home;
		this.#routers = [home];
		this.#options = options;
		this.#watch(home);
	}

	get all(): readonly RoomRouter[] {
		return this.#routers;
	}

	/** Whether a worker of the room died: why these routers closed, if they did by themselves. */
	get workerDied(): boolean {
		return this.#routers.some((roomRouter) => roomRouter.workerDied);
	}

	// --- placing members -----------------------------------------------------

	/** The router of a member's transports, chosen on first use. */
	placeMember(member: Participant): Promise<RoomRouter> {
		let placement = this.#placements.get(member);
		if (!placement) {
			const settling: Promise<RoomRouter> = this.#place().then((roomRouter) => {
				// Not if the member left meanwhile (release() already ran).
				if (this.#placements.get(member) === settling) this.#settled.set(member, roomRouter);
				return roomRouter;
			});
			placement = settling;
			this.#placements.set(member, placement);
			placement.catch(() => {
				if (this.#placements.get(member) === placement) this.#placements.delete(member);
			});
		}
		return placement;
	}

	async #place(): Promise<RoomRouter> {
		const { mode } = this.#options.config.mediasoup.roomSpread;
		if (mode === 'never') return this.#take(this.home);
		let chosen = this.#existingFor(mode);
		if (!chosen) chosen = (await this.#addRouter()) ?? this.#leastLoaded(mode);
		return this.#take(chosen);
	}

	#take(chosen: RoomRouter): RoomRouter {
		if (this.closed || chosen.closed) throw new Error('room closed while placing a member');
		chosen.members++;
		return chosen;
	}

	/**
	 * An existing router for a newcomer, or undefined when a new router on
	 * another worker should be made (and can be: the pool decides).
	 * always: members spread evenly, one router per worker, made as needed.
	 * auto: fill the routers in order up to consumersPerRouter, so small rooms
	 * stay on one router and pay no piping.
	 */
	#existingFor(mode: 'auto' | 'always'): RoomRouter | undefined {
		const live = this.#routers.filter((r) => !r.closed);
		if (mode === 'always') {
			const empty = live.find((r) => r.members === 0);
			if (empty) return empty;
			return this.#hasSpareWorker() ? undefined : this.#leastLoaded(mode);
		}
		const { consumersPerRouter } = this.#options.config.mediasoup.roomSpread;
		const roomy = live.find((r) => r.consumers < consumersPerRouter);
		if (roomy) return roomy;
		return this.#hasSpareWorker() ? undefined : this.#leastLoaded(mode);
	}

	#leastLoaded(mode: 'auto' | 'always'): RoomRouter {
		const load = (r: RoomRouter) => (mode === 'always' ? r.members : r.consumers);
		let best = this.home;
		for (const candidate of this.#routers) {
			if (!candidate.closed && load(candidate) < load(best)) best = candidate;
		}
		return best;
	}

	#hasSpareWorker(): boolean {
		return this.#options.pool.pickOther(this.#takenWorkers()) !== undefined;
	}

	#takenWorkers(): Set<number> {
		return new Set(this.#routers.map((r) => r.workerIndex));
	}

	/** A router on a worker the room is not on yet, or undefined if there is none. */
	#addRouter(): Promise<RoomRouter | undefined> {
		this.#adding ??= this.#createExtra().finally(() => {
			this.#adding = undefined;
		});
		return this.#adding;
	}

	async #createExtra(): Promise<RoomRouter | undefined> {
		const pooled = this.#options.pool.pickOther(this.#takenWorkers());
		if (!pooled) return undefined;
		const extra = await createRoomRouter(pooled, this.#options.config);
		if (this.closed) {
			extra.close();
			return undefined;
		}
		this.#routers.push(extra);
		this.#watch(extra);
		this.#options.log.info(
			{ roomId: this.#options.roomId, worker: extra.workerIndex, routers: this.#routers.length },
			'room spread to another worker',
		);
		return extra;
	}

	/** Where a member was placed, once its placement settled. */
	memberRouter(member: Participant): RoomRouter | undefined {
		return this.#settled.get(member);
	}

	/** A member left (its transports are closed): an extra router nobody is on any more closes. */
	releaseMember(member: Participant): void {
		const placement = this.#placements.get(member);
		if (!placement) return;
		this.#placements.delete(member);
		this.#settled.delete(member);
		void placement
			.then((roomRouter) => {
				roomRouter.members--;
				if (roomRouter !== this.home && roomRouter.members === 0 && !this.closed) this.#closeExtra(roomRouter);
			})
			.catch(() => {});
	}

	#closeExtra(roomRouter: RoomRouter): void {
		const index = this.#routers.indexOf(roomRouter);
		if (index >= 0) this.#routers.splice(index, 1);
		roomRouter.close();
		this.#options.log.info(
			{ roomId: this.#options.roomId, worker: roomRouter.workerIndex, routers: this.#routers.length },
			'room left a worker',
		);
	}

	// --- piping --------------------------------------------------------------

	/** Records where a producer or data producer lives, until it closes. */
	trackOrigin(object: types.Producer | types.DataProducer, origin: RoomRouter): void {
		this.#origins.set(object.id, origin);
		// Both kinds' observers emit 'close'; TypeScript cannot call the union's once().
		const observer: { once(event: 'close', listener: () => void): unknown } = object.observer;
		observer.once('close', () => {
			this.#origins.delete(object.id);
			this.#forgetPipes((key) => key.startsWith(`${object.id}>`));
		});
	}

	/** The router a producer or data producer was created on (undefined once it closed). */
	originRouter(id: string): RoomRouter | undefined {
		return this.#origins.get(id);
	}

	/**
	 * Makes a producer or data producer of the room available on `target`
	 * (pipes it there once; later calls share that pipe). Rejects if it closed.
	 */
	pipeTo(target: RoomRouter, kind: PipedKind, id: string): Promise<void> {
		const origin = this.#origins.get(id);
		if (!origin) return Promise.reject(new Error(`${kind} "${id}" is not in this room (closed?)`));
		if (origin === target) return Promise.resolve();
		const key = `${id}>${target.id}`;
		let pipe = this.#pipes.get(key);
		if (!pipe) {
			pipe = this.#pipe(kind, id, origin, target);
			this.#pipes.set(key, pipe);
			pipe.catch(() => {
				if (this.#pipes.get(key) === pipe) this.#pipes.delete(key);
			});
		}
		return pipe;
	}

	async #pipe(kind: PipedKind, id: string, origin: RoomRouter, target: RoomRouter): Promise<void> {
		const which = kind === 'producer' ? { producerId: id } : { dataProducerId: id };
		await origin.router.pipeToRouter({ ...which, router: target.router });
		this.#options.log.debug({ roomId: this.#options.roomId, kind, id, to: target.workerIndex }, 'piped');
	}

	/**
	 * Makes a producer (or data producer) of the room consumable on a
	 * member's router: pipes it there if it lives on another one.
	 */
	async pipeToMember(member: Participant, kind: PipedKind, id: string): Promise<RoomRouter> {
		const place = await this.placeMember(member);
		await this.pipeTo(place, kind, id);
		return place;
	}

	#forgetPipes(matches: (key: string) => boolean): void {
		for (const key of [...this.#pipes.keys()]) if (matches(key)) this.#pipes.delete(key);
	}

	// --- lifetime --------------------------------------------------------------

	#watch(roomRouter: RoomRouter): void {
		roomRouter.router.on('workerclose', () => this.close());
		roomRouter.observer.once('close', () => {
			this.#forgetPipes((key) => key.endsWith(`>${roomRouter.id}`));
		});
	}

	protected closing(): void {
		for (const roomRouter of this.#routers) roomRouter.close();
	}
}

async function createRoomRouter(pooled: PooledWorker, config: ResolvedConfig): Promise<RoomRouter> {
	const router = await pooled.worker.createRouter({ mediaCodecs: config.mediasoup.routerOptions.mediaCodecs });
	return new RoomRouter(router, pooled);
}
