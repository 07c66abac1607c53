// The room as moderators (the roomAdmin grant) see it: whether it is locked,
// who waits in the lobby, and whether their panel is open.
import { createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface LobbyPeer {
	id: string;
	displayName: string;
	/** ms since the epoch: the list keeps the order of arrival. */
	since: number;
}

export const lobbyAdapter = createEntityAdapter<LobbyPeer, string>({
	selectId: (peer) => peer.id,
	sortComparer: (a, b) => a.since - b.since,
});

const initialState = {
	locked: false,
	panelOpen: false,
	lobby: lobbyAdapter.getInitialState(),
};

export const moderationSlice = createSlice({
	name: 'moderation',
	initialState,
	reducers: {
		lockChanged(state, action: PayloadAction<boolean>) {
			state.locked = action.payload;
		},
		panelToggled(state, action: PayloadAction<boolean | undefined>) {
			state.panelOpen = action.payload ?? !state.panelOpen;
		},
		lobbyPeerWaiting(state, action: PayloadAction<LobbyPeer>) {
			lobbyAdapter.setOne(state.lobby, action.payload);
		},
		lobbyPeerLeft(state, action: PayloadAction<string>) {
			lobbyAdapter.removeOne(state.lobby, action.payload);
		},
		/** A resumed session: who waits in the lobby now (sessionResumed), the order of arrival kept where known. */
		lobbyReplaced(state, action: PayloadAction<{ id: string; displayName: string }[]>) {
			const known = state.lobby.entities;
			const now = Date.now();
			const waiting = action.payload.map((peer, index) => ({ ...peer, since: known[peer.id]?.since ?? now + index }));
			lobbyAdapter.setAll(state.lobby, waiting);
		},
		/** The connection went: what the server told this connection no longer holds. */
		reset(state) {
			state.locked = false;
			lobbyAdapter.removeAll(state.lobby);
		},
	},
});

export const moderationActions = moderationSlice.actions;
