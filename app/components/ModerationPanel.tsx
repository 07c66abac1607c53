// The moderators' panel (the roomAdmin grant): lock or unlock the room, the
// lobby, and ending the meeting for everyone. A person's own menu (mute,
// remove) is on their tile.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import { selectModeration } from '../store/selectors.ts';
import { moderationActions } from '../store/slices/moderation.ts';
import { LobbyList } from './LobbyList.tsx';
import { SidePanel } from './SidePanel.tsx';

export function ModerationPanel() {
	const roomClient = useRoomClient();
	const dispatch = useAppDispatch();
	const { locked } = useAppSelector(selectModeration);
	return (
		<SidePanel name="moderation" title="Moderation" onClose={() => dispatch(moderationActions.panelToggled(false))}>
			<div className="moderation">
				<section>
					<h3>Room</h3>
					<p>
						{locked
							? 'Locked: newcomers wait in the lobby until a moderator lets them in.'
							: 'Open: whoever may join comes straight in.'}
					</p>
					<button type="button" onClick={() => void roomClient.moderation.setLocked(!locked)} data-testid="lock-button">
						{locked ? 'Unlock the room' : 'Lock the room'}
					</button>
				</section>
				<section aria-label="Lobby">
					<h3>Lobby</h3>
					<LobbyList />
				</section>
				<section>
					<h3>Meeting</h3>
					<p>Everyone is disconnected and told the meeting ended.</p>
					<button
						type="button"
						className="danger"
						onClick={() => void roomClient.moderation.endMeeting()}
						data-testid="end-meeting-button"
					>
						End the meeting for everyone
					</button>
				</section>
			</div>
		</SidePanel>
	);
}
