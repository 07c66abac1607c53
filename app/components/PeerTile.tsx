// One remote person: their camera (or initials), name, mute and quality
// badges, a ring while they speak, and the moderators' menu.
import type { CSSProperties } from 'react';
import { useAppSelector } from '../store/hooks.ts';
import {
	selectActiveSpeakerId,
	selectActiveSpeakerVolume,
	selectPeer,
	selectPeerMedia,
	selectShowInfo,
} from '../store/selectors.ts';
import type { ConsumerState } from '../store/slices/consumers.ts';
import { AudioLevelMeter } from './AudioLevelMeter.tsx';
import { ConsumerMenu } from './ConsumerMenu.tsx';
import { Initials } from './Initials.tsx';
import { LayerSelector } from './LayerSelector.tsx';
import { MediaTrackView } from './MediaTrackView.tsx';
import { PeerModerationMenu } from './PeerModerationMenu.tsx';
import { ScoreBadge } from './ScoreBadge.tsx';

/** A remote video while it plays (neither side paused it), else the initials of `name`. */
function RemoteVideo({
	consumer,
	name,
	testId,
	className,
}: {
	consumer: ConsumerState | undefined;
	name: string;
	testId: string;
	className: string;
}) {
	if (consumer === undefined || consumer.locallyPaused || consumer.remotelyPaused) return <Initials name={name} />;
	return (
		<MediaTrackView
			kind="video"
			mediaId={consumer.id}
			trackId={consumer.trackId}
			testId={testId}
			className={className}
		/>
	);
}

/** dBov (-127..0) to 0..1 for the speaking ring's strength. */
function loudness(volume: number | null): number {
	return volume === null ? 0 : Math.max(0, Math.min(1, (volume + 80) / 80));
}

export function PeerTile({ peerId }: { peerId: string }) {
	const peer = useAppSelector((state) => selectPeer(state, peerId));
	const media = useAppSelector((state) => selectPeerMedia(state, peerId));
	const speaking = useAppSelector((state) => selectActiveSpeakerId(state) === peerId);
	const volume = useAppSelector((state) =>
		selectActiveSpeakerId(state) === peerId ? selectActiveSpeakerVolume(state) : null,
	);
	const showInfo = useAppSelector(selectShowInfo);
	if (!peer) return null;
	const name = peer.displayName || peer.id;
	const micMuted = media.audio === undefined || media.audio.remotelyPaused;
	const { video, audio } = media;
	return (
		<article
			className={`tile${speaking ? ' speaking' : ''}${peer.reconnecting ? ' reconnecting' : ''}`}
			data-testid={`peer-${peerId}`}
			data-peer-id={peerId}
			data-reconnecting={peer.reconnecting === true}
			data-active-speaker={speaking}
			style={speaking ? ({ '--speaking-strength': loudness(volume) } as CSSProperties) : undefined}
		>
			<RemoteVideo consumer={video} name={name} testId="peer-video" className="tile-video" />
			<div className="tile-top">
				{video ? <ScoreBadge label="video" score={video.score?.score ?? null} testId="video-score" /> : null}
				{audio ? <ScoreBadge label="audio" score={audio.score?.score ?? null} testId="audio-score" /> : null}
				{video && video.currentSpatialLayer !== null ? (
					<span className="badge" data-testid="current-layer" title="Layers you receive (spatial/temporal)">
						S{video.currentSpatialLayer}/T{video.currentTemporalLayer ?? '-'}
					</span>
				) : null}
			</div>
			<footer className="tile-footer">
				<span className="tile-name" data-testid="peer-name">
					{name}
				</span>
				{peer.reconnecting ? (
					<span className="badge reconnecting" data-testid="peer-reconnecting" title="Its connection dropped">
						reconnecting…
					</span>
				) : null}
				{micMuted ? (
					<span className="badge muted" data-testid="mic-muted" title={audio ? 'Microphone muted' : 'No microphone'}>
						{audio ? 'muted' : 'no mic'}
					</span>
				) : null}
				{video?.remotelyPaused ? (
					<span className="badge" data-testid="video-paused">
						camera off
					</span>
				) : null}
				<span className="tile-spacer" />
				{audio && !micMuted ? <AudioLevelMeter level={audio.audioLevel} /> : null}
				{video ? <LayerSelector consumer={video} /> : null}
				{video ? <ConsumerMenu consumer={video} /> : null}
				<PeerModerationMenu peerId={peerId} audio={audio} />
			</footer>
			{showInfo ? (
				<div className="tile-info" data-testid="peer-info">
					{peer.device.name} {peer.device.version}
					{video ? ` · ${video.codec} ${video.type}` : ''}
					{audio ? ` · ${audio.codec}` : ''}
				</div>
			) : null}
		</article>
	);
}

export function ShareTile({ peerId }: { peerId: string }) {
	const peer = useAppSelector((state) => selectPeer(state, peerId));
	const { share } = useAppSelector((state) => selectPeerMedia(state, peerId));
	if (!peer || !share) return null;
	return (
		<article className="tile share-tile" data-testid={`share-${peerId}`}>
			<RemoteVideo consumer={share} name={peer.displayName} testId="share-video" className="tile-video contain" />
			<footer className="tile-footer">
				<span className="tile-name">{peer.displayName || peer.id}'s screen</span>
				<span className="tile-spacer" />
				<LayerSelector consumer={share} />
			</footer>
		</article>
	);
}
