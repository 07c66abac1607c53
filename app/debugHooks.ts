// For the console and the end-to-end tests: the page's RoomClient and store
// are reachable as `window.roomClient` and `window.store`. Tests read the
// browser's own RTCPeerConnection stats through them, e.g.
//   await window.roomClient.stats.browser('transport', 'recv')
// They expose nothing the page's own scripts could not already reach.
import type { RoomClient } from './RoomClient.ts';
import type { AppStore } from './store/store.ts';

declare global {
	interface Window {
		roomClient?: RoomClient;
		store?: AppStore;
	}
}

export function exposeForDebugging(roomClient: RoomClient, store: AppStore): void {
	window.roomClient = roomClient;
	window.store = store;
}
