// The other members of the room (peers and broadcasters).
import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { DeviceInfo } from '../../../protocol/signaling.ts';

export interface PeerState {
	id: string;
	displayName: string;
	device: DeviceInfo;
	/** Order of arrival, so tiles keep their place in the grid. */
	joinedAt: number;
	/** Its connection dropped and the server keeps it for its grace period: its tile stays, marked. */
	reconnecting?: boolean;
}

export const peersAdapter = createEntityAdapter<PeerState>();

export const peersSlice = createSlice({
	name: 'peers',
	initialState: peersAdapter.getInitialState(),
	reducers: {
		peerAdded: peersAdapter.setOne,
		peerRemoved: peersAdapter.removeOne,
		peerDisplayNameChanged(state, action: PayloadAction<{ peerId: string; displayName: string }>) {
			const { peerId, displayName } = action.payload;
			peersAdapter.updateOne(state, { id: peerId, changes: { displayName } });
		},
		peerReconnectingChanged(state, action: PayloadAction<{ peerId: string; reconnecting: boolean }>) {
			const { peerId, reconnecting } = action.payload;
			peersAdapter.updateOne(state, { id: peerId, changes: { reconnecting } });
		},
		allPeersRemoved: peersAdapter.removeAll,
	},
});

export const peersActions = peersSlice.actions;
