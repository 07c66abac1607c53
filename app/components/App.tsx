// The whole page: top bar, video grid (or the lobby, or why the page is out
// of the room), side panels, controls and toasts.

import { useAppSelector } from '../store/hooks.ts';
import { selectChat, selectIsModerator, selectModeration, selectRoom } from '../store/selectors.ts';
import type { RoomConnectionState } from '../store/slices/room.ts';
import { ChatPanel } from './ChatPanel.tsx';
import { ClosedScreen } from './ClosedScreen.tsx';
import { ControlBar } from './ControlBar.tsx';
import { LobbyScreen } from './LobbyScreen.tsx';
import { ModerationPanel } from './ModerationPanel.tsx';
import { ReconnectBanner } from './ReconnectBanner.tsx';
import { RemoteAudio } from './RemoteAudio.tsx';
import { StatsPanel } from './StatsPanel.tsx';
import { Toasts } from './Toasts.tsx';
import { TopBar } from './TopBar.tsx';
import { VideoGrid } from './VideoGrid.tsx';

function Stage({ state }: { state: RoomConnectionState }) {
	if (state === 'closed') return <ClosedScreen />;
	if (state === 'lobby') return <LobbyScreen />;
	return <VideoGrid />;
}

export function App() {
	const room = useAppSelector(selectRoom);
	const chat = useAppSelector(selectChat);
	const moderation = useAppSelector(selectModeration);
	const isModerator = useAppSelector(selectIsModerator);
	const inRoom = room.state !== 'closed' && room.state !== 'lobby';
	return (
		<div className="app">
			<TopBar />
			<ReconnectBanner />
			<main className="stage">
				<Stage state={room.state} />
				{chat.open ? <ChatPanel /> : null}
				{room.statsOpen && inRoom ? <StatsPanel /> : null}
				{moderation.panelOpen && isModerator && room.state === 'connected' ? <ModerationPanel /> : null}
			</main>
			{inRoom ? <ControlBar /> : null}
			<RemoteAudio />
			<Toasts />
		</div>
	);
}
