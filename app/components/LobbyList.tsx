// Who waits in the lobby of a locked room, first come first, each with
// "Let in" and "Turn away" for the moderator.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectLobby } from '../store/selectors.ts';

export function LobbyList() {
	const roomClient = useRoomClient();
	const lobby = useAppSelector(selectLobby);
	if (lobby.length === 0) return <p data-testid="lobby-empty">Nobody is waiting.</p>;
	return (
		<ul className="lobby-list">
			{lobby.map((peer) => (
				<li key={peer.id} data-testid={`lobby-${peer.id}`}>
					<span className="lobby-name">{peer.displayName || peer.id}</span>
					<button type="button" onClick={() => void roomClient.moderation.admit(peer.id)} data-testid="admit-button">
						Let in
					</button>
					<button
						type="button"
						className="danger"
						onClick={() => void roomClient.moderation.deny(peer.id)}
						data-testid="deny-button"
					>
						Turn away
					</button>
				</li>
			))}
		</ul>
	);
}
