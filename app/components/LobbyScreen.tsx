// The room is locked: this page waits until a moderator lets it in (then the
// room appears by itself) or turns it away.

import { useRoomClient } from '../RoomClientContext.ts';
import { LOBBY_TEXT } from '../room/closedReasons.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectRoom } from '../store/selectors.ts';

export function LobbyScreen() {
	const roomClient = useRoomClient();
	const { roomId } = useAppSelector(selectRoom);
	return (
		<div className="lobby-screen" data-testid="lobby-screen">
			<h2>{LOBBY_TEXT}</h2>
			<p>The room {roomId} is locked.</p>
			<button type="button" className="primary" onClick={() => roomClient.leave()} data-testid="lobby-leave-button">
				Leave the lobby
			</button>
		</div>
	);
}
