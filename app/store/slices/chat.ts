// The chat: whether its panel is open, the messages sent and received over
// the "chat" data channels and the bot's answers, and how many of them arrived
// while the panel was closed (the badge on the chat button).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface ChatMessage {
	id: string;
	from: 'me' | 'peer' | 'bot';
	/** The sender's peerId; null for the bot. */
	peerId: string | null;
	displayName: string;
	text: string;
	/** ms since the epoch. */
	at: number;
}

/** A long meeting should not grow the page without bound. */
const MAX_MESSAGES = 500;

const initialState: { open: boolean; messages: ChatMessage[]; unread: number } = {
	open: false,
	messages: [],
	unread: 0,
};

export const chatSlice = createSlice({
	name: 'chat',
	initialState,
	reducers: {
		/** Opens or closes the panel (toggles without a payload); what it shows counts as read. */
		panelToggled(state, action: PayloadAction<boolean | undefined>) {
			state.open = action.payload ?? !state.open;
			if (state.open) state.unread = 0;
		},
		messageAdded(state, action: PayloadAction<ChatMessage>) {
			state.messages.push(action.payload);
			if (state.messages.length > MAX_MESSAGES) state.messages.splice(0, state.messages.length - MAX_MESSAGES);
			if (action.payload.from !== 'me' && !state.open) state.unread += 1;
		},
	},
});

export const chatActions = chatSlice.actions;
