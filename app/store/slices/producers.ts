// This peer's media producers (microphone, webcam, screen share).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ProducerScore } from '../../../protocol/signaling.ts';

export type MediaSource = 'mic' | 'webcam' | 'share';

export interface ProducerState {
	id: string;
	source: MediaSource;
	kind: 'audio' | 'video';
	paused: boolean;
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

export type ProducersState = Record<string, ProducerState>;

const initialState: ProducersState = {};

export const producersSlice = createSlice({
	name: 'producers',
	initialState,
	reducers: {
		producerAdded(state, action: PayloadAction<ProducerState>) {
			state[action.payload.id] = action.payload;
		},
		producerRemoved(state, action: PayloadAction<string>) {
			delete state[action.payload];
		},
		producerPaused(state, action: PayloadAction<{ id: string; paused: boolean }>) {
			const producer = state[action.payload.id];
			if (producer) producer.paused = action.payload.paused;
		},
		producerTrackReplaced(state, action: PayloadAction<{ id: string; trackId: string }>) {
			const producer = state[action.payload.id];
			if (producer) producer.trackId = action.payload.trackId;
		},
		producerScoreChanged(state, action: PayloadAction<{ id: string; score: ProducerScore[] }>) {
			const producer = state[action.payload.id];
			if (producer) producer.score = action.payload.score;
		},
		producerMaxSpatialLayerChanged(state, action: PayloadAction<{ id: string; maxSpatialLayer: number }>) {
			const producer = state[action.payload.id];
			if (producer) producer.maxSpatialLayer = action.payload.maxSpatialLayer;
		},
		allProducersRemoved() {
			return {};
		},
	},
});

export const producersActions = producersSlice.actions;
