// This peer's media producers (microphone, webcam, screen share).
import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { PublishSource } from '../../../protocol/access.ts';
import type { ProducerScore } from '../../../protocol/signaling.ts';

export type MediaSource = 'mic' | 'webcam' | 'share';

/** The publish grant each source needs, as protocol/access.ts names it. */
export const PUBLISH_SOURCE: Readonly<Record<MediaSource, PublishSource>> = {
	mic: 'microphone',
	webcam: 'camera',
	share: 'screen',
};

export interface ProducerState {
	id: string;
	source: MediaSource;
	kind: 'audio' | 'video';
	paused: boolean;
	/** Paused by a moderator (the server paused it first): the tile says so until I unmute. */
	mutedByModerator: boolean;
	/** Changes whenever the track is replaced, so views re-attach it. */
	trackId: string;
	codec: string;
	/** Number of encodings (simulcast streams) or 1. */
	encodings: number;
	scalabilityMode: string | null;
	/** How many spatial layers the producer sends (simulcast streams or SVC layers). */
	spatialLayers: number;
	maxSpatialLayer: number | null;
	score: ProducerScore[];
}

export const producersAdapter = createEntityAdapter<ProducerState>();

export const producersSlice = createSlice({
	name: 'producers',
	initialState: producersAdapter.getInitialState(),
	reducers: {
		producerAdded: producersAdapter.setOne,
		producerRemoved: producersAdapter.removeOne,
		producerPaused(state, action: PayloadAction<{ id: string; paused: boolean }>) {
			const { id, paused } = action.payload;
			producersAdapter.updateOne(state, { id, changes: { paused, mutedByModerator: false } });
		},
		producerMutedByModerator(state, action: PayloadAction<string>) {
			producersAdapter.updateOne(state, { id: action.payload, changes: { paused: true, mutedByModerator: true } });
		},
		producerTrackReplaced(state, action: PayloadAction<{ id: string; trackId: string }>) {
			producersAdapter.updateOne(state, { id: action.payload.id, changes: { trackId: action.payload.trackId } });
		},
		producerScoreChanged(state, action: PayloadAction<{ id: string; score: ProducerScore[] }>) {
			producersAdapter.updateOne(state, { id: action.payload.id, changes: { score: action.payload.score } });
		},
		producerMaxSpatialLayerChanged(state, action: PayloadAction<{ id: string; maxSpatialLayer: number }>) {
			producersAdapter.updateOne(state, {
				id: action.payload.id,
				changes: { maxSpatialLayer: action.payload.maxSpatialLayer },
			});
		},
		allProducersRemoved: producersAdapter.removeAll,
	},
});

export const producersActions = producersSlice.actions;
