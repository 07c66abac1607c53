// MediaStreamTracks cannot live in the Redux store (they are not data), so
// they live here, keyed by the producer or consumer id that the store knows.
// The store carries each one's track id, which changes when a track is
// replaced, so views know when to look again.
export class TrackRegistry {
	readonly #tracks = new Map<string, MediaStreamTrack>();

	set(id: string, track: MediaStreamTrack): void {
		this.#tracks.set(id, track);
	}

	get(id: string): MediaStreamTrack | undefined {
		return this.#tracks.get(id);
	}

	delete(id: string): void {
		this.#tracks.delete(id);
	}

	clear(): void {
		this.#tracks.clear();
	}
}
