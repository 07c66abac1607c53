// What the parts of a RoomClient share: the store, the page's options, the
// tracks, toasts, and the connection objects that exist only while joined
// (each accessor throws when its object is not there).
import type { Device, types } from 'mediasoup-client';
import type { UrlOptions } from '../config/urlOptions.ts';
import type { E2eeSession } from '../e2ee/E2eeSession.ts';
import type { SignalingChannel } from '../signaling/SignalingChannel.ts';
import type { AppStore } from '../store/store.ts';
import type { Notifier } from './Notifier.ts';

export type TransportDirection = 'send' | 'recv';

export interface RoomContext {
	readonly store: AppStore;
	readonly options: UrlOptions;
	/**
	 * The track of each producer and consumer, by its id. Tracks are not data,
	 * so they stay out of the store, which carries each one's track id instead:
	 * it changes when a track is replaced, so views know when to look again.
	 */
	readonly tracks: Map<string, MediaStreamTrack>;
	readonly notifier: Notifier;
	signaling(): SignalingChannel;
	device(): Device;
	sendTransport(): types.Transport;
	recvTransport(): types.Transport;
	/** Present when the page encrypts end to end (e2eKey). */
	e2ee(): E2eeSession | undefined;
}
