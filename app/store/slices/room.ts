// The room as a whole: connection state, who speaks, whether the stats panel is open.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

/**
 * `lobby`: connected, but the room is locked and a moderator has not let this peer in yet.
 * `reconnecting`: the connection was lost; the page is getting back in by itself (tiles stay).
 */
export type RoomConnectionState = 'new' | 'connecting' | 'lobby' | 'connected' | 'reconnecting' | 'closed';

export interface DownlinkBwe {
	desiredBitrate: number;
	effectiveDesiredBitrate: number;
	availableBitrate: number;
}

export interface RoomState {
	roomId: string;
	/** The address to share: this room, without this peer's own id. */
	inviteUrl: string;
	state: RoomConnectionState;
	/** Why the room closed, shown on the closed screen. */
	closedReason: string | null;
	/**
	 * Closed for good by the room's moderators (removed, denied, the meeting
	 * ended): the closed screen offers no way back in.
	 */
	closedForGood: boolean;
	/** While reconnecting: what is being tried, for the banner. */
	reconnectStatus: string | null;
	/**
	 * The page shared its screen before a rejoin: sharing cannot start again
	 * without a click, so the page offers it.
	 */
	shareToRestore: boolean;
	mediasoupVersion: string | null;
	activeSpeakerId: string | null;
	/** dBov (-127..0) of the active speaker, as the server's audio level observer measured it. */
	activeSpeakerVolume: number | null;
	downlinkBwe: DownlinkBwe | null;
	statsOpen: boolean;
	/** The page got a throttleSecret: in open mode the throttle widget is offered with it. */
	throttleAvailable: boolean;
	throttleApplied: boolean;
	/** This page can send chat messages (produce and datachannel are on). */
	chatEnabled: boolean;
	showInfo: boolean;
	/** ms since the epoch when the server started recording this room; null when not recording. */
	recordingSince: number | null;
	recordingInProgress: boolean;
	/** Media of this page is encrypted end to end (e2eKey), so the server relays only ciphertext. */
	e2eeEnabled: boolean;
}

const initialState: RoomState = {
	roomId: '',
	inviteUrl: '',
	state: 'new',
	closedReason: null,
	closedForGood: false,
	reconnectStatus: null,
	shareToRestore: false,
	mediasoupVersion: null,
	activeSpeakerId: null,
	activeSpeakerVolume: null,
	downlinkBwe: null,
	statsOpen: false,
	throttleAvailable: false,
	throttleApplied: false,
	chatEnabled: true,
	showInfo: false,
	recordingSince: null,
	recordingInProgress: false,
	e2eeEnabled: false,
};

export const roomSlice = createSlice({
	name: 'room',
	initialState,
	reducers: {
		roomConfigured(
			state,
			action: PayloadAction<{
				roomId: string;
				inviteUrl: string;
				statsOpen: boolean;
				throttleAvailable: boolean;
				chatEnabled: boolean;
				showInfo: boolean;
			}>,
		) {
			Object.assign(state, action.payload);
		},
		connectionStateChanged(
			state,
			action: PayloadAction<{ state: RoomConnectionState; reason?: string; forGood?: boolean }>,
		) {
			state.state = action.payload.state;
			state.closedReason = action.payload.reason ?? null;
			state.closedForGood = action.payload.forGood ?? false;
			if (action.payload.state !== 'reconnecting') state.reconnectStatus = null;
			if (action.payload.state !== 'connected') {
				state.activeSpeakerId = null;
				state.activeSpeakerVolume = null;
			}
		},
		reconnectStatusChanged(state, action: PayloadAction<string>) {
			state.reconnectStatus = action.payload;
		},
		shareToRestoreChanged(state, action: PayloadAction<boolean>) {
			state.shareToRestore = action.payload;
		},
		mediasoupVersionReceived(state, action: PayloadAction<string>) {
			state.mediasoupVersion = action.payload;
		},
		activeSpeakerChanged(state, action: PayloadAction<{ peerId: string | null; volume: number | null }>) {
			state.activeSpeakerId = action.payload.peerId;
			state.activeSpeakerVolume = action.payload.volume;
		},
		downlinkBweReceived(state, action: PayloadAction<DownlinkBwe>) {
			state.downlinkBwe = action.payload;
		},
		statsToggled(state, action: PayloadAction<boolean | undefined>) {
			state.statsOpen = action.payload ?? !state.statsOpen;
		},
		recordingChanged(state, action: PayloadAction<number | null>) {
			state.recordingSince = action.payload;
		},
		recordingInProgressChanged(state, action: PayloadAction<boolean>) {
			state.recordingInProgress = action.payload;
		},
		e2eeEnabled(state) {
			state.e2eeEnabled = true;
		},
		throttleChanged(state, action: PayloadAction<boolean>) {
			state.throttleApplied = action.payload;
		},
	},
});

export const roomActions = roomSlice.actions;
