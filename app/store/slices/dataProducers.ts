// This peer's data producers: the "chat" and "bot" data channels.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface DataProducerState {
	id: string;
	label: string;
	protocol: string;
	streamId: number;
	open: boolean;
}

export type DataProducersState = Record<string, DataProducerState>;

const initialState: DataProducersState = {};

export const dataProducersSlice = createSlice({
	name: 'dataProducers',
	initialState,
	reducers: {
		dataProducerAdded(state, action: PayloadAction<DataProducerState>) {
			state[action.payload.id] = action.payload;
		},
		dataProducerOpened(state, action: PayloadAction<string>) {
			const dataProducer = state[action.payload];
			if (dataProducer) dataProducer.open = true;
		},
		dataProducerRemoved(state, action: PayloadAction<string>) {
			delete state[action.payload];
		},
		allDataProducersRemoved() {
			return {};
		},
	},
});

export const dataProducersActions = dataProducersSlice.actions;
