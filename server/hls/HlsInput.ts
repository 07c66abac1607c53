// One producer in a room's HLS stream: a consumer on a PlainTransport of the
// room's home router sends its RTP to the composer's port for it (comedia
// off: the transport is told where to send). Owns the transport (closing it
// closes the consumer) and the composer's input; closes when its producer
// does, and takes the input out of the composer then, so the grid is laid out
// again without it.
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import type { HlsComposer } from './HlsComposer.ts';

/** The codecs the composer decodes, by mediasoup's MIME type. */
const ENCODING_NAMES: Readonly<Record<string, string>> = {
	'video/vp8': 'VP8',
	'video/vp9': 'VP9',
	'video/h264': 'H264',
	'audio/opus': 'OPUS',
};

/** Key frames are asked for repeatedly at the start: a sender may ignore or rate-limit one request. */
const KEY_FRAME_REQUESTS = 5;
const KEY_FRAME_INTERVAL_MS = 1000;
/** What the composer's decoders ask for after a loss, at most this often. */
const KEY_FRAME_MIN_INTERVAL_MS = 1000;

export class HlsInput extends Closable {
	readonly producerId: string;
	readonly ownerId: string;
	readonly kind: types.MediaKind;
	readonly #transport: types.PlainTransport;
	readonly #consumer: types.Consumer;
	readonly #composer: HlsComposer;
	readonly #log: Logger;
	#timers: NodeJS.Timeout[] = [];
	#lastKeyFrameRequest = 0;

	static async start(options: {
		router: types.Router;
		producer: types.Producer;
		ownerId: string;
		composer: HlsComposer;
		log: Logger;
	}): Promise<HlsInput> {
		const { router, producer, composer } = options;
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: false,
			comedia: false,
		});
		let added = false;
		try {
			const consumer = await transport.consume({
				producerId: producer.id,
				// Without RTX: the composer asks for no retransmission, and takes one payload type per input.
				rtpCapabilities: {
					...router.rtpCapabilities,
					codecs: router.rtpCapabilities.codecs?.filter((codec) => codec.mimeType.toLowerCase() !== 'video/rtx'),
				},
				paused: true,
				// A tile is a part of the picture: the middle of three simulcast
				// layers is enough for it, and decodes for a fraction of the CPU.
				...(producer.kind === 'video' ? { preferredLayers: { spatialLayer: 1 } } : {}),
			});
			const codec = consumer.rtpParameters.codecs[0];
			const encodingName = codec && ENCODING_NAMES[codec.mimeType.toLowerCase()];
			if (!codec || !encodingName) throw new Error(`HLS cannot compose codec ${codec?.mimeType ?? '(none)'}`);
			const { rtpPort } = await composer.addInput({
				input: producer.id,
				kind: consumer.kind,
				encodingName,
				payloadType: codec.payloadType,
				clockRate: codec.clockRate,
			});
			added = true;
			await transport.connect({ ip: '127.0.0.1', port: rtpPort, rtcpPort: composer.rtcpPort });
			return new HlsInput({ ...options, transport, consumer });
		} catch (error) {
			transport.close();
			if (added) void composer.removeInput(producer.id).catch(() => {});
			throw error;
		}
	}

	private constructor(parts: {
		producer: types.Producer;
		ownerId: string;
		transport: types.PlainTransport;
		consumer: types.Consumer;
		composer: HlsComposer;
		log: Logger;
	}) {
		super();
		this.producerId = parts.producer.id;
		this.ownerId = parts.ownerId;
		this.kind = parts.producer.kind;
		this.#transport = parts.transport;
		this.#consumer = parts.consumer;
		this.#composer = parts.composer;
		this.#log = parts.log;
		// The producer closing closes the consumer (and the transport's router closing, the transport).
		this.#consumer.observer.once('close', () => this.close());
		this.#transport.observer.once('close', () => this.close());
		// A paused-then-resumed producer restarts with a key frame, so its tile decodes on.
		this.#consumer.on('producerresume', () => this.requestKeyFrame());
		if (this.#consumer.closed) {
			// Its producer closed before this input was made: nothing to show.
			this.close();
			return;
		}
		void this.#startMedia();
	}

	async #startMedia(): Promise<void> {
		await this.#consumer.resume().catch(() => {});
		if (this.kind !== 'video' || this.closed) return;
		for (let i = 0; i < KEY_FRAME_REQUESTS; i++) {
			this.#timers.push(
				setTimeout(() => void this.#consumer.requestKeyFrame().catch(() => {}), i * KEY_FRAME_INTERVAL_MS),
			);
		}
	}

	/** The composer's decoder lost a reference frame: the producer is asked for a key frame (at most once a second). */
	requestKeyFrame(): void {
		const now = Date.now();
		if (this.closed || this.kind !== 'video' || now - this.#lastKeyFrameRequest < KEY_FRAME_MIN_INTERVAL_MS) return;
		this.#lastKeyFrameRequest = now;
		void this.#consumer.requestKeyFrame().catch(() => {});
	}

	protected closing(): void {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#transport.close();
		if (!this.#composer.closed) {
			void this.#composer.removeInput(this.producerId).catch((error: unknown) => {
				if (!this.#composer.closed) this.#log.warn({ error, producerId: this.producerId }, 'hls: cannot remove input');
			});
		}
	}
}
