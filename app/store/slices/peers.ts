// The other members of the room (peers and broadcasters).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { DeviceInfo } from '../../../protocol/signaling.ts';

export interface PeerState {
	id: string;
	displayName: string;
	device: DeviceInfo;
	/** Order of arrival, so tiles keep their place in the grid. */
	joinedAt: number;
}

export type PeersState = Record<string, PeerState>;

const initialState: PeersState = {};

export const peersSlice = createSlice({
	name: 'peers',
	initialState,
	reducers: {
		peerAdded(state, action: PayloadAction<PeerState>) {
			state[action.payload.id] = action.payload;
		},
		peerRemoved(state, action: PayloadAction<string>) {
			delete state[action.payload];
		},
		peerDisplayNameChanged(state, action: PayloadAction<{ peerId: string; displayName: string }>) {
			const peer = state[action.payload.peerId];
			if (peer) peer.displayName = action.payload.displayName;
		},
		allPeersRemoved() {
			return {};
		},
	},
});

export const peersActions = peersSlice.actions;
