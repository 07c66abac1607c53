// All live rooms, by roomId. Creation is serialized per roomId: two peers
// arriving at once for a new room share one creation, never make two rooms.
// Owns the rooms: closing it closes them, and a room made after that closes at once.
// Draining it (SIGTERM, server/Drain.ts) lets the rooms run until they empty
// and makes no new one.
import type { Logger } from 'pino';
import { Closable, type CloseEvents } from '../../lifecycle/Closable.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { createHttpError } from '../errors.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import { Room, serverDraining } from './Room.ts';

/** A room nobody entered within this time (e.g. made by GET /rooms/:id) closes. */
const EMPTY_ROOM_GRACE_MS = 30_000;

/** What the registry's observer emits besides `close`. */
export type RoomRegistryEvents = CloseEvents & {
	/** A room was created (the metrics follow its peers from here). */
	newroom: [Room];
};

export class RoomRegistry extends Closable<RoomRegistryEvents> {
	readonly #rooms = new Map<string, Promise<Room>>();
	/** The rooms created and not closed: closing() must reach them at once, not a turn later. */
	readonly #live = new Set<Room>();
	readonly #pool: WorkerPool;
	readonly #config: ResolvedConfig;
	readonly #log: Logger;
	#draining = false;
	/** Creations under way: a drain is over only when none is left either. */
	#creating = 0;
	/** Who waits for the last room to close (drain()). */
	readonly #whenNoRooms: (() => void)[] = [];

	constructor(pool: WorkerPool, config: ResolvedConfig, log: Logger) {
		super();
		this.#pool = pool;
		this.#config = config;
		this.#log = log;
	}

	getOrCreate(roomId: string): Promise<Room> {
		if (this.closed) return Promise.reject(new Error('server is shutting down'));
		const existing = this.#rooms.get(roomId);
		if (existing) return existing;
		if (this.#draining) return Promise.reject(serverDraining('no new rooms'));
		this.#creating += 1;
		const creation = this.#create(roomId).finally(() => {
			this.#creating -= 1;
			this.#checkNoRooms();
		});
		this.#rooms.set(roomId, creation);
		// A failed creation must not poison the id: the next attempt retries.
		creation.catch(() => {
			if (this.#rooms.get(roomId) === creation) this.#rooms.delete(roomId);
		});
		return creation;
	}

	async #create(roomId: string): Promise<Room> {
		const room = await Room.create(roomId, this.#pool, this.#config, this.#log);
		if (this.closed) {
			room.close();
			throw new Error('server is shutting down');
		}
		const emptyCheck = setTimeout(() => room.closeIfEmpty(), EMPTY_ROOM_GRACE_MS).unref();
		this.#live.add(room);
		this.observer.emit('newroom', room);
		room.observer.once('close', () => {
			this.#live.delete(room);
			clearTimeout(emptyCheck);
			const entry = this.#rooms.get(roomId);
			// Only forget the entry if it is still this room.
			void entry?.then((current) => {
				if (current === room) this.#rooms.delete(roomId);
			});
			this.#checkNoRooms();
		});
		// Its creation began before the drain: its first member is on the way.
		if (this.#draining) room.drain();
		return room;
	}

	/** Whether the server drains: no new rooms, no new members. */
	get draining(): boolean {
		return this.#draining;
	}

	/** A 503 when a room of this id would have to be made while the server drains (GET /access asks without making it). */
	checkNewRoom(): void {
		if (this.#draining) throw serverDraining('no new rooms');
	}

	/**
	 * Drains: from now on no new room and no new member of a room; every room
	 * closes once it is empty, an empty one now. Resolves when no room is left
	 * (at once if there is none), or when the registry closes.
	 */
	drain(): Promise<void> {
		this.#draining = true;
		const done = new Promise<void>((resolve) => this.#whenNoRooms.push(resolve));
		for (const room of [...this.#live]) room.drain();
		this.#checkNoRooms();
		return done;
	}

	#checkNoRooms(): void {
		if (!this.#draining || this.#live.size > 0 || this.#creating > 0) return;
		for (const resolve of this.#whenNoRooms.splice(0)) resolve();
	}

	/** The rooms created and not closed, now: for counting them (metrics) without waiting. */
	get live(): ReadonlySet<Room> {
		return this.#live;
	}

	/** A room that exists (created and not closed), without creating one. */
	async find(roomId: string): Promise<Room | undefined> {
		const room = await this.#rooms.get(roomId)?.catch(() => undefined);
		return room && !room.closed ? room : undefined;
	}

	/** A room that exists, or a 404 HttpError naming it: for routes that must not create rooms. */
	async existing(roomId: string): Promise<Room> {
		const room = await this.find(roomId);
		if (!room) throw createHttpError(404, `room with id "${roomId}" not found`);
		return room;
	}

	async all(): Promise<Room[]> {
		const settled = await Promise.allSettled(this.#rooms.values());
		return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
	}

	/**
	 * Closes every room (the server is shutting down): the existing ones now,
	 * before the workers close under them (their peers are told `shutdown`,
	 * not `workerDied`); one still being created closes as soon as it exists
	 * (#create sees the registry closed).
	 */
	protected closing(): void {
		for (const room of [...this.#live]) room.closeFor('shutdown');
		this.#rooms.clear();
		for (const resolve of this.#whenNoRooms.splice(0)) resolve();
	}
}
