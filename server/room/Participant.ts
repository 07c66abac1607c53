// What a room member owns, whether it talks protoo (Peer) or REST
// (Broadcaster): its transports and, through them, its producers, consumers
// and data channels. Closing a transport closes everything created on it, so
// the maps only mirror mediasoup's ownership for lookups by id; closing the
// member closes its transports. Each object's observer emits 'close' once;
// on() rather than once() because once() adds a wrapper function and its
// state. Consumers have no map here: a big room has 80,000 of them, and their
// transports already keep them (transportConsumers).
import type { types } from 'mediasoup';
import { Closable } from '../../lifecycle/Closable.ts';
import type { DeviceInfo, PeerInfo } from '../../protocol/peer.ts';
import type { SctpCapabilities } from '../../protocol/rtp.ts';
import { createHttpError } from '../errors.ts';
import { transportConsumers } from '../media/transportConsumers.ts';

/** A viewer (Viewer.ts) owns media like a member but is not one of the room's members. */
export type ParticipantKind = 'peer' | 'broadcaster' | 'viewer';

/** WebRTC or plain: what both offer (produce, consume, stats, close) is on the base type. */
export type MediaTransport = types.Transport;

/** What a member says about itself: a peer in join, a broadcaster when it is created. */
export interface MemberDescription {
	displayName: string;
	device: DeviceInfo;
	/** Without them the member never consumes. */
	rtpCapabilities: types.RtpCapabilities | undefined;
	/** mediasoup-client's SCTP capabilities: present when the member can do data channels. */
	sctpCapabilities: SctpCapabilities | undefined;
}

const NOT_DESCRIBED: MemberDescription = {
	displayName: '',
	device: {},
	rtpCapabilities: undefined,
	sctpCapabilities: undefined,
};

export abstract class Participant extends Closable {
	readonly id: string;
	abstract readonly kind: ParticipantKind;
	#description: MemberDescription = NOT_DESCRIBED;
	readonly transports = new Map<string, MediaTransport>();
	readonly producers = new Map<string, types.Producer>();
	readonly dataProducers = new Map<string, types.DataProducer>();
	readonly dataConsumers = new Map<string, types.DataConsumer>();

	constructor(id: string) {
		super();
		this.id = id;
	}

	get displayName(): string {
		return this.#description.displayName;
	}

	get rtpCapabilities(): types.RtpCapabilities | undefined {
		return this.#description.rtpCapabilities;
	}

	get sctpCapabilities(): SctpCapabilities | undefined {
		return this.#description.sctpCapabilities;
	}

	get info(): PeerInfo {
		return { id: this.id, displayName: this.displayName, device: this.#description.device };
	}

	/** Takes what the member says about itself (once: a peer at join, a broadcaster at creation). */
	protected describe(description: MemberDescription): void {
		this.#description = { ...description };
	}

	/** Changes the display name; answers the old one. */
	rename(displayName: string): string {
		const old = this.displayName;
		this.#description = { ...this.#description, displayName };
		return old;
	}

	/** Adds a transport and forgets it (and what lived on it) when it closes. */
	addTransport(transport: MediaTransport): void {
		this.transports.set(transport.id, transport);
		transport.observer.on('close', () => this.transports.delete(transport.id));
	}

	addProducer(producer: types.Producer): void {
		this.producers.set(producer.id, producer);
		producer.observer.on('close', () => this.producers.delete(producer.id));
	}

	/** The member's live consumers, on all its transports (a copy: for listings, not for every request). */
	get consumers(): ReadonlyMap<string, types.Consumer> {
		const all = new Map<string, types.Consumer>();
		for (const transport of this.transports.values()) {
			for (const [id, consumer] of transportConsumers(transport)) all.set(id, consumer);
		}
		return all;
	}

	addDataProducer(dataProducer: types.DataProducer): void {
		this.dataProducers.set(dataProducer.id, dataProducer);
		dataProducer.observer.on('close', () => this.dataProducers.delete(dataProducer.id));
	}

	addDataConsumer(dataConsumer: types.DataConsumer): void {
		this.dataConsumers.set(dataConsumer.id, dataConsumer);
		dataConsumer.observer.on('close', () => this.dataConsumers.delete(dataConsumer.id));
	}

	transport(id: string): MediaTransport {
		return found(this.transports.get(id), 'transport', id);
	}

	/**
	 * A transport of this member to produce on. A WebRTC transport is one
	 * direction: created with `producing: false` it only receives, and media
	 * or data sent on it would have nowhere to go.
	 */
	producingTransport(id: string): MediaTransport {
		const transport = this.transport(id);
		if (transport.appData.producing !== true) {
			throw createHttpError(
				400,
				`transport "${id}" was created for receiving (producing: false): produce on a sending transport`,
			);
		}
		return transport;
	}

	producer(id: string): types.Producer {
		return found(this.producers.get(id), 'producer', id);
	}

	consumer(id: string): types.Consumer {
		return found(this.#liveConsumer(id), 'consumer', id);
	}

	#liveConsumer(id: string): types.Consumer | undefined {
		for (const transport of this.transports.values()) {
			const consumer = transportConsumers(transport).get(id);
			if (consumer) return consumer;
		}
		return undefined;
	}

	dataProducer(id: string): types.DataProducer {
		return found(this.dataProducers.get(id), 'dataProducer', id);
	}

	dataConsumer(id: string): types.DataConsumer {
		return found(this.dataConsumers.get(id), 'dataConsumer', id);
	}

	/** The transport this member receives on, if it made one. */
	consumingTransport(): MediaTransport | undefined {
		for (const transport of this.transports.values()) {
			if (transport.appData.consuming === true) return transport;
		}
		return undefined;
	}

	/** Closing the transports closes every producer, consumer and data channel on them. */
	protected closing(): void {
		for (const transport of [...this.transports.values()]) transport.close();
	}
}

function found<T>(value: T | undefined, what: string, id: string): T {
	if (value === undefined) throw createHttpError(404, `${what} with id "${id}" not found`);
	return value;
}
