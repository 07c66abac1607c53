// `.dump <what> [id]`: mediasoup's own dump() of every worker, WebRtcServer,
// router or media object, each labelled with where it sits (worker index,
// room, owner). An object closed while the dump runs shows its error instead.
import { errorMessage } from '../errorMessage.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { liveRooms, mediaObjects, parseMediaKind } from './mediaObjects.ts';

export const DUMP_TARGETS = [
	'workers',
	'webrtcservers',
	'routers',
	'transports',
	'producers',
	'consumers',
	'dataproducers',
	'dataconsumers',
] as const;

export const DUMP_USAGE = `usage: .dump <${DUMP_TARGETS.join('|')}> [id]`;

interface Labelled {
	/** The object's id (a worker's pid), matched by the optional id argument. */
	id: string;
	label: Record<string, string | number>;
	dump: () => Promise<unknown>;
}

export async function dump(pool: WorkerPool, rooms: RoomRegistry, argument: string): Promise<unknown[]> {
	const [target = '', id] = argument.trim().split(/\s+/);
	const plural = target.toLowerCase().replace(/s?$/, 's');
	const labelled = (await dumpables(pool, rooms, plural)).filter((entry) => !id || entry.id === id);
	return Promise.all(labelled.map(async (entry) => ({ ...entry.label, dump: await safeDump(entry.dump) })));
}

/** target: one of DUMP_TARGETS, lower case. */
async function dumpables(pool: WorkerPool, rooms: RoomRegistry, target: string): Promise<Labelled[]> {
	switch (target) {
		case 'workers':
			return pool.workers.map((pooled) => ({
				id: String(pooled.pid),
				label: { index: pooled.index, pid: pooled.pid },
				dump: () => pooled.worker.dump(),
			}));
		case 'webrtcservers':
			return pool.workers.map(({ index, webRtcServer }) => ({
				id: webRtcServer.id,
				label: { workerIndex: index, id: webRtcServer.id },
				dump: () => webRtcServer.dump(),
			}));
		case 'routers':
			return (await liveRooms(rooms)).flatMap((room) =>
				room.routers.all.map(({ router, workerIndex }) => ({
					id: router.id,
					label: { roomId: room.id, workerIndex, id: router.id },
					dump: () => router.dump(),
				})),
			);
	}
	const kind = parseMediaKind(target);
	if (kind === undefined) throw new Error(DUMP_USAGE);
	return (await mediaObjects(rooms, kind)).map(({ roomId, ownerId, object }) => ({
		id: object.id,
		label: { roomId, ownerId, id: object.id },
		dump: () => object.dump(),
	}));
}

async function safeDump(dumpIt: () => Promise<unknown>): Promise<unknown> {
	try {
		return await dumpIt();
	} catch (error) {
		return { error: errorMessage(error) };
	}
}
