// The room's bot: a DirectTransport data producer that every peer consumes,
// and that answers what a peer sends on its "bot" data channel. It lives on
// the room's router and closes with it.
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';

/** SCTP payload protocol identifier of a WebRTC string message (RFC 8831). */
const PPID_WEBRTC_STRING = 51;

export class Bot extends Closable {
	readonly dataProducer: types.DataProducer;
	readonly #transport: types.DirectTransport;
	readonly #log: Logger;

	static async create(router: types.Router, log: Logger): Promise<Bot> {
		const transport = await router.createDirectTransport({ maxSendMessageSize: 512, maxReceiveMessageSize: 512 });
		const dataProducer = await transport.produceData({ label: 'bot' });
		return new Bot(transport, dataProducer, log);
	}

	private constructor(transport: types.DirectTransport, dataProducer: types.DataProducer, log: Logger) {
		super();
		this.#transport = transport;
		this.dataProducer = dataProducer;
		this.#log = log;
		// The router closing (the room closing, a worker dying) closes the transport.
		transport.observer.once('close', () => this.close());
	}

	/**
	 * Listens to a peer's "bot" data producer and answers each text message on
	 * the bot's own data producer (which every peer consumes), as the classic
	 * demo does.
	 */
	async listenTo(dataProducerId: string, speaker: () => string): Promise<void> {
		const dataConsumer = await this.#transport.consumeData({ dataProducerId });
		dataConsumer.on('message', (message, ppid) => {
			if (ppid !== PPID_WEBRTC_STRING) {
				this.#log.warn({ ppid }, 'bot: ignoring non-text message');
				return;
			}
			const text = message.toString('utf8');
			this.dataProducer.send(`${speaker()} said me: "${text}"`);
		});
	}

	protected closing(): void {
		this.#transport.close();
	}
}
