// This peer's data producers: the "chat" and "bot" data channels.
import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface DataProducerState {
	id: string;
	label: string;
	protocol: string;
	streamId: number;
	open: boolean;
}

export const dataProducersAdapter = createEntityAdapter<DataProducerState>();

export const dataProducersSlice = createSlice({
	name: 'dataProducers',
	initialState: dataProducersAdapter.getInitialState(),
	reducers: {
		dataProducerAdded: dataProducersAdapter.setOne,
		dataProducerOpened(state, action: PayloadAction<string>) {
			dataProducersAdapter.updateOne(state, { id: action.payload, changes: { open: true } });
		},
		dataProducerRemoved: dataProducersAdapter.removeOne,
		allDataProducersRemoved: dataProducersAdapter.removeAll,
	},
});

export const dataProducersActions = dataProducersSlice.actions;
