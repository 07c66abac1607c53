// Series per room, which an operator turns on (metrics.roomLabel): a room id
// is a label value of its own, and rooms come and go, so only the
// `maxRooms` largest rooms (by joined peers) get theirs at each scrape; the
// others are summed up as room="_other".
import { Gauge, type Registry } from 'prom-client';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { oncePerTurn } from './oncePerTurn.ts';

export const OTHER_ROOMS = '_other';

interface RoomCounts {
	room: string;
	peers: number;
	consumers: number;
}

export function registerRoomMetrics(registry: Registry, rooms: RoomRegistry, maxRooms: number): void {
	const registers = [registry];
	const largest = oncePerTurn(() => largestRooms(rooms, maxRooms));
	for (const [name, help, pick] of [
		['msconf_room_peers', `Joined peers of the ${maxRooms} largest rooms (the others: room="${OTHER_ROOMS}")`, 'peers'],
		[
			'msconf_room_consumers',
			`mediasoup consumers of the ${maxRooms} largest rooms, pipes and recording included (the others: room="${OTHER_ROOMS}")`,
			'consumers',
		],
	] as const) {
		new Gauge({
			name,
			help,
			labelNames: ['room'],
			registers,
			collect() {
				this.reset();
				for (const counts of largest()) this.set({ room: counts.room }, counts[pick]);
			},
		});
	}
}

function largestRooms(rooms: RoomRegistry, maxRooms: number): RoomCounts[] {
	const all: RoomCounts[] = [...rooms.live].map((room) => ({
		room: room.id,
		peers: room.joinedPeers().length,
		consumers: room.routers.all.reduce((sum, roomRouter) => sum + roomRouter.consumers, 0),
	}));
	all.sort((a, b) => b.peers - a.peers || b.consumers - a.consumers);
	const shown = all.slice(0, maxRooms);
	const rest = all.slice(maxRooms);
	if (rest.length > 0) {
		shown.push({
			room: OTHER_ROOMS,
			peers: rest.reduce((sum, counts) => sum + counts.peers, 0),
			consumers: rest.reduce((sum, counts) => sum + counts.consumers, 0),
		});
	}
	return shown;
}
