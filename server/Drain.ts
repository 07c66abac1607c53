// Draining, what SIGTERM starts (server/main.ts): the server takes no new
// rooms and no new peers, so a load balancer reading /readyz sends them
// elsewhere, while the calls already running go on. It ends when every room
// is empty, or when the drain timeout passes; the server then closes, and
// the peers still in a room are told `closing {reason: 'shutdown'}` (their
// apps reconnect by themselves, to wherever the address leads by then).
import type { Logger } from 'pino';
import type { RoomRegistry } from './room/RoomRegistry.ts';

/** How a drain ended: every room empty, or the timeout passed with calls still running. */
export type DrainEnd = 'empty' | 'timeout';

/** Drains `rooms`; resolves when no room is left or after `timeoutMs`, whichever comes first. */
export async function drainRooms(rooms: RoomRegistry, timeoutMs: number, log: Logger): Promise<DrainEnd> {
	const running = await rooms.all();
	const members = running.reduce((sum, room) => sum + room.peers.size + room.broadcasters.size, 0);
	log.info(
		{ rooms: running.length, members, timeoutMs },
		'draining: no new rooms or peers; the running calls go on until their rooms are empty or the drain timeout passes',
	);
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<DrainEnd>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), timeoutMs);
	});
	const end = await Promise.race([rooms.drain().then((): DrainEnd => 'empty'), timeout]);
	clearTimeout(timer);
	if (end === 'empty') log.info('drained: every room is empty');
	else {
		const left = await rooms.all();
		log.info({ rooms: left.length }, 'drain timeout: the calls still running are told the server shuts down');
	}
	return end;
}
