// What this peer receives: one consumer per remote producer (and replica).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { ConsumerScore, ConsumerType } from '../../../protocol/signaling.ts';
import { peersActions } from './peers.ts';
import type { MediaSource } from './producers.ts';

export interface ConsumerState {
	id: string;
	peerId: string;
	producerId: string;
	kind: 'audio' | 'video';
	type: ConsumerType;
	source: MediaSource | 'unknown';
	trackId: string;
	codec: string;
	/** Paused by this peer (audio-only mode, a hidden tile). */
	locallyPaused: boolean;
	/** Paused because the producer is paused (the sender muted or stopped). */
	remotelyPaused: boolean;
	spatialLayers: number;
	temporalLayers: number;
	preferredSpatialLayer: number | null;
	preferredTemporalLayer: number | null;
	currentSpatialLayer: number | null;
	currentTemporalLayer: number | null;
	priority: number;
	score: ConsumerScore | null;
	/** Audio consumers: the voice's level, 0..1, for the meter on the tile. */
	audioLevel: number;
}

export type ConsumersState = Record<string, ConsumerState>;

const initialState: ConsumersState = {};

function update(state: ConsumersState, id: string, change: Partial<ConsumerState>): void {
	const consumer = state[id];
	if (consumer) Object.assign(consumer, change);
}

export const consumersSlice = createSlice({
	name: 'consumers',
	initialState,
	reducers: {
		consumerAdded(state, action: PayloadAction<ConsumerState>) {
			state[action.payload.id] = action.payload;
		},
		consumerRemoved(state, action: PayloadAction<string>) {
			delete state[action.payload];
		},
		consumerPausedChanged(state, action: PayloadAction<{ id: string; by: 'local' | 'remote'; paused: boolean }>) {
			const { id, by, paused } = action.payload;
			update(state, id, by === 'local' ? { locallyPaused: paused } : { remotelyPaused: paused });
		},
		consumerCurrentLayersChanged(
			state,
			action: PayloadAction<{ id: string; spatialLayer: number | null; temporalLayer: number | null }>,
		) {
			const { id, spatialLayer, temporalLayer } = action.payload;
			update(state, id, { currentSpatialLayer: spatialLayer, currentTemporalLayer: temporalLayer });
		},
		consumerPreferredLayersChanged(
			state,
			action: PayloadAction<{ id: string; spatialLayer: number; temporalLayer: number }>,
		) {
			const { id, spatialLayer, temporalLayer } = action.payload;
			update(state, id, { preferredSpatialLayer: spatialLayer, preferredTemporalLayer: temporalLayer });
		},
		consumerPriorityChanged(state, action: PayloadAction<{ id: string; priority: number }>) {
			update(state, action.payload.id, { priority: action.payload.priority });
		},
		consumerAudioLevelChanged(state, action: PayloadAction<{ id: string; level: number }>) {
			update(state, action.payload.id, { audioLevel: action.payload.level });
		},
		consumerScoreChanged(state, action: PayloadAction<{ id: string; score: ConsumerScore }>) {
			update(state, action.payload.id, { score: action.payload.score });
		},
		allConsumersRemoved() {
			return {};
		},
	},
	extraReducers: (builder) => {
		// A peer that left takes its consumers along, even if a consumerClosed got lost.
		builder.addCase(peersActions.peerRemoved, (state, action) => {
			for (const consumer of Object.values(state)) {
				if (consumer.peerId === action.payload) delete state[consumer.id];
			}
		});
	},
});

export const consumersActions = consumersSlice.actions;
