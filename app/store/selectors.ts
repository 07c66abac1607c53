// Typed, memoized views of the store for the components.
import { createSelector } from '@reduxjs/toolkit';
import { canPublish, type Grants, OPEN_GRANTS } from '../../protocol/access.ts';
import { type ConsumerState, consumersAdapter } from './slices/consumers.ts';
import { dataConsumersAdapter } from './slices/dataConsumers.ts';
import { dataProducersAdapter } from './slices/dataProducers.ts';
import { lobbyAdapter } from './slices/moderation.ts';
import { peersAdapter } from './slices/peers.ts';
import { type MediaSource, type ProducerState, PUBLISH_SOURCE, producersAdapter } from './slices/producers.ts';
import type { RootState } from './store.ts';

export const selectRoom = (state: RootState) => state.room;
export const selectMe = (state: RootState) => state.me;
export const selectNotifications = (state: RootState) => state.notifications;
export const selectChat = (state: RootState) => state.chat;
export const selectModeration = (state: RootState) => state.moderation;
export const selectAccess = (state: RootState) => state.access;

const peers = peersAdapter.getSelectors((state: RootState) => state.peers);
const producers = producersAdapter.getSelectors((state: RootState) => state.producers);
const consumers = consumersAdapter.getSelectors((state: RootState) => state.consumers);
const dataProducers = dataProducersAdapter.getSelectors((state: RootState) => state.dataProducers);
const dataConsumers = dataConsumersAdapter.getSelectors((state: RootState) => state.dataConsumers);
const lobby = lobbyAdapter.getSelectors((state: RootState) => state.moderation.lobby);

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

/** Who waits in the lobby, first come first. */
export const selectLobby = lobby.selectAll;

/** What this page may do: everything until a server says otherwise (one of the classic dialect never does). */
export const selectGrants = (state: RootState): Grants => state.access.grants ?? OPEN_GRANTS;

/** Whether the grants let this page send a source: the buttons of the others are not shown. */
export const selectMayPublish = (state: RootState, source: MediaSource): boolean => {
	const grants = selectGrants(state);
	return canPublish(grants) && grants.publish.includes(PUBLISH_SOURCE[source]);
};

/** Moderation: mute and remove peers, lock the room, the lobby, end the meeting. */
export const selectIsModerator = (state: RootState): boolean => selectGrants(state).roomAdmin;

export const selectMayRecord = (state: RootState): boolean => {
	const grants = selectGrants(state);
	return grants.record || grants.roomAdmin;
};

/** The server allows throttling with its shared secret in open mode, to moderators in token mode. */
export const selectThrottleAvailable = (state: RootState): boolean =>
	state.access.tokenMode ? selectIsModerator(state) : state.room.throttleAvailable;

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
