// The chat history: messages sent and received over the "chat" data channels,
// and the bot's answers.
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

const initialState: { messages: ChatMessage[]; unread: number } = { messages: [], unread: 0 };

export const chatSlice = createSlice({
	name: 'chat',
	initialState,
	reducers: {
		messageAdded(state, action: PayloadAction<ChatMessage>) {
			state.messages.push(action.payload);
			if (state.messages.length > MAX_MESSAGES) state.messages.splice(0, state.messages.length - MAX_MESSAGES);
			if (action.payload.from !== 'me') state.unread += 1;
		},
		messagesRead(state) {
			state.unread = 0;
		},
	},
});

export const chatActions = chatSlice.actions;
