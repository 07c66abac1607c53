// After leaving, losing the server, or being refused: say why, and offer to
// come back, unless a moderator closed the room to this page (removed,
// denied, the meeting ended): then it stays out.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectRoom } from '../store/selectors.ts';

export function ClosedScreen() {
	const roomClient = useRoomClient();
	const room = useAppSelector(selectRoom);
	return (
		<div className="closed-screen" data-testid="closed-screen">
			<h2 data-testid="closed-reason">{room.closedReason ?? 'You left the room'}</h2>
			{room.closedForGood ? null : (
				<button type="button" className="primary" onClick={() => roomClient.join()} data-testid="rejoin-button">
					Rejoin {room.roomId}
				</button>
			)}
		</div>
	);
}
