// A stand-in MediaStreamTrack for signaling-only peers (mediasoup-client's
// FakeHandler never touches media, but Producer listens to the track's events).
export function fakeTrack(kind: 'audio' | 'video'): MediaStreamTrack {
	const track = Object.assign(new EventTarget(), {
		id: `fake-${kind}-${Math.random().toString(36).slice(2)}`,
		kind,
		label: `fake ${kind}`,
		enabled: true,
		muted: false,
		readyState: 'live' as MediaStreamTrackState,
		contentHint: '',
		stop() {
			track.readyState = 'ended';
		},
		clone() {
			return fakeTrack(kind);
		},
		getSettings: () => ({}),
		getConstraints: () => ({}),
		getCapabilities: () => ({}),
		applyConstraints: async () => {},
		onended: null,
		onmute: null,
		onunmute: null,
	});
	return track as unknown as MediaStreamTrack;
}
