// After leaving (or losing the server): say so, and offer to come back.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectRoom } from '../store/selectors.ts';

export function ClosedScreen() {
	const roomClient = useRoomClient();
	const room = useAppSelector(selectRoom);
	return (
		<div className="closed-screen" data-testid="closed-screen">
			<h2>{room.closedReason ?? 'You left the room'}</h2>
			<button type="button" className="primary" onClick={() => roomClient.join()} data-testid="rejoin-button">
				Rejoin {room.roomId}
			</button>
		</div>
	);
}
