// Toasts: short messages that disappear by themselves.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface NotificationState {
	id: string;
	type: 'info' | 'error';
	title: string | null;
	text: string;
	/** How long it stays, in ms. */
	timeout: number;
}

const initialState: NotificationState[] = [];

/** Enough to read; older ones make room for newer ones. */
const MAX_VISIBLE = 5;

export const notificationsSlice = createSlice({
	name: 'notifications',
	initialState,
	reducers: {
		notificationAdded(state, action: PayloadAction<NotificationState>) {
			state.push(action.payload);
			if (state.length > MAX_VISIBLE) state.splice(0, state.length - MAX_VISIBLE);
		},
		notificationRemoved(state, action: PayloadAction<string>) {
			return state.filter((notification) => notification.id !== action.payload);
		},
		allNotificationsRemoved() {
			return [];
		},
	},
});

export const notificationsActions = notificationsSlice.actions;
