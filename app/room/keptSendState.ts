// What this page was sending when its session was lost, so that a full rejoin
// (a new session: new transports, new producers) puts back exactly that, not
// what the URL flags asked for at the start: a muted microphone comes back
// muted, a camera that was turned off stays off. Screen sharing cannot be
// started again without a click of the user (getDisplayMedia needs a gesture):
// it is remembered so that the page can offer it in one click.

import { selectMicProducer, selectShareProducer, selectWebcamProducer } from '../store/selectors.ts';
import type { RootState } from '../store/store.ts';

export type KeptMic = 'off' | 'on' | 'muted';

export interface KeptSendState {
	mic: KeptMic;
	webcam: boolean;
	share: boolean;
	displayName: string;
}

/** What the store says this page sends now. */
export function keptSendState(state: RootState): KeptSendState {
	const mic = selectMicProducer(state);
	return {
		mic: mic ? (mic.paused ? 'muted' : 'on') : 'off',
		webcam: selectWebcamProducer(state) !== undefined,
		share: selectShareProducer(state) !== undefined,
		displayName: state.me.displayName,
	};
}
