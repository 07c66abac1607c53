// Entry point: read the address, set up the store and the RoomClient, render,
// and join the room.
// First: zod must be told before anything validates with it.
import './config/zodWithoutEval.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './components/App.tsx';
import { deviceInfo } from './config/deviceInfo.ts';
import { initialDisplayName } from './config/displayName.ts';
import { invitationUrl, parseUrlOptions, withRoomId } from './config/urlOptions.ts';
import { exposeForDebugging } from './debugHooks.ts';
import { RoomClient } from './RoomClient.ts';
import { RoomClientContext } from './RoomClientContext.ts';
import { accessActions } from './store/slices/access.ts';
import { meActions } from './store/slices/me.ts';
import { roomActions } from './store/slices/room.ts';
import { createStore } from './store/store.ts';

function start(): void {
	const url = new URL(window.location.href);
	const options = parseUrlOptions(url);
	// A made-up room goes into the address bar, so the address is the invitation.
	if (options.roomIdGenerated) window.history.replaceState(null, '', withRoomId(url, options.roomId));

	const store = createStore();
	store.dispatch(
		roomActions.roomConfigured({
			roomId: options.roomId,
			inviteUrl: invitationUrl(url, options.roomId),
			statsOpen: options.stats,
			throttleAvailable: options.throttleSecret !== null,
			chatEnabled: options.produce && options.datachannel,
			showInfo: options.info,
		}),
	);
	// Until the server confirms them, the token's own grants decide what the page offers.
	store.dispatch(accessActions.configured({ tokenMode: options.token !== null, grants: options.tokenGrants }));
	store.dispatch(
		meActions.identified({
			id: options.peerId,
			displayName: initialDisplayName(options.displayName),
			device: deviceInfo(navigator.userAgent),
			webcamResolution: options.resolution,
		}),
	);
	const roomClient = new RoomClient({ store, options, serverLocation: window.location });
	exposeForDebugging(roomClient, store);

	const root = document.getElementById('root');
	if (!root) throw new Error('#root missing from index.html');
	createRoot(root).render(
		<StrictMode>
			<Provider store={store}>
				<RoomClientContext value={roomClient}>
					<App />
				</RoomClientContext>
			</Provider>
		</StrictMode>,
	);
	roomClient.join();
	// Closing the tab leaves the room at once rather than after a timeout.
	window.addEventListener('pagehide', () => roomClient.leave());
}

start();
