// The chat: this peer's two data producers ("chat" fans out to every other
// peer, "bot" goes to the room's bot; the server routes by label) and the
// messages that arrive on the data consumers.
import type { types } from 'mediasoup-client';
import { selectPeer } from '../store/selectors.ts';
import { chatActions } from '../store/slices/chat.ts';
import { dataProducersActions } from '../store/slices/dataProducers.ts';
import { errorMessage } from './errors.ts';
import type { RoomContext } from './RoomContext.ts';

const CHAT_LABEL = 'chat';
const BOT_LABEL = 'bot';

/** "@bot what time is it?" asks the bot. */
const BOT_PREFIX = /^@bot\b\s*/i;

export class ChatChannels {
	readonly #ctx: RoomContext;
	readonly #dataProducers = new Map<string, types.DataProducer>();

	constructor(ctx: RoomContext) {
		this.#ctx = ctx;
	}

	/** Opens both channels on the send transport. */
	async start(): Promise<void> {
		for (const label of [CHAT_LABEL, BOT_LABEL]) {
			try {
				await this.#open(label);
			} catch (error) {
				this.#ctx.notifier.notify('error', `Chat is unavailable: ${errorMessage(error)}`);
			}
		}
	}

	async #open(label: string): Promise<void> {
		// Chat may drop a message on a bad network rather than stall the channel.
		const dataProducer = await this.#ctx
			.sendTransport()
			.produceData({ ordered: false, maxRetransmits: 1, label, protocol: label });
		const { dispatch } = this.#ctx.store;
		this.#dataProducers.set(dataProducer.id, dataProducer);
		dataProducer.on('transportclose', () => {
			this.#dataProducers.delete(dataProducer.id);
			dispatch(dataProducersActions.dataProducerRemoved(dataProducer.id));
		});
		dataProducer.on('open', () => dispatch(dataProducersActions.dataProducerOpened(dataProducer.id)));
		dispatch(
			dataProducersActions.dataProducerAdded({
				id: dataProducer.id,
				label,
				protocol: label,
				streamId: dataProducer.sctpStreamParameters.streamId ?? 0,
				open: dataProducer.readyState === 'open',
			}),
		);
	}

	/** The send transport closed, and both channels with it. */
	transportClosed(): void {
		this.#dataProducers.clear();
		this.#ctx.store.dispatch(dataProducersActions.allDataProducersRemoved());
	}

	/** A message starting with "@bot" goes to the room's bot, anything else to everyone. */
	send(text: string): void {
		const message = text.trim();
		if (!message) return;
		const toBot = BOT_PREFIX.test(message);
		const dataProducer = this.#channel(toBot ? BOT_LABEL : CHAT_LABEL);
		if (dataProducer?.readyState !== 'open') {
			this.#ctx.notifier.notify('error', 'Chat is not connected');
			return;
		}
		dataProducer.send(toBot ? message.replace(BOT_PREFIX, '') : message);
		const { me } = this.#ctx.store.getState();
		this.#add('me', me.id, me.displayName, message);
	}

	/** A text message on a data consumer: a peer's chat, or the bot's answer. */
	receive(peerId: string | null, label: string, message: unknown): void {
		if (typeof message !== 'string') return;
		if (peerId === null || label === BOT_LABEL) {
			this.#add('bot', null, 'Bot', message);
			return;
		}
		const displayName = selectPeer(this.#ctx.store.getState(), peerId)?.displayName || peerId;
		this.#add('peer', peerId, displayName, message);
	}

	#channel(label: string): types.DataProducer | undefined {
		for (const dataProducer of this.#dataProducers.values()) if (dataProducer.label === label) return dataProducer;
		return undefined;
	}

	#add(from: 'me' | 'peer' | 'bot', peerId: string | null, displayName: string, text: string): void {
		this.#ctx.store.dispatch(
			chatActions.messageAdded({ id: this.#ctx.notifier.nextId(), from, peerId, displayName, text, at: Date.now() }),
		);
	}
}
