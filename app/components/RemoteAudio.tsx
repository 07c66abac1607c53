// Plays every remote voice. One hidden <audio> per audio consumer, muted
// together by "mute everyone" (a local choice; the others are not told).
import { useAppSelector } from '../store/hooks.ts';
import { selectAudioConsumers, selectMe } from '../store/selectors.ts';
import { MediaTrackView } from './MediaTrackView.tsx';

export function RemoteAudio() {
	const consumers = useAppSelector(selectAudioConsumers);
	const { audioMuted } = useAppSelector(selectMe);
	return (
		<div className="remote-audio" hidden>
			{consumers.map((consumer) => (
				<MediaTrackView
					key={consumer.id}
					kind="audio"
					mediaId={consumer.id}
					trackId={consumer.trackId}
					muted={audioMuted}
					testId="remote-audio"
				/>
			))}
		</div>
	);
}
