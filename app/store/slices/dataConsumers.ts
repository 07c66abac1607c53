// Data channels this peer receives: other peers' "chat" and the room bot.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
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

export type DataConsumersState = Record<string, DataConsumerState>;

const initialState: DataConsumersState = {};

export const dataConsumersSlice = createSlice({
	name: 'dataConsumers',
	initialState,
	reducers: {
		dataConsumerAdded(state, action: PayloadAction<DataConsumerState>) {
			state[action.payload.id] = action.payload;
		},
		dataConsumerRemoved(state, action: PayloadAction<string>) {
			delete state[action.payload];
		},
		allDataConsumersRemoved() {
			return {};
		},
	},
	extraReducers: (builder) => {
		builder.addCase(peersActions.peerRemoved, (state, action) => {
			for (const dataConsumer of Object.values(state)) {
				if (dataConsumer.peerId === action.payload) delete state[dataConsumer.id];
			}
		});
	},
});

export const dataConsumersActions = dataConsumersSlice.actions;
