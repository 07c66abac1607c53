// A consumer the room made for a peer, and how its mediasoup events reach that
// peer as protocol notifications. The room creates it with the peer in its
// appData, and the listeners below are the same functions for every consumer:
// mediasoup calls them with the consumer as `this`. A 200-peer room holds
// 79,600 consumers, and five closures and their context cost each of them
// about 340 bytes of heap (bench/HISTORY.md, Memory).
import type { types } from 'mediasoup';
import { consumerLayers } from './mediaEvents.ts';
import type { Peer } from './Peer.ts';

export interface PeerConsumerAppData extends types.AppData {
	/** The peer the consumer sends to, and whose signaling its events go to. */
	peer: Peer;
}

export type PeerConsumer = types.Consumer<PeerConsumerAppData>;

/** From now on the consumer's producer events reach its peer. */
export function forwardConsumerEvents(consumer: PeerConsumer): void {
	consumer.on('producerclose', onProducerClose);
	consumer.on('producerpause', onProducerPause);
	consumer.on('producerresume', onProducerResume);
	consumer.on('score', onScore);
	consumer.on('layerschange', onLayersChange);
}

function onProducerClose(this: PeerConsumer): void {
	this.close();
	this.appData.peer.notify('consumerClosed', { consumerId: this.id });
}

function onProducerPause(this: PeerConsumer): void {
	this.appData.peer.notify('consumerPaused', { consumerId: this.id });
}

function onProducerResume(this: PeerConsumer): void {
	this.appData.peer.notify('consumerResumed', { consumerId: this.id });
}

function onScore(this: PeerConsumer, score: types.ConsumerScore): void {
	this.appData.peer.notify('consumerScore', { consumerId: this.id, score });
}

function onLayersChange(this: PeerConsumer, layers: types.ConsumerLayers | undefined): void {
	this.appData.peer.notify('consumerLayersChanged', consumerLayers(this.id, layers));
}
