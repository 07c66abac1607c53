// Producers announced to the other nodes of a room through a Redis Stream per
// room: an append-only log, so a node that was busy, disconnected for a
// moment or joined the room late reads what it missed from the id it had
// reached (plain pub/sub would have lost it). Beside the stream, a hash holds
// the room's live producers, updated in the same script: a late joiner takes
// a snapshot (the live producers and the stream id they are current at) and
// follows the stream from there. The stream is trimmed to about maxLength
// entries; a reader that fell behind the trimming is told (gap) and takes a
// new snapshot. Both keys live as long as the room's memberships
// (RoomDirectory) and go with the room's last node.
import type { ClusterStore } from './ClusterStore.ts';
import { keys } from './keys.ts';
import { type ProducerAnnouncement, parseRecord, producerAnnouncementSchema } from './records.ts';

export type ProducerEvent =
	| { id: string; type: 'add'; producer: ProducerAnnouncement }
	| { id: string; type: 'close'; producerId: string; nodeId: string };

export interface ProducerSnapshot {
	/** The stream id the snapshot is current at: follow the stream from here. */
	lastId: string;
	producers: ProducerAnnouncement[];
}

export interface ProducerEvents {
	/** True when entries after the id asked for may have been trimmed away: take a new snapshot. */
	gap: boolean;
	events: ProducerEvent[];
}

/** The id before every stream entry: read from it to get everything. */
export const STREAM_START = '0-0';

export class ProducerAnnouncements {
	readonly #store: ClusterStore;
	readonly #leaseMs: number;
	readonly #maxLength: number;

	constructor(store: ClusterStore, { leaseMs, maxLength = 1000 }: { leaseMs: number; maxLength?: number }) {
		this.#store = store;
		this.#leaseMs = leaseMs;
		this.#maxLength = maxLength;
	}

	/** Announces a new producer; resolves with its stream id. */
	async added(roomId: string, producer: ProducerAnnouncement): Promise<string> {
		return this.#announce(roomId, 'add', producer.producerId, JSON.stringify(producer));
	}

	/** Announces that a producer closed. */
	async closed(roomId: string, producerId: string, nodeId: string): Promise<string> {
		return this.#announce(roomId, 'close', producerId, JSON.stringify({ nodeId }));
	}

	async snapshot(roomId: string): Promise<ProducerSnapshot> {
		const reply = await this.#store.run('producerSnapshot', [keys.roomProducers(roomId), keys.roomProducerSet(roomId)]);
		const [lastId, flat] = reply as [string, string[]];
		const producers: ProducerAnnouncement[] = [];
		for (let i = 1; i < flat.length; i += 2) {
			const producer = parseRecord(producerAnnouncementSchema, flat[i]);
			if (producer) producers.push(producer);
		}
		return { lastId: String(lastId), producers };
	}

	/** Up to `count` events after `afterId` (STREAM_START: from the oldest kept). */
	async read(roomId: string, afterId: string, count = 100): Promise<ProducerEvents> {
		const reply = await this.#store.run('readProducers', [keys.roomProducers(roomId)], [afterId, count]);
		const [gap, entries] = reply as [number, [string, string[]][]];
		return { gap: gap === 1, events: entries.flatMap(([id, fields]) => toEvent(id, fields)) };
	}

	async #announce(roomId: string, type: 'add' | 'close', producerId: string, data: string): Promise<string> {
		const keysOfRoom = [keys.roomProducers(roomId), keys.roomProducerSet(roomId)];
		return String(
			await this.#store.run('announceProducer', keysOfRoom, [type, producerId, data, this.#maxLength, this.#leaseMs]),
		);
	}
}

function toEvent(id: string, fields: string[]): ProducerEvent[] {
	const field = (name: string) => {
		const index = fields.indexOf(name);
		return index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
	};
	const type = field('type');
	const producerId = field('producerId');
	if (type === 'add') {
		const producer = parseRecord(producerAnnouncementSchema, field('data'));
		return producer ? [{ id, type, producer }] : [];
	}
	if (type === 'close' && producerId !== undefined) {
		const data = field('data');
		let nodeId = '';
		try {
			nodeId = String((JSON.parse(data ?? '{}') as { nodeId?: unknown }).nodeId ?? '');
		} catch {}
		return [{ id, type, producerId, nodeId }];
	}
	return [];
}
