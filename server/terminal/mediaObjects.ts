// The mediasoup objects of the live rooms, with the room and member that own
// them, found the way the rooms know them: through each member's maps (and
// the bot's data producer). The terminal only reads these; the rooms and
// their members own and close them.
import type { Participant } from '../room/Participant.ts';
import type { Room } from '../room/Room.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';

export const MEDIA_KINDS = ['transport', 'producer', 'consumer', 'dataproducer', 'dataconsumer'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** What transports, producers, consumers and data channels all offer. */
export interface MediaObject {
	readonly id: string;
	dump(): Promise<unknown>;
	getStats(): Promise<unknown>;
}

export interface OwnedMediaObject {
	roomId: string;
	/** The peer or broadcaster id, or 'bot' for the room's bot. */
	ownerId: string;
	object: MediaObject;
}

/** 'producers', 'Producer' and 'producer' all name the producer kind. */
export function parseMediaKind(word: string): MediaKind | undefined {
	const singular = word.toLowerCase().replace(/s$/, '');
	return MEDIA_KINDS.find((kind) => kind === singular);
}

export async function liveRooms(rooms: RoomRegistry): Promise<Room[]> {
	return (await rooms.all()).filter((room) => !room.closed);
}

export async function mediaObjects(rooms: RoomRegistry, kind: MediaKind): Promise<OwnedMediaObject[]> {
	return (await liveRooms(rooms)).flatMap((room) => roomObjects(room, kind));
}

export async function findMediaObject(
	rooms: RoomRegistry,
	kind: MediaKind,
	id: string,
): Promise<OwnedMediaObject | undefined> {
	return (await mediaObjects(rooms, kind)).find((owned) => owned.object.id === id);
}

function roomObjects(room: Room, kind: MediaKind): OwnedMediaObject[] {
	const members = [...room.peers.values(), ...room.broadcasters.values()];
	const owned = members.flatMap((member) =>
		[...memberObjects(member, kind)].map((object) => ({ roomId: room.id, ownerId: member.id, object })),
	);
	if (kind === 'dataproducer') owned.push({ roomId: room.id, ownerId: 'bot', object: room.bot.dataProducer });
	return owned;
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
