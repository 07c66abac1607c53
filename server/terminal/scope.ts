// What a terminal session has in scope besides Node's globals: the server's
// own objects, live (workers is read at each use), and two finders for rooms
// and members. They are the running server's objects, not copies: the
// operator can inspect and also change (or close) anything.
import * as mediasoup from 'mediasoup';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { Participant } from '../room/Participant.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

export const SCOPE_HELP: readonly (readonly [string, string])[] = [
	['pool', 'the WorkerPool: pool.workers, await pool.usage()'],
	['workers', 'the live PooledWorkers ({ index, pid, worker, webRtcServer }), read at each use'],
	['rooms', 'the RoomRegistry: await rooms.all()'],
	['mediasoup', 'the mediasoup module (mediasoup.version, mediasoup.observer, ...)'],
	['room(id)', 'a promise of the live room with that id, or undefined: await room(id)'],
	['peer(roomId, id)', 'a promise of the peer or broadcaster with that id: await peer(roomId, id)'],
];

export function installScope(context: object, pool: WorkerPool, rooms: RoomRegistry): void {
	const room = (id: string): Promise<Room | undefined> => rooms.find(id);
	const peer = async (roomId: string, id: string): Promise<Participant | undefined> => {
		const found = await rooms.find(roomId);
		return found?.peers.get(id) ?? found?.broadcasters.get(id);
	};
	// Not writable: `pool = ...` by mistake must not lose the session's handle.
	const constant = (value: unknown): PropertyDescriptor => ({ value, enumerable: true, configurable: true });
	Object.defineProperties(context, {
		pool: constant(pool),
		rooms: constant(rooms),
		mediasoup: constant(mediasoup),
		room: constant(room),
		peer: constant(peer),
		workers: { get: () => pool.workers, enumerable: true, configurable: true },
	});
}
