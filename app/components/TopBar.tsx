// The strip above the grid: which room, connection state, whether it is
// recorded, locked or encrypted, the invitation, and the throttle widget when
// available.
import { useAppSelector } from '../store/hooks.ts';
import { selectModeration, selectPeers, selectRoom } from '../store/selectors.ts';
import { InviteLink } from './InviteLink.tsx';
import { ThrottleWidget } from './ThrottleWidget.tsx';

const STATE_TEXT = {
	new: 'Starting…',
	connecting: 'Connecting…',
	lobby: 'In the lobby',
	connected: 'Connected',
	reconnecting: 'Reconnecting…',
	closed: 'Disconnected',
};

export function TopBar() {
	const room = useAppSelector(selectRoom);
	const peers = useAppSelector(selectPeers);
	const { locked } = useAppSelector(selectModeration);
	return (
		<header className="top-bar">
			<div className="room-title">
				<h1>{room.roomId}</h1>
				<span className={`state state-${room.state}`} data-testid="room-state" data-state={room.state}>
					{STATE_TEXT[room.state]}
				</span>
				{room.recordingSince !== null ? (
					<span
						className="recording"
						data-testid="recording-badge"
						title="Everyone's audio and video are being recorded"
					>
						REC
					</span>
				) : null}
				{locked && room.state === 'connected' ? (
					<span
						className="locked"
						data-testid="locked-badge"
						title="Newcomers wait in the lobby until a moderator lets them in"
					>
						Locked
					</span>
				) : null}
				{room.e2eeEnabled ? (
					<span
						className="e2ee"
						data-testid="e2ee-badge"
						title="Your media is encrypted end to end: the server relays what it cannot read"
					>
						E2EE
					</span>
				) : null}
				<span className="people" data-testid="people-count">
					{peers.length + 1} {peers.length === 0 ? 'person' : 'people'}
				</span>
			</div>
			<ThrottleWidget />
			<InviteLink />
		</header>
	);
}
