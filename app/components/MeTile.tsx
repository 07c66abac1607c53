// My own tile: my camera (mirrored) or initials, my name (click to change),
// my microphone level and my producers' scores.
import { useAppSelector } from '../store/hooks.ts';
import { selectMe, selectMicProducer, selectRoom, selectWebcamProducer } from '../store/selectors.ts';
import { AudioLevelMeter } from './AudioLevelMeter.tsx';
import { DisplayNameEditor } from './DisplayNameEditor.tsx';
import { Initials } from './Initials.tsx';
import { MediaTrackView } from './MediaTrackView.tsx';
import { ScoreBadge } from './ScoreBadge.tsx';

/**
 * The best score across simulcast streams: a stream the encoder keeps off
 * while bandwidth ramps up scores 0 without anything being wrong.
 */
function producerScore(scores: { score: number }[]): number | null {
	return scores.length === 0 ? null : Math.max(...scores.map((entry) => entry.score));
}

export function MeTile() {
	const me = useAppSelector(selectMe);
	const room = useAppSelector(selectRoom);
	const mic = useAppSelector(selectMicProducer);
	const webcam = useAppSelector(selectWebcamProducer);
	const speaking = room.activeSpeakerId === me.id;
	return (
		<article className={`tile me${speaking ? ' speaking' : ''}`} data-testid="me" data-active-speaker={speaking}>
			{webcam ? (
				<MediaTrackView
					kind="video"
					mediaId={webcam.id}
					trackId={webcam.trackId}
					mirrored
					testId="me-video"
					className="tile-video"
				/>
			) : (
				<Initials name={me.displayName} />
			)}
			<div className="tile-top">
				{webcam ? <ScoreBadge label="video" score={producerScore(webcam.score)} testId="webcam-score" /> : null}
				{mic ? <ScoreBadge label="audio" score={producerScore(mic.score)} testId="mic-score" /> : null}
				{webcam ? (
					<span className="badge" title="Codec and encodings I send">
						{webcam.codec}
						{webcam.spatialLayers > 1 ? ` ×${webcam.spatialLayers}` : ''}
					</span>
				) : null}
			</div>
			<footer className="tile-footer">
				<DisplayNameEditor />
				<span className="badge you">you</span>
				{mic?.paused ? (
					<span className="badge muted" data-testid="my-mic-muted">
						{mic.mutedByModerator ? 'muted by a moderator' : 'muted'}
					</span>
				) : null}
				<span className="tile-spacer" />
				{mic && !mic.paused ? <AudioLevelMeter level={me.audioLevel} /> : null}
			</footer>
			{room.showInfo ? (
				<div className="tile-info">
					{me.device.name} {me.device.version} · {me.id}
				</div>
			) : null}
		</article>
	);
}
