// `.stats <kind> <id>`: getStats() of one transport, producer, consumer or
// data channel of a live room, found by id (`.dump` and `.rooms` show ids).
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { findMediaObject, MEDIA_KINDS, parseMediaKind } from './mediaObjects.ts';

export const STATS_USAGE = `usage: .stats <${MEDIA_KINDS.join('|')}> <id>`;

export interface StatsReport {
	roomId: string;
	ownerId: string;
	kind: string;
	id: string;
	stats: unknown;
}

export async function stats(rooms: RoomRegistry, argument: string): Promise<StatsReport> {
	const [word = '', id, ...rest] = argument.trim().split(/\s+/);
	const kind = parseMediaKind(word);
	if (kind === undefined || id === undefined || rest.length > 0) throw new Error(STATS_USAGE);
	const owned = await findMediaObject(rooms, kind, id);
	if (owned === undefined) throw new Error(`no ${kind} with id ${id} in any live room`);
	return { roomId: owned.roomId, ownerId: owned.ownerId, kind, id, stats: await owned.object.getStats() };
}
