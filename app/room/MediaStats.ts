// The numbers behind the stats panel: for each transport, producer, consumer
// and data channel of this page, what the browser measures (getStats of its
// RTCPeerConnection) and what the server measures (mediasoup's getStats,
// asked for over signaling).
import type { types } from 'mediasoup-client';
import type { RoomContext, TransportDirection } from './RoomContext.ts';

export type StatsSubject = 'transport' | 'producer' | 'consumer' | 'dataProducer' | 'dataConsumer';

/** Where the browser's side of each object is found (a data channel has no stats of its own there). */
export interface StatsSources {
	transport(direction: TransportDirection): types.Transport | undefined;
	producer(id: string): types.Producer | undefined;
	consumer(id: string): types.Consumer | undefined;
}

export class MediaStats {
	readonly #ctx: RoomContext;
	readonly #sources: StatsSources;

	constructor(ctx: RoomContext, sources: StatsSources) {
		this.#ctx = ctx;
		this.#sources = sources;
	}

	/**
	 * The browser's own report; undefined for a data channel and for what is
	 * gone. A transport's id is its direction, 'send' or 'recv'.
	 */
	async browser(subject: StatsSubject, id: string): Promise<RTCStatsReport | undefined> {
		switch (subject) {
			case 'transport':
				return this.#transport(id)?.getStats();
			case 'producer':
				return this.#sources.producer(id)?.getStats();
			case 'consumer':
				return this.#sources.consumer(id)?.getStats();
			default:
				return undefined;
		}
	}

	/** The server's stats of the same object; none for a transport this page does not have. */
	async server(subject: StatsSubject, id: string): Promise<unknown[]> {
		const signaling = this.#ctx.signaling();
		switch (subject) {
			case 'transport': {
				const transport = this.#transport(id);
				return transport ? signaling.request('getTransportStats', { transportId: transport.id }) : [];
			}
			case 'producer':
				return signaling.request('getProducerStats', { producerId: id });
			case 'consumer':
				return signaling.request('getConsumerStats', { consumerId: id });
			case 'dataProducer':
				return signaling.request('getDataProducerStats', { dataProducerId: id });
			case 'dataConsumer':
				return signaling.request('getDataConsumerStats', { dataConsumerId: id });
		}
	}

	#transport(direction: string): types.Transport | undefined {
		return direction === 'send' || direction === 'recv' ? this.#sources.transport(direction) : undefined;
	}
}
