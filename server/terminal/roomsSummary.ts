// `.rooms`: each live room with the worker its router runs on and, per peer
// and broadcaster, how many mediasoup objects it holds: enough to see who is
// where before dumping anything.
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { Participant } from '../room/Participant.ts';
import { Peer } from '../room/Peer.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { liveRooms } from './mediaObjects.ts';

export interface MemberSummary {
	id: string;
	displayName: string;
	/** Peers only: whether it sent `join` yet. */
	joined?: boolean;
	transports: number;
	producers: number;
	consumers: number;
	dataProducers: number;
	dataConsumers: number;
}

export interface RoomSummary {
	id: string;
	/** pid undefined: the worker died and its replacement is not up yet. */
	worker: { index: number; pid: number | undefined };
	/** The home router (the room's first). */
	routerId: string;
	/** Every router of the room: more than one when it is spread over workers. */
	routers: { id: string; workerIndex: number; members: number; consumers: number }[];
	peers: MemberSummary[];
	broadcasters: MemberSummary[];
}

export async function roomsSummary(rooms: RoomRegistry, pool: WorkerPool): Promise<RoomSummary[]> {
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

function memberSummary(member: Participant): MemberSummary {
	return {
		id: member.id,
		displayName: member.displayName,
		...(member instanceof Peer ? { joined: member.joined } : {}),
		transports: member.transports.size,
		producers: member.producers.size,
		consumers: member.consumers.size,
		dataProducers: member.dataProducers.size,
		dataConsumers: member.dataConsumers.size,
	};
}
