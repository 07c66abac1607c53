// The controls under the video grid: microphone, camera, screen, chat,
// stats, more options and leave. Every label says what a click does.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import {
	selectChat,
	selectMe,
	selectMicProducer,
	selectRoom,
	selectShareProducer,
	selectWebcamProducer,
} from '../store/selectors.ts';
import { chatActions } from '../store/slices/chat.ts';
import { roomActions } from '../store/slices/room.ts';
import { ControlButton } from './ControlButton.tsx';
import { CameraIcon, ChatIcon, LeaveIcon, MicIcon, ScreenIcon, StatsIcon } from './icons.tsx';
import { MoreMenu } from './MoreMenu.tsx';

function useToggles() {
	const { local } = useRoomClient();
	const mic = useAppSelector(selectMicProducer);
	const webcam = useAppSelector(selectWebcamProducer);
	const share = useAppSelector(selectShareProducer);
	return {
		mic: () => {
			if (!mic) void local.enableMic();
			else if (mic.paused) void local.unmuteMic();
			else void local.muteMic();
		},
		webcam: () => void (webcam ? local.disableWebcam() : local.enableWebcam()),
		share: () => void (share ? local.disableShare() : local.enableShare()),
	};
}

export function ControlBar() {
	const roomClient = useRoomClient();
	const dispatch = useAppDispatch();
	const me = useAppSelector(selectMe);
	const room = useAppSelector(selectRoom);
	const chat = useAppSelector(selectChat);
	const mic = useAppSelector(selectMicProducer);
	const webcam = useAppSelector(selectWebcamProducer);
	const share = useAppSelector(selectShareProducer);
	const toggle = useToggles();
	const connected = room.state === 'connected';
	const micOn = mic !== undefined && !mic.paused;
	return (
		<nav className="control-bar" aria-label="Call controls">
			<ControlButton
				label={micOn ? 'Mute' : mic ? 'Unmute' : 'Start mic'}
				icon={<MicIcon off={!micOn} />}
				active={micOn}
				off={!micOn}
				disabled={!connected || !me.canSendMic || me.micInProgress}
				onClick={toggle.mic}
				testId="mic-button"
			/>
			<ControlButton
				label={webcam ? 'Stop camera' : 'Start camera'}
				icon={<CameraIcon off={!webcam} />}
				active={webcam !== undefined}
				off={webcam === undefined}
				disabled={!connected || !me.canSendWebcam || me.webcamInProgress || me.audioOnly}
				onClick={toggle.webcam}
				testId="webcam-button"
			/>
			<ControlButton
				label={share ? 'Stop sharing' : 'Share screen'}
				icon={<ScreenIcon />}
				active={share !== undefined}
				disabled={!connected || !me.canSendWebcam || me.shareInProgress}
				onClick={toggle.share}
				testId="share-button"
			/>
			<ControlButton
				label="Chat"
				icon={<ChatIcon />}
				active={chat.open}
				onClick={() => dispatch(chatActions.panelToggled())}
				testId="chat-button"
				badge={chat.unread}
			/>
			<ControlButton
				label="Stats"
				icon={<StatsIcon />}
				active={room.statsOpen}
				onClick={() => dispatch(roomActions.statsToggled())}
				testId="stats-button"
			/>
			<MoreMenu />
			<ControlButton
				label="Leave"
				icon={<LeaveIcon />}
				danger
				onClick={() => roomClient.leave()}
				testId="leave-button"
				title="Leave the call"
			/>
		</nav>
	);
}
