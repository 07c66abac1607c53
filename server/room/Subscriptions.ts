// Who consumes what in a room, and when. A joining peer gets a consumer of
// every producer already there (and the chat and bot data producers); a new
// producer gets a consumer on every joined peer. Consumers are created paused
// and resumed only once the client accepted them; one the client refuses (or
// cannot be asked about) is closed, so nothing leaks. A peer that is
// reconnecting (its connection dropped, Peer.ts) is asked when it resumes:
// its consumers wait for it, paused.
//
// Two rules keep big joins fast (bench/HISTORY.md, Join):
// - consume() calls reach the worker a few at a time, a newcomer's own before
//   the fan-out of producers to the others (ConsumeQueue).
// - a newcomer's producers reach the others once the newcomer has its own
//   consumers (each accepted, refused or failed), and at most ARRIVAL_WAIT_MS
//   after its join whatever its client does: made at the same time, the
//   fan-out's round trips slowed the newcomer's own.
import { errors, type types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ServerRequestData } from '../../protocol/signaling.ts';
import { type ConsumePriority, ConsumeQueue } from './ConsumeQueue.ts';
import type { Participant } from './Participant.ts';
import type { Peer } from './Peer.ts';
import { forwardConsumerEvents, type PeerConsumer, type PeerConsumerAppData } from './PeerConsumer.ts';
import type { RoomRouters } from './RoomRouters.ts';

/**
 * The longest the fan-out of a newcomer's producers waits for its own
 * consumers. A client that never answers its newConsumer requests would
 * otherwise hide its media from everyone until protoo's request timeout.
 */
export const ARRIVAL_WAIT_MS = 1000;

/** What a peer is told of a new consumer of `ownerId`'s producer, so that it can make its own end. */
export function newConsumerRequest(
	ownerId: string,
	producer: types.Producer,
	consumer: types.Consumer,
): ServerRequestData<'newConsumer'> {
	return {
		peerId: ownerId,
		producerId: producer.id,
		id: consumer.id,
		kind: consumer.kind,
		rtpParameters: consumer.rtpParameters,
		type: consumer.type,
		appData: producer.appData,
		producerPaused: consumer.producerPaused,
	};
}

export class Subscriptions {
	readonly #routers: RoomRouters;
	readonly #log: Logger;
	readonly #queue = new ConsumeQueue();
	/** Per joined peer: settles when its producers may reach the others (see above). */
	readonly #arrivals = new WeakMap<Participant, Promise<void>>();

	constructor(routers: RoomRouters, log: Logger) {
		this.#routers = routers;
		this.#log = log;
	}

	/**
	 * A peer joined: after the join answer has gone out (the client must know
	 * the peers before their consumers), it gets a consumer of everything the
	 * others have, then `announce` tells the others about it. Resolves once
	 * each of those consumers was accepted, refused or failed: the end of the
	 * join as its user sees it (the join-latency metric).
	 */
	welcome(peer: Peer, others: readonly Participant[], bot: types.DataProducer, announce: () => void): Promise<void> {
		const own = new Promise<Promise<void>[]>((resolve) => {
			setImmediate(() => resolve(this.#consumeEverything(peer, others, bot, announce)));
		});
		this.#arrivals.set(
			peer,
			own.then((consumers) => settledOrLate(consumers, ARRIVAL_WAIT_MS)),
		);
		return own.then(async (consumers) => {
			await Promise.allSettled(consumers);
		});
	}

	#consumeEverything(
		peer: Peer,
		others: readonly Participant[],
		bot: types.DataProducer,
		announce: () => void,
	): Promise<void>[] {
		const own = this.consumeAll(peer, others, 'joiner');
		this.consumeAllData(peer, others, bot);
		announce();
		return own;
	}

	/** A consumer of every producer of `others` (at join, or when a moderator lets the peer subscribe again). */
	consumeAll(peer: Peer, others: readonly Participant[], priority: ConsumePriority): Promise<void>[] {
		return others.flatMap((other) =>
			[...other.producers.values()].map((producer) => this.consume(peer, other, producer, priority)),
		);
	}

	/** A data consumer of the others' chat and of the bot. */
	consumeAllData(peer: Peer, others: readonly Participant[], bot: types.DataProducer): void {
		for (const other of others) {
			for (const dataProducer of other.dataProducers.values()) {
				if (dataProducer.label === 'chat') void this.consumeData(peer, other.id, dataProducer);
			}
		}
		void this.consumeData(peer, null, bot);
	}

	/** A new producer: every peer of the audience gets a consumer, once its owner has arrived. */
	fanOut(owner: Participant, producer: types.Producer, audience: readonly Peer[]): void {
		const fanOut = (): void => {
			if (producer.closed) return;
			for (const peer of audience) void this.consume(peer, owner, producer, 'fanOut');
		};
		const arrived = this.#arrivals.get(owner);
		if (arrived) void arrived.then(fanOut);
		else fanOut();
	}

	/**
	 * Creates `1 + consumerReplicas` consumers of a producer for a peer, paused,
	 * announces each with `newConsumer` and resumes it once accepted.
	 */
	async consume(peer: Peer, owner: Participant, producer: types.Producer, priority: ConsumePriority): Promise<void> {
		const transport = peer.consumingTransport();
		const origin = this.#routers.originRouter(producer.id);
		if (!peer.rtpCapabilities || !transport || !origin || !peer.grants.subscribe) return;
		try {
			await this.#routers.pipeToMember(peer, 'producer', producer.id);
		} catch (error) {
			this.#log.warn({ peerId: peer.id, producerId: producer.id, error }, 'could not pipe producer to peer');
			return;
		}
		for (let replica = 0; replica <= peer.consumerReplicas; replica++) {
			const consumer = await this.#createConsumer(peer, transport, producer, priority);
			if (!consumer) return;
			await this.#offer(peer, owner, producer, consumer);
		}
	}

	async #createConsumer(
		peer: Peer,
		transport: types.Transport,
		producer: types.Producer,
		priority: ConsumePriority,
	): Promise<PeerConsumer | undefined> {
		const rtpCapabilities = peer.rtpCapabilities;
		try {
			// By the time a slot is free the peer may have left, the producer
			// closed, or a moderator taken the subscribe grant.
			const consumer = await this.#queue.run(priority, async () =>
				transport.closed || producer.closed || !rtpCapabilities || !peer.grants.subscribe
					? undefined
					: transport.consume<PeerConsumerAppData>({
							producerId: producer.id,
							rtpCapabilities,
							enableRtx: true,
							paused: true,
							ignoreDtx: true,
							appData: { peer },
						}),
			);
			// Taken while the worker made it: the moderator's revocation did not see it.
			if (consumer && !peer.grants.subscribe) {
				consumer.close();
				return undefined;
			}
			return consumer;
		} catch (error) {
			// No router.canConsume() first: consume() checks the same, and each
			// check clones the peer's capabilities and the producer's parameters
			// (5% of the server's CPU in a 200-peer join, bench/HISTORY.md). In a
			// spread room the producer is then piped before this finds out; rare.
			if (error instanceof errors.UnsupportedError) {
				this.#log.debug({ peerId: peer.id, producerId: producer.id }, 'peer cannot consume the codec');
			} else this.#log.warn({ peerId: peer.id, producerId: producer.id, error }, 'consume failed');
			return undefined;
		}
	}

	/** newConsumer, then resume once the client accepted; closed if it did not. */
	async #offer(peer: Peer, owner: Participant, producer: types.Producer, consumer: PeerConsumer): Promise<void> {
		forwardConsumerEvents(consumer);
		try {
			// A consumer that closed while its peer was away is not offered on its return.
			await peer.request('newConsumer', newConsumerRequest(owner.id, producer, consumer), {
				stillWanted: () => !consumer.closed,
			});
			await consumer.resume();
			peer.notify('consumerScore', { consumerId: consumer.id, score: consumer.score });
		} catch (error) {
			if (!consumer.closed)
				this.#log.warn({ peerId: peer.id, consumerId: consumer.id, error }, 'newConsumer not accepted');
			consumer.close();
		}
	}

	/** A data consumer of a chat or bot data producer for a peer; ownerId null: the bot's. */
	async consumeData(peer: Peer, ownerId: string | null, dataProducer: types.DataProducer): Promise<void> {
		const transport = peer.consumingTransport();
		if (!peer.sctpCapabilities || !transport || transport.appData.sctp !== true || !peer.grants.data) return;
		let dataConsumer: types.DataConsumer;
		try {
			await this.#routers.pipeToMember(peer, 'dataProducer', dataProducer.id);
			dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		} catch (error) {
			this.#log.warn({ peerId: peer.id, dataProducerId: dataProducer.id, error }, 'consumeData failed');
			return;
		}
		// Taken while the worker made it: the moderator's revocation did not see it.
		if (!peer.grants.data) {
			dataConsumer.close();
			return;
		}
		peer.addDataConsumer(dataConsumer);
		dataConsumer.on('dataproducerclose', () => {
			dataConsumer.close();
			peer.notify('dataConsumerClosed', { dataConsumerId: dataConsumer.id });
		});
		try {
			await peer.request(
				'newDataConsumer',
				{
					peerId: ownerId,
					dataProducerId: dataProducer.id,
					id: dataConsumer.id,
					sctpStreamParameters: dataConsumer.sctpStreamParameters ?? { streamId: 0 },
					label: dataConsumer.label,
					protocol: dataConsumer.protocol,
					appData: dataProducer.appData,
				},
				{ stillWanted: () => !dataConsumer.closed },
			);
		} catch (error) {
			if (!dataConsumer.closed) {
				this.#log.warn({ peerId: peer.id, dataConsumerId: dataConsumer.id, error }, 'newDataConsumer not accepted');
			}
			dataConsumer.close();
		}
	}
}

/** Settles when every promise has settled, or after waitMs. Never rejects. */
export function settledOrLate(promises: readonly Promise<unknown>[], waitMs: number): Promise<void> {
	return new Promise<void>((resolve) => {
		const timer = setTimeout(resolve, waitMs);
		void Promise.allSettled(promises).then(() => {
			clearTimeout(timer);
			resolve();
		});
	});
}
