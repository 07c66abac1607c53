// What the terminal shows of the mediasoup objects: `.rooms` (who is where,
// with object counts), `.dump` and `.stats`. Objects are found the way the
// rooms know them: through each member's maps (and the bot's data producer),
// labelled with the room and member that own them. The terminal only reads
// them; the rooms and their members own and close them.
import { errorMessage } from '../errorMessage.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { Participant } from '../room/Participant.ts';
import { Peer } from '../room/Peer.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

const MEDIA_KINDS = ['transport', 'producer', 'consumer', 'dataproducer', 'dataconsumer'] as const;
type MediaKind = (typeof MEDIA_KINDS)[number];

const DUMP_TARGETS = ['workers', 'webrtcservers', 'routers', ...MEDIA_KINDS.map((kind) => `${kind}s`)];
export const DUMP_USAGE = `usage: .dump <${DUMP_TARGETS.join('|')}> [id]`;
export const STATS_USAGE = `usage: .stats <${MEDIA_KINDS.join('|')}> <id>`;

/** What transports, producers, consumers and data channels all offer. */
interface MediaObject {
	readonly id: string;
	dump(): Promise<unknown>;
	getStats(): Promise<unknown>;
}

interface OwnedMediaObject {
	roomId: string;
	/** The peer or broadcaster id, or 'bot' for the room's bot. */
	ownerId: string;
	object: MediaObject;
}

/** One entry of `.dump`: where the object sits, and its dump. */
interface Dumpable {
	/** The object's id (a worker's pid), matched by the optional id argument. */
	id: string;
	label: Record<string, string | number>;
	dump: () => Promise<unknown>;
}

/**
 * `.rooms`: each live room with the worker its router runs on (pid undefined
 * while a dead worker's replacement is not up), every router of the room
 * (more than one when it is spread over workers), and per peer and
 * broadcaster how many mediasoup objects it holds.
 */
export async function roomsSummary(rooms: RoomRegistry, pool: WorkerPool) {
	return (await liveRooms(rooms)).map((room) => ({
		id: room.id,
		worker: {
			index: room.workerIndex,
			pid: pool.workers.find((pooled) => pooled.index === room.workerIndex)?.pid,
		},
		routerId: room.router.id,
		routers: room.routers.all.map((r) => ({
			id: r.id,
			workerIndex: r.workerIndex,
			members: r.members,
			consumers: r.consumers,
		})),
		peers: [...room.peers.values()].map(memberSummary),
		broadcasters: [...room.broadcasters.values()].map(memberSummary),
	}));
}

function memberSummary(member: Participant) {
	return {
		id: member.id,
		displayName: member.displayName,
		// Peers only: whether it sent `join` yet.
		...(member instanceof Peer ? { joined: member.joined } : {}),
		transports: member.transports.size,
		producers: member.producers.size,
		consumers: member.consumers.size,
		dataProducers: member.dataProducers.size,
		dataConsumers: member.dataConsumers.size,
	};
}

/** `.dump <what> [id]`: an object closed while the dump runs shows its error instead. */
export async function dump(pool: WorkerPool, rooms: RoomRegistry, argument: string): Promise<unknown[]> {
	const [target = '', id] = argument.trim().split(/\s+/);
	const plural = target.toLowerCase().replace(/s?$/, 's');
	const dumpables = (await dumpablesOf(pool, rooms, plural)).filter((entry) => !id || entry.id === id);
	return Promise.all(dumpables.map(async (entry) => ({ ...entry.label, dump: await safeDump(entry.dump) })));
}

/** target: one of DUMP_TARGETS. */
async function dumpablesOf(pool: WorkerPool, rooms: RoomRegistry, target: string): Promise<Dumpable[]> {
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

/** `.stats <kind> <id>`: getStats() of one object of a live room (`.dump` and `.rooms` show ids). */
export async function stats(rooms: RoomRegistry, argument: string) {
	const [word = '', id, ...rest] = argument.trim().split(/\s+/);
	const kind = parseMediaKind(word);
	if (kind === undefined || id === undefined || rest.length > 0) throw new Error(STATS_USAGE);
	const owned = (await mediaObjects(rooms, kind)).find(({ object }) => object.id === id);
	if (owned === undefined) throw new Error(`no ${kind} with id ${id} in any live room`);
	return { roomId: owned.roomId, ownerId: owned.ownerId, kind, id, stats: await owned.object.getStats() };
}

/** 'producers', 'Producer' and 'producer' all name the producer kind. */
function parseMediaKind(word: string): MediaKind | undefined {
	const singular = word.toLowerCase().replace(/s$/, '');
	return MEDIA_KINDS.find((kind) => kind === singular);
}

async function liveRooms(rooms: RoomRegistry): Promise<Room[]> {
	return (await rooms.all()).filter((room) => !room.closed);
}

async function mediaObjects(rooms: RoomRegistry, kind: MediaKind): Promise<OwnedMediaObject[]> {
	return (await liveRooms(rooms)).flatMap((room) => {
		const members = [...room.peers.values(), ...room.broadcasters.values()];
		const owned = members.flatMap((member) =>
			[...memberObjects(member, kind)].map((object) => ({ roomId: room.id, ownerId: member.id, object })),
		);
		if (kind === 'dataproducer') owned.push({ roomId: room.id, ownerId: 'bot', object: room.bot.dataProducer });
		return owned;
	});
}

function memberObjects(member: Participant, kind: MediaKind): Iterable<MediaObject> {
	switch (kind) {
		case 'transport':
			return member.transports.values();
		case 'producer':
			return member.producers.values();
		case 'consumer':
			return member.consumers.values();
		case 'dataproducer':
			return member.dataProducers.values();
		case 'dataconsumer':
			return member.dataConsumers.values();
	}
}
