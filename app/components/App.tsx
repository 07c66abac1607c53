// The whole page: top bar, video grid, side panels, controls and toasts.
import { useAppSelector } from '../store/hooks.ts';
import { selectChat, selectRoom } from '../store/selectors.ts';
import { ChatPanel } from './ChatPanel.tsx';
import { ClosedScreen } from './ClosedScreen.tsx';
import { ControlBar } from './ControlBar.tsx';
import { RemoteAudio } from './RemoteAudio.tsx';
import { StatsPanel } from './StatsPanel.tsx';
import { Toasts } from './Toasts.tsx';
import { TopBar } from './TopBar.tsx';
import { VideoGrid } from './VideoGrid.tsx';

export function App() {
	const room = useAppSelector(selectRoom);
	const chat = useAppSelector(selectChat);
	return (
		<div className="app">
			<TopBar />
			<main className="stage">
				{room.state === 'closed' ? <ClosedScreen /> : <VideoGrid />}
				{chat.open ? <ChatPanel /> : null}
				{room.statsOpen && room.state !== 'closed' ? <StatsPanel /> : null}
			</main>
			{room.state === 'closed' ? null : <ControlBar />}
			<RemoteAudio />
			<Toasts />
		</div>
	);
}
