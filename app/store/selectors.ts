// Typed, memoized views of the store for the components.
import { createSelector } from '@reduxjs/toolkit';
import type { ConsumerState } from './slices/consumers.ts';
import type { MediaSource, ProducerState } from './slices/producers.ts';
import type { RootState } from './store.ts';

export const selectRoom = (state: RootState) => state.room;
export const selectMe = (state: RootState) => state.me;
export const selectProducers = (state: RootState) => state.producers;
export const selectConsumers = (state: RootState) => state.consumers;
export const selectPeersById = (state: RootState) => state.peers;
export const selectDataProducers = (state: RootState) => state.dataProducers;
export const selectDataConsumers = (state: RootState) => state.dataConsumers;
export const selectNotifications = (state: RootState) => state.notifications;
export const selectChat = (state: RootState) => state.chat;

/** Peers in order of arrival, so tiles do not jump around. */
export const selectPeers = createSelector([selectPeersById], (peers) =>
	Object.values(peers).sort((a, b) => a.joinedAt - b.joinedAt),
);

export const selectPeer = (state: RootState, peerId: string) => state.peers[peerId];

/** Small selectors for tiles, so a tile re-renders only when its own inputs change. */
export const selectActiveSpeakerId = (state: RootState) => state.room.activeSpeakerId;
export const selectActiveSpeakerVolume = (state: RootState) => state.room.activeSpeakerVolume;
export const selectShowInfo = (state: RootState) => state.room.showInfo;

function producerBySource(producers: Record<string, ProducerState>, source: MediaSource): ProducerState | undefined {
	return Object.values(producers).find((producer) => producer.source === source);
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
	(consumers, peerId): PeerMedia => {
		const own = Object.values(consumers).filter((consumer) => consumer.peerId === peerId);
		return {
			audio: own.find((consumer) => consumer.kind === 'audio'),
			video: own.find((consumer) => consumer.kind === 'video' && consumer.source !== 'share'),
			share: own.find((consumer) => consumer.kind === 'video' && consumer.source === 'share'),
		};
	},
);

export const selectAudioConsumers = createSelector([selectConsumers], (consumers) =>
	Object.values(consumers).filter((consumer) => consumer.kind === 'audio'),
);

export const selectChatDataProducer = createSelector([selectDataProducers], (dataProducers) =>
	Object.values(dataProducers).find((dataProducer) => dataProducer.label === 'chat'),
);
export const selectBotDataProducer = createSelector([selectDataProducers], (dataProducers) =>
	Object.values(dataProducers).find((dataProducer) => dataProducer.label === 'bot'),
);
