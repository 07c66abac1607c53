// Data channels this peer receives: other peers' "chat" and the room bot.
import { createEntityAdapter, createSlice } from '@reduxjs/toolkit';
import { peersActions } from './peers.ts';

export interface DataConsumerState {
	id: string;
	/** null: the room's bot. */
	peerId: string | null;
	dataProducerId: string;
	label: string;
	protocol: string;
	streamId: number;
}

export const dataConsumersAdapter = createEntityAdapter<DataConsumerState>();

export const dataConsumersSlice = createSlice({
	name: 'dataConsumers',
	initialState: dataConsumersAdapter.getInitialState(),
	reducers: {
		dataConsumerAdded: dataConsumersAdapter.setOne,
		dataConsumerRemoved: dataConsumersAdapter.removeOne,
		allDataConsumersRemoved: dataConsumersAdapter.removeAll,
	},
	extraReducers: (builder) => {
		builder.addCase(peersActions.peerRemoved, (state, action) => {
			dataConsumersAdapter.removeMany(state, { where: { peerId: action.payload } });
		});
	},
});

export const dataConsumersActions = dataConsumersSlice.actions;
