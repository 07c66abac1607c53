// This peer: identity, what it can send, and the progress of its media actions.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { DeviceInfo } from '../../../protocol/signaling.ts';

export type WebcamResolution = 'qvga' | 'vga' | 'hd';

export interface MeState {
	id: string;
	displayName: string;
	device: DeviceInfo;
	canSendMic: boolean;
	canSendWebcam: boolean;
	/** More than one camera: offer "switch camera". */
	canChangeWebcam: boolean;
	webcamResolution: WebcamResolution;
	micInProgress: boolean;
	webcamInProgress: boolean;
	shareInProgress: boolean;
	audioOnly: boolean;
	audioOnlyInProgress: boolean;
	/** All remote audio muted locally. */
	audioMuted: boolean;
	restartIceInProgress: boolean;
	/** Local microphone level, 0..1, for the meter. */
	audioLevel: number;
}

const initialState: MeState = {
	id: '',
	displayName: '',
	device: {},
	canSendMic: false,
	canSendWebcam: false,
	canChangeWebcam: false,
	webcamResolution: 'hd',
	micInProgress: false,
	webcamInProgress: false,
	shareInProgress: false,
	audioOnly: false,
	audioOnlyInProgress: false,
	audioMuted: false,
	restartIceInProgress: false,
	audioLevel: 0,
};

type Flag =
	| 'micInProgress'
	| 'webcamInProgress'
	| 'shareInProgress'
	| 'audioOnly'
	| 'audioOnlyInProgress'
	| 'audioMuted'
	| 'restartIceInProgress';

export const meSlice = createSlice({
	name: 'me',
	initialState,
	reducers: {
		identified(
			state,
			action: PayloadAction<{
				id: string;
				displayName: string;
				device: DeviceInfo;
				webcamResolution: WebcamResolution;
			}>,
		) {
			Object.assign(state, action.payload);
		},
		mediaCapabilitiesKnown(state, action: PayloadAction<{ canSendMic: boolean; canSendWebcam: boolean }>) {
			state.canSendMic = action.payload.canSendMic;
			state.canSendWebcam = action.payload.canSendWebcam;
		},
		canChangeWebcamKnown(state, action: PayloadAction<boolean>) {
			state.canChangeWebcam = action.payload;
		},
		displayNameChanged(state, action: PayloadAction<string>) {
			state.displayName = action.payload;
		},
		webcamResolutionChanged(state, action: PayloadAction<WebcamResolution>) {
			state.webcamResolution = action.payload;
		},
		flagSet(state, action: PayloadAction<{ flag: Flag; value: boolean }>) {
			state[action.payload.flag] = action.payload.value;
		},
		audioLevelMeasured(state, action: PayloadAction<number>) {
			state.audioLevel = action.payload;
		},
	},
});

export const meActions = meSlice.actions;
