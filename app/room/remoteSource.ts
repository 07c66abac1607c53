// Which of its sender's media a remote producer is, from the appData the
// sender gave it: ours say { source }, the classic demo's say { share: true }
// for a screen and nothing for the camera.
import type { MediaSource } from '../store/slices/producers.ts';

export function remoteSource(appData: Record<string, unknown>, kind: 'audio' | 'video'): MediaSource | 'unknown' {
	const source = appData.source;
	if (source === 'mic' || source === 'webcam' || source === 'share') return source;
	if (appData.share === true) return 'share';
	return kind === 'audio' ? 'mic' : 'unknown';
}
