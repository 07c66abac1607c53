// What this peer receives: one consumer per remote producer and one data
// consumer per remote chat channel (and the bot's), created when the server
// asks (newConsumer / newDataConsumer) and closed when it says so.
import type { types } from 'mediasoup-client';
import type { ServerRequest, ServerRequestData } from '../../protocol/signaling.ts';
import { AudioLevelMonitor } from '../media/AudioLevelMonitor.ts';
import { consumerLayers } from '../media/layers.ts';
import { fromWire } from '../media/wireTypes.ts';
import { selectConsumer, selectPeer } from '../store/selectors.ts';
import { consumersActions } from '../store/slices/consumers.ts';
import { dataConsumersActions } from '../store/slices/dataConsumers.ts';
import { errorMessage } from './errors.ts';
import type { RoomContext } from './RoomContext.ts';
import { remoteSource } from './remoteSource.ts';

/** Where data channel messages go (the chat). */
export type DataMessageHandler = (peerId: string | null, label: string, message: unknown) => void;

export class RemoteMedia {
	readonly #ctx: RoomContext;
	readonly #onDataMessage: DataMessageHandler;
	readonly #consumers = new Map<string, types.Consumer>();
	readonly #dataConsumers = new Map<string, types.DataConsumer>();
	readonly #levelMonitors = new Map<string, AudioLevelMonitor>();
	/**
	 * consumerPaused / consumerResumed that came while the consumer was still
	 * being made (its newConsumer not answered yet): applied when it is. A
	 * microphone muted right after it started (a rejoin puts back a muted one)
	 * would otherwise show unmuted.
	 */
	readonly #earlyRemotePauses = new Map<string, boolean>();

	constructor(ctx: RoomContext, onDataMessage: DataMessageHandler) {
		this.#ctx = ctx;
		this.#onDataMessage = onDataMessage;
	}

	consumer(id: string): types.Consumer | undefined {
		return this.#consumers.get(id);
	}

	videoConsumerIds(): string[] {
		return [...this.#consumers.values()].filter((consumer) => consumer.kind === 'video').map((consumer) => consumer.id);
	}

	/** The receive transport closed, and everything received on it. */
	transportClosed(): void {
		for (const monitor of this.#levelMonitors.values()) monitor.close();
		this.#levelMonitors.clear();
		this.#consumers.clear();
		this.#earlyRemotePauses.clear();
		this.#dataConsumers.clear();
		this.#ctx.store.dispatch(consumersActions.allConsumersRemoved());
		this.#ctx.store.dispatch(dataConsumersActions.allDataConsumersRemoved());
	}

	// --- created by the server -----------------------------------------------

	/** Every request the server sends creates something to receive; resolving accepts it. */
	async onServerRequest(request: ServerRequest): Promise<void> {
		switch (request.method) {
			case 'newConsumer':
				return this.#onNewConsumer(request.data);
			case 'newDataConsumer':
				return this.#onNewDataConsumer(request.data);
		}
	}

	/** Creates the local consumer; resolving accepts, and only then the server resumes it. */
	async #onNewConsumer(data: ServerRequestData<'newConsumer'>): Promise<void> {
		// Offered again after a resume: its answer was lost with the old connection. Accepted, not made twice.
		if (this.#consumers.has(data.id)) return;
		const source = remoteSource(data.appData, data.kind);
		const consumer = await this.#ctx.recvTransport().consume({
			id: data.id,
			producerId: data.producerId,
			kind: data.kind,
			rtpParameters: fromWire.rtpParameters(data.rtpParameters),
			// Voice and camera share a stream id so the browser keeps them in lip sync.
			streamId: `${data.peerId}-${source === 'share' ? 'share' : 'mic-webcam'}`,
			...this.#decrypt(data),
			appData: { peerId: data.peerId, source },
		});
		this.#consumers.set(consumer.id, consumer);
		this.#ctx.tracks.set(consumer.id, consumer.track);
		consumer.on('transportclose', () => this.#forgetConsumer(consumer.id));
		this.#ctx.store.dispatch(
			consumersActions.consumerAdded({
				id: consumer.id,
				peerId: data.peerId,
				producerId: data.producerId,
				kind: data.kind,
				type: data.type,
				source,
				trackId: consumer.track.id,
				codec: consumer.rtpParameters.codecs[0]?.mimeType.split('/')[1] ?? '',
				remotelyPaused: this.#earlyRemotePauses.get(consumer.id) ?? data.producerPaused,
				...consumerLayers(consumer.rtpParameters),
			}),
		);
		this.#earlyRemotePauses.delete(consumer.id);
		if (data.kind === 'audio') this.#monitorLevel(consumer);
		// In audio-only mode new videos arrive paused.
		if (data.kind === 'video' && this.#ctx.store.getState().me.audioOnly) void this.pause(consumer.id);
	}

	/** With e2eKey, every receiver decrypts frames before the decoder sees them. */
	#decrypt(data: ServerRequestData<'newConsumer'>): { onRtpReceiver?: (receiver: RTCRtpReceiver) => void } {
		const e2ee = this.#ctx.e2ee();
		if (!e2ee) return {};
		const name = selectPeer(this.#ctx.store.getState(), data.peerId)?.displayName || data.peerId;
		return { onRtpReceiver: (receiver) => e2ee.decrypt(receiver, data.kind, `${name}'s ${data.kind}`) };
	}

	async #onNewDataConsumer(data: ServerRequestData<'newDataConsumer'>): Promise<void> {
		if (this.#dataConsumers.has(data.id)) return;
		const dataConsumer = await this.#ctx.recvTransport().consumeData({
			id: data.id,
			dataProducerId: data.dataProducerId,
			sctpStreamParameters: fromWire.sctpStreamParameters(data.sctpStreamParameters),
			label: data.label,
			protocol: data.protocol,
			appData: { peerId: data.peerId },
		});
		this.#dataConsumers.set(dataConsumer.id, dataConsumer);
		dataConsumer.on('message', (message: unknown) => this.#onDataMessage(data.peerId, data.label, message));
		dataConsumer.on('transportclose', () => this.#forgetDataConsumer(dataConsumer.id));
		this.#ctx.store.dispatch(
			dataConsumersActions.dataConsumerAdded({
				id: dataConsumer.id,
				peerId: data.peerId,
				dataProducerId: data.dataProducerId,
				label: data.label,
				protocol: data.protocol,
				streamId: data.sctpStreamParameters.streamId,
			}),
		);
	}

	// --- closed by the server (its notifications) ----------------------------

	/** The producer of a consumer was paused or resumed by its peer. */
	remotePauseChanged(id: string, paused: boolean): void {
		if (this.#consumers.has(id)) {
			this.#ctx.store.dispatch(consumersActions.consumerPausedChanged({ id, by: 'remote', paused }));
		} else {
			this.#earlyRemotePauses.set(id, paused);
		}
	}

	consumerClosed(id: string): void {
		this.#earlyRemotePauses.delete(id);
		this.#consumers.get(id)?.close();
		this.#forgetConsumer(id);
	}

	dataConsumerClosed(id: string): void {
		this.#dataConsumers.get(id)?.close();
		this.#forgetDataConsumer(id);
	}

	/** A peer left: everything received from it goes. */
	peerClosed(peerId: string): void {
		for (const consumer of this.#consumers.values()) {
			if (consumer.appData.peerId === peerId) this.consumerClosed(consumer.id);
		}
		for (const dataConsumer of this.#dataConsumers.values()) {
			if (dataConsumer.appData.peerId === peerId) this.dataConsumerClosed(dataConsumer.id);
		}
	}

	/**
	 * A resumed session: what the server has is the truth. What it closed
	 * while this page was away goes; pauses follow its state. What it has and
	 * this page does not is offered again with newConsumer (the usual path).
	 */
	reconcile(
		consumers: readonly { id: string; paused: boolean; producerPaused: boolean }[],
		dataConsumers: readonly { id: string }[],
	): void {
		const onServer = new Map(consumers.map((consumer) => [consumer.id, consumer]));
		for (const id of [...this.#consumers.keys()]) {
			const consumer = onServer.get(id);
			if (!consumer) this.consumerClosed(id);
			else {
				const { dispatch } = this.#ctx.store;
				dispatch(consumersActions.consumerPausedChanged({ id, by: 'remote', paused: consumer.producerPaused }));
			}
		}
		const dataOnServer = new Set(dataConsumers.map((dataConsumer) => dataConsumer.id));
		for (const id of [...this.#dataConsumers.keys()]) if (!dataOnServer.has(id)) this.dataConsumerClosed(id);
	}

	#monitorLevel(consumer: types.Consumer): void {
		const monitor = new AudioLevelMonitor(consumer.track, (level) =>
			this.#ctx.store.dispatch(consumersActions.consumerAudioLevelChanged({ id: consumer.id, level })),
		);
		this.#levelMonitors.set(consumer.id, monitor);
	}

	#forgetConsumer(id: string): void {
		this.#levelMonitors.get(id)?.close();
		this.#levelMonitors.delete(id);
		this.#consumers.delete(id);
		this.#ctx.tracks.delete(id);
		this.#ctx.store.dispatch(consumersActions.consumerRemoved(id));
	}

	#forgetDataConsumer(id: string): void {
		this.#dataConsumers.delete(id);
		this.#ctx.store.dispatch(dataConsumersActions.dataConsumerRemoved(id));
	}

	// --- this peer's choices -------------------------------------------------

	async pause(consumerId: string): Promise<void> {
		await this.#setPaused(consumerId, true);
	}

	async resume(consumerId: string): Promise<void> {
		await this.#setPaused(consumerId, false);
	}

	async #setPaused(consumerId: string, paused: boolean): Promise<void> {
		const consumer = this.#consumers.get(consumerId);
		if (!consumer || consumer.paused === paused) return;
		try {
			await this.#ctx.signaling().request(paused ? 'pauseConsumer' : 'resumeConsumer', { consumerId });
			if (paused) consumer.pause();
			else consumer.resume();
			this.#ctx.store.dispatch(consumersActions.consumerPausedChanged({ id: consumerId, by: 'local', paused }));
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not ${paused ? 'pause' : 'resume'} a video: ${errorMessage(error)}`);
		}
	}

	/** Which simulcast stream / SVC layer (and frame rate) of a remote video to receive. */
	async setPreferredLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
		const consumer = selectConsumer(this.#ctx.store.getState(), consumerId);
		if (!consumer) return;
		const temporal = temporalLayer ?? consumer.temporalLayers - 1;
		try {
			await this.#ctx.signaling().request('setConsumerPreferredLayers', {
				consumerId,
				spatialLayer,
				temporalLayer: temporal,
			});
			this.#ctx.store.dispatch(
				consumersActions.consumerPreferredLayersChanged({ id: consumerId, spatialLayer, temporalLayer: temporal }),
			);
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not change the video quality: ${errorMessage(error)}`);
		}
	}

	async setPriority(consumerId: string, priority: number): Promise<void> {
		try {
			await this.#ctx.signaling().request('setConsumerPriority', { consumerId, priority });
			this.#ctx.store.dispatch(consumersActions.consumerPriorityChanged({ id: consumerId, priority }));
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not change the priority: ${errorMessage(error)}`);
		}
	}

	async requestKeyFrame(consumerId: string): Promise<void> {
		try {
			await this.#ctx.signaling().request('requestConsumerKeyFrame', { consumerId });
			this.#ctx.notifier.notify('info', 'Key frame requested');
		} catch (error) {
			this.#ctx.notifier.notify('error', `Key frame request failed: ${errorMessage(error)}`);
		}
	}
}
