// The chat: messages over the "chat" data channel, and "@bot ..." questions
// to the room's bot with its answers.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import { selectChat, selectChatDataProducer, selectRoom } from '../store/selectors.ts';
import { chatActions } from '../store/slices/chat.ts';
import { SidePanel } from './SidePanel.tsx';

function timeOf(at: number): string {
	return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function ChatPanel() {
	const roomClient = useRoomClient();
	const dispatch = useAppDispatch();
	const { messages } = useAppSelector(selectChat);
	const chatProducer = useAppSelector(selectChatDataProducer);
	const { chatEnabled } = useAppSelector(selectRoom);
	const [draft, setDraft] = useState('');
	const listRef = useRef<HTMLOListElement>(null);

	// biome-ignore lint/correctness/useExhaustiveDependencies: scroll on every new message
	useEffect(() => {
		listRef.current?.lastElementChild?.scrollIntoView({ block: 'end' });
	}, [messages.length]);

	const send = (event: FormEvent) => {
		event.preventDefault();
		roomClient.chat.send(draft);
		setDraft('');
	};
	const canSend = chatProducer?.open === true;
	return (
		<SidePanel name="chat" title="Chat" onClose={() => dispatch(chatActions.panelToggled(false))}>
			<ol className="chat-messages" ref={listRef}>
				{messages.length === 0 ? <li className="chat-empty">No messages yet. Ask the bot: “@bot hello”.</li> : null}
				{messages.map((message) => (
					<li
						key={message.id}
						className={`chat-message from-${message.from}`}
						data-testid="chat-message"
						data-from={message.from}
					>
						<div className="chat-meta">
							<span className="chat-author">{message.from === 'me' ? 'You' : message.displayName}</span>
							<time>{timeOf(message.at)}</time>
						</div>
						<div className="chat-text" data-testid="chat-text">
							{message.text}
						</div>
					</li>
				))}
			</ol>
			<form className="chat-form" onSubmit={send}>
				<input
					value={draft}
					onChange={(event) => setDraft(event.target.value)}
					placeholder={
						canSend
							? 'Message everyone, or “@bot …”'
							: chatEnabled
								? 'Chat is connecting…'
								: 'This page only reads the chat'
					}
					disabled={!canSend}
					aria-label="Chat message"
					data-testid="chat-input"
				/>
				<button type="submit" disabled={!canSend || draft.trim() === ''} data-testid="chat-send">
					Send
				</button>
			</form>
		</SidePanel>
	);
}
