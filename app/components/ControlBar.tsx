// The controls under the video grid: microphone, camera, screen, chat,
// stats, moderation, more options and leave. Every label says what a click
// does; what the grants do not allow is not shown at all.
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import {
	selectChat,
	selectGrants,
	selectIsModerator,
	selectLobby,
	selectMayPublish,
	selectMe,
	selectMicProducer,
	selectModeration,
	selectRoom,
	selectShareProducer,
	selectWebcamProducer,
} from '../store/selectors.ts';
import { chatActions } from '../store/slices/chat.ts';
import { moderationActions } from '../store/slices/moderation.ts';
import { roomActions } from '../store/slices/room.ts';
import { ControlButton } from './ControlButton.tsx';
import { CameraIcon, ChatIcon, LeaveIcon, MicIcon, ScreenIcon, ShieldIcon, StatsIcon } from './icons.tsx';
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

function MicButton() {
	const me = useAppSelector(selectMe);
	const connected = useAppSelector(selectRoom).state === 'connected';
	const mic = useAppSelector(selectMicProducer);
	const toggle = useToggles();
	const micOn = mic !== undefined && !mic.paused;
	return (
		<ControlButton
			label={micOn ? 'Mute' : mic ? 'Unmute' : 'Start mic'}
			icon={<MicIcon off={!micOn} />}
			active={micOn}
			off={!micOn}
			disabled={!connected || !me.canSendMic || me.micInProgress}
			onClick={toggle.mic}
			testId="mic-button"
			title={mic?.mutedByModerator ? 'A moderator muted you: unmute' : undefined}
		/>
	);
}

function WebcamButton() {
	const me = useAppSelector(selectMe);
	const connected = useAppSelector(selectRoom).state === 'connected';
	const webcam = useAppSelector(selectWebcamProducer);
	const toggle = useToggles();
	return (
		<ControlButton
			label={webcam ? 'Stop camera' : 'Start camera'}
			icon={<CameraIcon off={!webcam} />}
			active={webcam !== undefined}
			off={webcam === undefined}
			disabled={!connected || !me.canSendWebcam || me.webcamInProgress || me.audioOnly}
			onClick={toggle.webcam}
			testId="webcam-button"
		/>
	);
}

function ShareButton() {
	const me = useAppSelector(selectMe);
	const connected = useAppSelector(selectRoom).state === 'connected';
	const share = useAppSelector(selectShareProducer);
	const toggle = useToggles();
	return (
		<ControlButton
			label={share ? 'Stop sharing' : 'Share screen'}
			icon={<ScreenIcon />}
			active={share !== undefined}
			disabled={!connected || !me.canSendWebcam || me.shareInProgress}
			onClick={toggle.share}
			testId="share-button"
		/>
	);
}

/** Moderators' panel: lock, lobby (the badge counts who waits), end. */
function ModerateButton() {
	const dispatch = useAppDispatch();
	const { panelOpen } = useAppSelector(selectModeration);
	const waiting = useAppSelector(selectLobby).length;
	return (
		<ControlButton
			label="Moderate"
			icon={<ShieldIcon />}
			active={panelOpen}
			onClick={() => dispatch(moderationActions.panelToggled())}
			testId="moderate-button"
			badge={waiting}
			title={waiting > 0 ? `${waiting} waiting in the lobby` : 'Lock the room, the lobby, end the meeting'}
		/>
	);
}

export function ControlBar() {
	const roomClient = useRoomClient();
	const dispatch = useAppDispatch();
	const room = useAppSelector(selectRoom);
	const chat = useAppSelector(selectChat);
	const grants = useAppSelector(selectGrants);
	const mayPublishMic = useAppSelector((state) => selectMayPublish(state, 'mic'));
	const mayPublishWebcam = useAppSelector((state) => selectMayPublish(state, 'webcam'));
	const mayPublishShare = useAppSelector((state) => selectMayPublish(state, 'share'));
	const isModerator = useAppSelector(selectIsModerator);
	return (
		<nav className="control-bar" aria-label="Call controls">
			{mayPublishMic ? <MicButton /> : null}
			{mayPublishWebcam ? <WebcamButton /> : null}
			{mayPublishShare ? <ShareButton /> : null}
			{grants.data ? (
				<ControlButton
					label="Chat"
					icon={<ChatIcon />}
					active={chat.open}
					onClick={() => dispatch(chatActions.panelToggled())}
					testId="chat-button"
					badge={chat.unread}
				/>
			) : null}
			<ControlButton
				label="Stats"
				icon={<StatsIcon />}
				active={room.statsOpen}
				onClick={() => dispatch(roomActions.statsToggled())}
				testId="stats-button"
			/>
			{isModerator ? <ModerateButton /> : null}
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
