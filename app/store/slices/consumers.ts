// What this peer receives: one consumer per remote producer (and replica).
import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';
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

/** A consumer before anything happened to it: not paused here, no layers, priority or score heard of yet. */
const UNTOUCHED = {
	locallyPaused: false,
	preferredSpatialLayer: null,
	preferredTemporalLayer: null,
	currentSpatialLayer: null,
	currentTemporalLayer: null,
	priority: 1,
	score: null,
	audioLevel: 0,
} satisfies Partial<ConsumerState>;

/** What is known of a consumer when it arrives; the rest starts UNTOUCHED. */
export type ArrivedConsumer = Omit<ConsumerState, keyof typeof UNTOUCHED>;

export const consumersAdapter = createEntityAdapter<ConsumerState>();

export const consumersSlice = createSlice({
	name: 'consumers',
	initialState: consumersAdapter.getInitialState(),
	reducers: {
		consumerAdded: {
			reducer: consumersAdapter.setOne,
			prepare: (consumer: ArrivedConsumer) => ({ payload: { ...consumer, ...UNTOUCHED } }),
		},
		consumerRemoved: consumersAdapter.removeOne,
		consumerPausedChanged(state, action: PayloadAction<{ id: string; by: 'local' | 'remote'; paused: boolean }>) {
			const { id, by, paused } = action.payload;
			const changes = by === 'local' ? { locallyPaused: paused } : { remotelyPaused: paused };
			consumersAdapter.updateOne(state, { id, changes });
		},
		consumerCurrentLayersChanged(
			state,
			action: PayloadAction<{ id: string; spatialLayer: number | null; temporalLayer: number | null }>,
		) {
			const { id, spatialLayer, temporalLayer } = action.payload;
			const changes = { currentSpatialLayer: spatialLayer, currentTemporalLayer: temporalLayer };
			consumersAdapter.updateOne(state, { id, changes });
		},
		consumerPreferredLayersChanged(
			state,
			action: PayloadAction<{ id: string; spatialLayer: number; temporalLayer: number }>,
		) {
			const { id, spatialLayer, temporalLayer } = action.payload;
			const changes = { preferredSpatialLayer: spatialLayer, preferredTemporalLayer: temporalLayer };
			consumersAdapter.updateOne(state, { id, changes });
		},
		consumerPriorityChanged(state, action: PayloadAction<{ id: string; priority: number }>) {
			consumersAdapter.updateOne(state, { id: action.payload.id, changes: { priority: action.payload.priority } });
		},
		consumerAudioLevelChanged(state, action: PayloadAction<{ id: string; level: number }>) {
			consumersAdapter.updateOne(state, { id: action.payload.id, changes: { audioLevel: action.payload.level } });
		},
		consumerScoreChanged(state, action: PayloadAction<{ id: string; score: ConsumerScore }>) {
			consumersAdapter.updateOne(state, { id: action.payload.id, changes: { score: action.payload.score } });
		},
		allConsumersRemoved: consumersAdapter.removeAll,
	},
	extraReducers: (builder) => {
		// A peer that left takes its consumers along, even if a consumerClosed got lost.
		builder.addCase(peersActions.peerRemoved, (state, action) => {
			consumersAdapter.removeMany(state, { where: { peerId: action.payload } });
		});
	},
});

export const consumersActions = consumersSlice.actions;
