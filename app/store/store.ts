// The Redux store: everything the UI shows, written through the slices' typed
// actions. What happens in the room comes from RoomClient and its parts;
// components dispatch only state that never leaves the page (a panel opened,
// a toast dismissed, remote voices muted here), and read through selectors.
import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { accessSlice } from './slices/access.ts';
import { chatSlice } from './slices/chat.ts';
import { consumersSlice } from './slices/consumers.ts';
import { dataConsumersSlice } from './slices/dataConsumers.ts';
import { dataProducersSlice } from './slices/dataProducers.ts';
import { meSlice } from './slices/me.ts';
import { moderationSlice } from './slices/moderation.ts';
import { notificationsSlice } from './slices/notifications.ts';
import { peersSlice } from './slices/peers.ts';
import { producersSlice } from './slices/producers.ts';
import { roomSlice } from './slices/room.ts';

export const rootReducer = combineReducers({
	room: roomSlice.reducer,
	access: accessSlice.reducer,
	moderation: moderationSlice.reducer,
	me: meSlice.reducer,
	producers: producersSlice.reducer,
	dataProducers: dataProducersSlice.reducer,
	peers: peersSlice.reducer,
	consumers: consumersSlice.reducer,
	dataConsumers: dataConsumersSlice.reducer,
	notifications: notificationsSlice.reducer,
	chat: chatSlice.reducer,
});

export type RootState = ReturnType<typeof rootReducer>;

export function createStore() {
	return configureStore({
		reducer: rootReducer,
		middleware: (getDefault) =>
			getDefault({
				// Every reducer is an Immer reducer from createSlice, so state cannot be
				// mutated by accident; the dev-only deep walk after each of the many
				// media events (levels, scores) costs more than it could find.
				immutableCheck: false,
				// Tracks and other media objects must stay out of the store: keep checking.
				serializableCheck: { warnAfter: 100 },
			}),
	});
}

export type AppStore = ReturnType<typeof createStore>;
export type AppDispatch = AppStore['dispatch'];
