// A moderator's menu on a person's tile (the roomAdmin grant): mute their
// microphone on the server (they are told, and everyone stops hearing them),
// or remove them from the meeting (they are told, and do not come back by
// themselves).
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppSelector } from '../store/hooks.ts';
import { selectIsModerator } from '../store/selectors.ts';
import type { ConsumerState } from '../store/slices/consumers.ts';

export function PeerModerationMenu({ peerId, audio }: { peerId: string; audio: ConsumerState | undefined }) {
	const roomClient = useRoomClient();
	const isModerator = useAppSelector(selectIsModerator);
	if (!isModerator) return null;
	const muted = audio === undefined || audio.remotelyPaused;
	return (
		<details className="peer-menu" data-testid="peer-menu">
			<summary title="Moderate" aria-label="Moderate this person">
				⚑
			</summary>
			<div className="menu-panel">
				<button
					type="button"
					disabled={muted}
					onClick={() => void roomClient.moderation.mutePeer(peerId)}
					data-testid="mute-peer-button"
				>
					{audio === undefined ? 'No microphone to mute' : muted ? 'Microphone muted' : 'Mute their microphone'}
				</button>
				<button
					type="button"
					onClick={() => void roomClient.moderation.removePeer(peerId)}
					data-testid="remove-peer-button"
				>
					Remove from the meeting
				</button>
			</div>
		</details>
	);
}
