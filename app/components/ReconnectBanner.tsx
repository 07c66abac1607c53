// Across the top of the stage while the page gets back into the room by
// itself: that the connection went and what is being tried (tiles stay
// below). After a rejoin that could not restart screen sharing (a browser
// starts it only on a click), it offers that click.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import { selectRoom } from '../store/selectors.ts';
import { roomActions } from '../store/slices/room.ts';

export function ReconnectBanner() {
	const room = useAppSelector(selectRoom);
	if (room.state === 'reconnecting') {
		return (
			<div className="reconnect-banner" role="status" data-testid="reconnect-banner">
				<strong>Reconnecting…</strong> <span data-testid="reconnect-status">{room.reconnectStatus ?? ''}</span>
			</div>
		);
	}
	if (room.state === 'connected' && room.shareToRestore) return <ShareAgain />;
	return null;
}

function ShareAgain() {
	const { local } = useRoomClient();
	const dispatch = useAppDispatch();
	const close = () => dispatch(roomActions.shareToRestoreChanged(false));
	return (
		<div className="reconnect-banner" role="status" data-testid="share-again-banner">
			<span>You are back in the room. Your screen sharing stopped when the connection was lost.</span>
			<button
				type="button"
				className="primary"
				data-testid="share-again-button"
				onClick={() => {
					close();
					void local.enableShare();
				}}
			>
				Share again
			</button>
			<button type="button" onClick={close} data-testid="share-again-dismiss">
				Dismiss
			</button>
		</div>
	);
}
