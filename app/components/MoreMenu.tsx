// Less common controls, folded into one menu: camera choice and quality,
// audio-only mode, muting everyone, recording (with the record or roomAdmin
// grant), restarting the connection.
import type { ChangeEvent } from 'react';
import { RESOLUTIONS } from '../media/capture.ts';
import { useRoomClient } from '../RoomClientContext.ts';
import { useAppDispatch, useAppSelector } from '../store/hooks.ts';
import { selectMayRecord, selectMe, selectRoom, selectWebcamProducer } from '../store/selectors.ts';
import { meActions } from '../store/slices/me.ts';
import { MoreIcon } from './icons.tsx';

const LAYER_NAMES = ['Low', 'Medium', 'High'];

function MaxLayerSelect() {
	const roomClient = useRoomClient();
	const webcam = useAppSelector(selectWebcamProducer);
	if (!webcam || webcam.spatialLayers < 2) return null;
	const value = webcam.maxSpatialLayer ?? webcam.spatialLayers - 1;
	const onChange = (event: ChangeEvent<HTMLSelectElement>) =>
		void roomClient.local.setMaxSendingSpatialLayer(Number(event.target.value));
	return (
		<label>
			Send at most
			<select value={value} onChange={onChange} data-testid="max-layer-select">
				{Array.from({ length: webcam.spatialLayers }, (_, layer) => (
					// biome-ignore lint/suspicious/noArrayIndexKey: layers are positions
					<option key={layer} value={layer}>
						{LAYER_NAMES[layer] ?? `Layer ${layer}`}
					</option>
				))}
			</select>
		</label>
	);
}

export function MoreMenu() {
	const roomClient = useRoomClient();
	const dispatch = useAppDispatch();
	const me = useAppSelector(selectMe);
	const room = useAppSelector(selectRoom);
	const webcam = useAppSelector(selectWebcamProducer);
	const mayRecord = useAppSelector(selectMayRecord);
	const connected = room.state === 'connected';
	const { width, height } = RESOLUTIONS[me.webcamResolution];
	return (
		<details className="more-menu">
			<summary className="control" data-testid="more-button" title="More options">
				<span className="control-icon" aria-hidden="true">
					<MoreIcon />
				</span>
				<span className="control-label">More</span>
			</summary>
			<div className="menu-panel up">
				{me.canChangeWebcam && webcam ? (
					<button type="button" onClick={() => void roomClient.local.changeWebcam()} data-testid="change-webcam-button">
						Switch camera
					</button>
				) : null}
				{webcam ? (
					<button
						type="button"
						onClick={() => void roomClient.local.changeWebcamResolution()}
						data-testid="resolution-button"
					>
						Camera resolution: {width}×{height}
					</button>
				) : null}
				<MaxLayerSelect />
				<button
					type="button"
					disabled={!connected || me.audioOnlyInProgress}
					onClick={() => void roomClient.setAudioOnly(!me.audioOnly)}
					data-testid="audio-only-button"
				>
					{me.audioOnly ? 'Turn video back on' : 'Audio only (no video)'}
				</button>
				<button
					type="button"
					// Only this page's <audio> elements go quiet: nothing is asked of the server.
					onClick={() => dispatch(meActions.flagSet({ flag: 'audioMuted', value: !me.audioMuted }))}
					data-testid="mute-all-button"
				>
					{me.audioMuted ? 'Unmute everyone' : 'Mute everyone (for me)'}
				</button>
				{mayRecord ? (
					<button
						type="button"
						disabled={!connected || room.recordingInProgress}
						onClick={() =>
							void (room.recordingSince === null ? roomClient.recording.start() : roomClient.recording.stop())
						}
						data-testid="recording-button"
					>
						{room.recordingSince === null ? 'Record the room' : 'Stop recording'}
					</button>
				) : null}
				<button
					type="button"
					disabled={!connected || me.restartIceInProgress}
					onClick={() => void roomClient.restartIce()}
					data-testid="restart-ice-button"
				>
					Restart connection (ICE)
				</button>
			</div>
		</details>
	);
}
