// Typed, memoized views of the store for the components.
import { createSelector } from '@reduxjs/toolkit';
import { type ConsumerState, consumersAdapter } from './slices/consumers.ts';
import { dataConsumersAdapter } from './slices/dataConsumers.ts';
import { dataProducersAdapter } from './slices/dataProducers.ts';
import { peersAdapter } from './slices/peers.ts';
import { type MediaSource, type ProducerState, producersAdapter } from './slices/producers.ts';
import type { RootState } from './store.ts';

export const selectRoom = (state: RootState) => state.room;
export const selectMe = (state: RootState) => state.me;
export const selectNotifications = (state: RootState) => state.notifications;
export const selectChat = (state: RootState) => state.chat;

const peers = peersAdapter.getSelectors((state: RootState) => state.peers);
const producers = producersAdapter.getSelectors((state: RootState) => state.producers);
const consumers = consumersAdapter.getSelectors((state: RootState) => state.consumers);
const dataProducers = dataProducersAdapter.getSelectors((state: RootState) => state.dataProducers);
const dataConsumers = dataConsumersAdapter.getSelectors((state: RootState) => state.dataConsumers);

/** Each in the order it arrived. */
export const selectProducers = producers.selectAll;
export const selectConsumers = consumers.selectAll;
export const selectDataProducers = dataProducers.selectAll;
export const selectDataConsumers = dataConsumers.selectAll;
export const selectPeersById = peers.selectEntities;
export const selectPeer = peers.selectById;
export const selectConsumer = consumers.selectById;

/** Peers in order of arrival, so tiles do not jump around. */
export const selectPeers = createSelector([peers.selectAll], (all) => [...all].sort((a, b) => a.joinedAt - b.joinedAt));

/** Small selectors for tiles, so a tile re-renders only when its own inputs change. */
export const selectActiveSpeakerId = (state: RootState) => state.room.activeSpeakerId;
export const selectActiveSpeakerVolume = (state: RootState) => state.room.activeSpeakerVolume;
export const selectShowInfo = (state: RootState) => state.room.showInfo;

function producerBySource(all: ProducerState[], source: MediaSource): ProducerState | undefined {
	return all.find((producer) => producer.source === source);
}

export const selectMicProducer = createSelector([selectProducers], (producers) => producerBySource(producers, 'mic'));
export const selectWebcamProducer = createSelector([selectProducers], (producers) =>
	producerBySource(producers, 'webcam'),
);
export const selectShareProducer = createSelector([selectProducers], (producers) =>
	producerBySource(producers, 'share'),
);

export interface PeerMedia {
	audio: ConsumerState | undefined;
	/** The camera, or any video that does not say it is a screen. */
	video: ConsumerState | undefined;
	share: ConsumerState | undefined;
}

/** A peer's consumers by role: the first of each (replicas are for load tests). */
export const selectPeerMedia = createSelector(
	[selectConsumers, (_state: RootState, peerId: string) => peerId],
	(all, peerId): PeerMedia => {
		const own = all.filter((consumer) => consumer.peerId === peerId);
		return {
			audio: own.find((consumer) => consumer.kind === 'audio'),
			video: own.find((consumer) => consumer.kind === 'video' && consumer.source !== 'share'),
			share: own.find((consumer) => consumer.kind === 'video' && consumer.source === 'share'),
		};
	},
);

export const selectAudioConsumers = createSelector([selectConsumers], (all) =>
	all.filter((consumer) => consumer.kind === 'audio'),
);

export const selectChatDataProducer = createSelector([selectDataProducers], (all) =>
	all.find((dataProducer) => dataProducer.label === 'chat'),
);
export const selectBotDataProducer = createSelector([selectDataProducers], (all) =>
	all.find((dataProducer) => dataProducer.label === 'bot'),
);
