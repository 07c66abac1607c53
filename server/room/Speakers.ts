// Who is speaking in a room: an AudioLevelObserver that names the loudest
// producer (the classic `activeSpeaker` notification, or null on silence), and
// an ActiveSpeakerObserver whose dominant speaker is logged. Both live on the
// room's home router and close with it; the Room adds every audio producer.
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';

/** The loudest speaker now, or `peerId: null` when everyone is silent. */
export type ActiveSpeaker = { peerId: string; volume: number } | { peerId: null };

export class Speakers extends Closable {
	readonly #audioLevel: types.AudioLevelObserver;
	readonly #activeSpeaker: types.ActiveSpeakerObserver;

	static async create(
		router: types.Router,
		{ onActiveSpeaker, log }: { onActiveSpeaker: (speaker: ActiveSpeaker) => void; log: Logger },
	): Promise<Speakers> {
		const audioLevel = await router.createAudioLevelObserver({ maxEntries: 1, threshold: -80, interval: 800 });
		const activeSpeaker = await router.createActiveSpeakerObserver();
		return new Speakers(audioLevel, activeSpeaker, onActiveSpeaker, log);
	}

	private constructor(
		audioLevel: types.AudioLevelObserver,
		activeSpeaker: types.ActiveSpeakerObserver,
		onActiveSpeaker: (speaker: ActiveSpeaker) => void,
		log: Logger,
	) {
		super();
		this.#audioLevel = audioLevel;
		this.#activeSpeaker = activeSpeaker;
		audioLevel.on('volumes', (volumes) => {
			const loudest = volumes[0];
			// produce() puts the owner's id in every producer's appData.
			const peerId = loudest?.producer.appData.peerId;
			if (loudest && typeof peerId === 'string') onActiveSpeaker({ peerId, volume: loudest.volume });
		});
		audioLevel.on('silence', () => onActiveSpeaker({ peerId: null }));
		activeSpeaker.on('dominantspeaker', ({ producer }) => {
			log.debug({ peerId: producer.appData.peerId }, 'dominant speaker');
		});
		audioLevel.observer.once('close', () => this.close());
	}

	/** Listens to an audio producer of the home router. */
	async add(producerId: string): Promise<void> {
		await this.#audioLevel.addProducer({ producerId });
	}

	protected closing(): void {
		this.#audioLevel.close();
		this.#activeSpeaker.close();
	}
}
