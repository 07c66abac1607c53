// Measures the level of an audio track (my microphone, a remote voice) for
// the meters on the tiles. Web Audio's analyser gives the waveform; the RMS
// of a frame, mapped from dBFS to 0..1, is what a person perceives as
// loudness. All monitors share one AudioContext (browsers limit how many a
// page may have).
import { Closable } from '../../lifecycle/Closable.ts';

const FRAME_INTERVAL_MS = 100;
const SILENCE_DB = -60;

let sharedContext: AudioContext | undefined;

/**
 * Browsers start an AudioContext suspended until the person interacts with
 * the page; the first click or key press resumes it.
 */
function audioContext(): AudioContext {
	if (!sharedContext) {
		const context = new AudioContext();
		sharedContext = context;
		const resume = () => {
			void context.resume().catch(() => {});
			if (context.state === 'running') {
				window.removeEventListener('pointerdown', resume);
				window.removeEventListener('keydown', resume);
			}
		};
		window.addEventListener('pointerdown', resume);
		window.addEventListener('keydown', resume);
		resume();
	}
	return sharedContext;
}

export class AudioLevelMonitor extends Closable {
	readonly #analyser: AnalyserNode;
	readonly #source: MediaStreamAudioSourceNode;
	readonly #timer: ReturnType<typeof setInterval>;
	readonly #samples: Float32Array<ArrayBuffer>;

	constructor(track: MediaStreamTrack, onLevel: (level: number) => void) {
		super();
		const context = audioContext();
		this.#source = context.createMediaStreamSource(new MediaStream([track]));
		this.#analyser = context.createAnalyser();
		this.#analyser.fftSize = 1024;
		this.#samples = new Float32Array(this.#analyser.fftSize);
		this.#source.connect(this.#analyser);
		let last = -1;
		this.#timer = setInterval(() => {
			// Tenths are enough for a meter and keep store updates rare.
			const level = Math.round(this.#measure() * 10) / 10;
			if (level !== last) {
				last = level;
				onLevel(level);
			}
		}, FRAME_INTERVAL_MS);
	}

	#measure(): number {
		this.#analyser.getFloatTimeDomainData(this.#samples);
		let sum = 0;
		for (const sample of this.#samples) sum += sample * sample;
		const rms = Math.sqrt(sum / this.#samples.length);
		const db = rms > 0 ? 20 * Math.log10(rms) : Number.NEGATIVE_INFINITY;
		return Math.max(0, Math.min(1, (db - SILENCE_DB) / -SILENCE_DB));
	}

	protected override closing(): void {
		clearInterval(this.#timer);
		this.#source.disconnect();
		this.#analyser.disconnect();
	}
}
