// Plays one track of a producer or consumer in a <video> or <audio> element.
// The track comes from RoomClient.tracks (tracks are not store data); `trackId`
// from the store says when it was replaced.
import { useEffect, useRef } from 'react';
import { useRoomClient } from '../RoomClientContext.ts';

interface Props {
	kind: 'video' | 'audio';
	/** Producer or consumer id. */
	mediaId: string;
	trackId: string;
	muted?: boolean;
	/** My own camera is shown mirrored, as in a mirror. */
	mirrored?: boolean;
	className?: string;
	testId?: string;
}

export function MediaTrackView({ kind, mediaId, trackId, muted = false, mirrored = false, className, testId }: Props) {
	const roomClient = useRoomClient();
	const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);

	// biome-ignore lint/correctness/useExhaustiveDependencies: trackId changes when the track is replaced
	useEffect(() => {
		const element = ref.current;
		const track = roomClient.tracks.get(mediaId);
		if (!element || !track) return;
		element.srcObject = new MediaStream([track]);
		// Autoplay may be refused before a user gesture; the next attempt happens on re-render.
		element.play().catch(() => {});
		return () => {
			element.srcObject = null;
		};
	}, [roomClient, mediaId, trackId]);

	const classes = [className, mirrored ? 'mirrored' : ''].filter(Boolean).join(' ');
	if (kind === 'audio') {
		return <audio ref={ref} autoPlay muted={muted} data-testid={testId} data-media-id={mediaId} />;
	}
	return (
		<video ref={ref} className={classes} autoPlay playsInline muted data-testid={testId} data-media-id={mediaId} />
	);
}
