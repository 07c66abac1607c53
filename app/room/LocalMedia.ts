// What this peer sends: the microphone, webcam and screen producers on the
// send transport, their mute state, camera switching and quality limits.
import type { types } from 'mediasoup-client';
import type { Grants } from '../../protocol/access.ts';
import { AudioLevelMonitor } from '../media/AudioLevelMonitor.ts';
import {
	getExternalVideoTrack,
	getMicrophoneTrack,
	getScreenTrack,
	getWebcamTrack,
	listCameras,
	NEXT_RESOLUTION,
} from '../media/capture.ts';
import { effectiveVideoCodec, forcedCodec } from '../media/codecs.ts';
import { type LayerOptions, sharingEncodings, webcamEncodings } from '../media/encodings.ts';
import { producerLayers } from '../media/layers.ts';
import { meActions } from '../store/slices/me.ts';
import { type MediaSource, PUBLISH_SOURCE, producersActions } from '../store/slices/producers.ts';
import { errorMessage } from './errors.ts';
import type { RoomContext } from './RoomContext.ts';

type ProgressFlag = 'micInProgress' | 'webcamInProgress' | 'shareInProgress';

const WHAT: Record<MediaSource, string> = { mic: 'Microphone', webcam: 'Camera', share: 'Screen sharing' };

export class LocalMedia {
	readonly #ctx: RoomContext;
	readonly #producers = new Map<string, types.Producer>();
	#micMonitor: AudioLevelMonitor | undefined;
	#webcamDeviceId: string | undefined;

	constructor(ctx: RoomContext) {
		this.#ctx = ctx;
	}

	producer(id: string): types.Producer | undefined {
		return this.#producers.get(id);
	}

	/** The send transport closed, and every producer with it: stops my tracks and forgets them. */
	transportClosed(): void {
		this.#stopMicMonitor();
		for (const producer of this.#producers.values()) producer.track?.stop();
		this.#producers.clear();
		this.#ctx.store.dispatch(producersActions.allProducersRemoved());
	}

	/**
	 * A resumed session: the server's producers are the truth. One it no
	 * longer has (closed while this page was away: grants revoked) goes here
	 * too; one it holds paused while this page sends (a moderator muted it
	 * meanwhile) is shown paused; one this page paused while the answer was
	 * lost is paused again; one it has that this page does not know (a
	 * produce whose answer was lost) is closed on the server.
	 */
	async reconcile(onServer: readonly { id: string; paused: boolean }[]): Promise<void> {
		const paused = new Map(onServer.map((producer) => [producer.id, producer.paused]));
		const repeats: Promise<void>[] = [];
		for (const producer of [...this.#producers.values()]) {
			const serverPaused = paused.get(producer.id);
			if (serverPaused === undefined) this.#closedOnServer(producer);
			else if (serverPaused && !producer.paused) this.mutedByModerator(producer.id);
			else if (!serverPaused && producer.paused) repeats.push(this.#request('pauseProducer', producer.id));
		}
		for (const id of paused.keys()) {
			if (!this.#producers.has(id)) repeats.push(this.#request('closeProducer', id));
		}
		await Promise.all(repeats);
	}

	#closedOnServer(producer: types.Producer): void {
		if (producer.appData.source === 'mic') this.#stopMicMonitor();
		producer.close();
		producer.track?.stop();
		this.#forget(producer.id);
	}

	/** A request about a producer whose failure only the log would care about: the next resume reconciles again. */
	async #request(method: 'pauseProducer' | 'closeProducer', producerId: string): Promise<void> {
		try {
			await this.#ctx.signaling().request(method, { producerId });
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not sync your media after reconnecting: ${errorMessage(error)}`);
		}
	}

	/**
	 * A new session after a lost one: sends again what the page sent (kept
	 * before the old transports closed), as far as `may` allows. A muted
	 * microphone comes back muted.
	 */
	async restore(
		kept: { mic: 'off' | 'on' | 'muted'; webcam: boolean },
		may: (source: MediaSource) => boolean,
	): Promise<void> {
		const starts: Promise<void>[] = [];
		if (kept.mic !== 'off' && may('mic')) {
			starts.push(this.enableMic().then(() => (kept.mic === 'muted' ? this.muteMic() : undefined)));
		}
		if (kept.webcam && may('webcam')) starts.push(this.enableWebcam());
		await Promise.all(starts);
	}

	// --- microphone ----------------------------------------------------------

	async enableMic(): Promise<void> {
		await this.#produce('mic', 'micInProgress', async () => {
			const track = await getMicrophoneTrack();
			const producer = await this.#ctx.sendTransport().produce({
				track,
				// DTX off: a quiet microphone still sends, so "is it working" has one answer.
				codecOptions: { opusStereo: false, opusDtx: false, opusFec: true },
				onRtpSender: this.#encrypt('audio', 'mic'),
				appData: { source: 'mic' },
			});
			this.#micMonitor = new AudioLevelMonitor(track, (level) =>
				this.#ctx.store.dispatch(meActions.audioLevelMeasured(level)),
			);
			return producer;
		});
	}

	async disableMic(): Promise<void> {
		this.#stopMicMonitor();
		await this.#closeProducer('mic');
	}

	/** Mute: the producer stays but sends nothing; the others see the mute badge. */
	async muteMic(): Promise<void> {
		await this.#setPaused('mic', true);
	}

	async unmuteMic(): Promise<void> {
		await this.#setPaused('mic', false);
	}

	#stopMicMonitor(): void {
		this.#micMonitor?.close();
		this.#micMonitor = undefined;
		this.#ctx.store.dispatch(meActions.audioLevelMeasured(0));
	}

	// --- webcam --------------------------------------------------------------

	async enableWebcam(): Promise<void> {
		await this.#produce('webcam', 'webcamInProgress', async () => {
			const track = await this.#webcamTrack();
			const { codec, layers } = this.#videoSettings(this.#ctx.options.enableWebcamLayers, 'webcam');
			const encodings = webcamEncodings(layers);
			return this.#ctx.sendTransport().produce({
				track,
				...(encodings ? { encodings } : {}),
				...(codec ? { codec } : {}),
				codecOptions: { videoGoogleStartBitrate: 1000 },
				onRtpSender: this.#encrypt('video', 'webcam'),
				appData: { source: 'webcam' },
			});
		});
	}

	async disableWebcam(): Promise<void> {
		await this.#closeProducer('webcam');
	}

	/** Switches to the next camera. */
	async changeWebcam(): Promise<void> {
		const cameras = await listCameras();
		if (cameras.length < 2) return;
		const current = cameras.findIndex((camera) => camera.deviceId === this.#webcamDeviceId);
		this.#webcamDeviceId = cameras[(current + 1) % cameras.length]?.deviceId;
		await this.#replaceWebcamTrack();
	}

	/** Cycles the camera resolution: 320x240, 640x480, 1280x720. */
	async changeWebcamResolution(): Promise<void> {
		const next = NEXT_RESOLUTION[this.#ctx.store.getState().me.webcamResolution];
		this.#ctx.store.dispatch(meActions.webcamResolutionChanged(next));
		await this.#replaceWebcamTrack();
	}

	/** Limits what my webcam sends to spatial layers 0..layer (saves my uplink). */
	async setMaxSendingSpatialLayer(layer: number): Promise<void> {
		const producer = this.#producerOf('webcam');
		if (!producer) return;
		try {
			await producer.setMaxSpatialLayer(layer);
			this.#ctx.store.dispatch(
				producersActions.producerMaxSpatialLayerChanged({ id: producer.id, maxSpatialLayer: layer }),
			);
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not limit the camera: ${errorMessage(error)}`);
		}
	}

	async updateCanChangeWebcam(): Promise<void> {
		try {
			const cameras = await listCameras();
			this.#ctx.store.dispatch(meActions.canChangeWebcamKnown(cameras.length > 1));
		} catch {
			// Enumerating devices is a nicety; without it, no "switch camera".
		}
	}

	async #webcamTrack(): Promise<MediaStreamTrack> {
		const { externalVideo } = this.#ctx.options;
		if (externalVideo) return getExternalVideoTrack(externalVideo);
		return getWebcamTrack(this.#ctx.store.getState().me.webcamResolution, this.#webcamDeviceId);
	}

	async #replaceWebcamTrack(): Promise<void> {
		const producer = this.#producerOf('webcam');
		if (!producer) return;
		this.#setFlag('webcamInProgress', true);
		try {
			producer.track?.stop();
			const track = await this.#webcamTrack();
			await producer.replaceTrack({ track });
			this.#ctx.tracks.set(producer.id, track);
			this.#ctx.store.dispatch(producersActions.producerTrackReplaced({ id: producer.id, trackId: track.id }));
		} catch (error) {
			this.#ctx.notifier.notify('error', `Camera: ${errorMessage(error)}`);
		} finally {
			this.#setFlag('webcamInProgress', false);
		}
	}

	// --- screen sharing ------------------------------------------------------

	async enableShare(): Promise<void> {
		await this.#produce('share', 'shareInProgress', async () => {
			const track = await getScreenTrack();
			const { codec, layers } = this.#videoSettings(this.#ctx.options.enableSharingLayers, 'share');
			const encodings = sharingEncodings(layers);
			const producer = await this.#ctx.sendTransport().produce({
				track,
				...(encodings ? { encodings } : {}),
				...(codec ? { codec } : {}),
				codecOptions: { videoGoogleStartBitrate: 1000 },
				onRtpSender: this.#encrypt('video', 'share'),
				// `share: true` is how the classic demo's clients recognise a screen.
				appData: { source: 'share', share: true },
			});
			// The browser's own "Stop sharing" button ends the track.
			producer.on('trackended', () => void this.disableShare());
			return producer;
		});
	}

	async disableShare(): Promise<void> {
		await this.#closeProducer('share');
	}

	// --- moderators and grants ----------------------------------------------

	/**
	 * A moderator paused this producer on the server. The microphone is paused
	 * here too, so my mute button says what the others hear; a camera or a
	 * screen (which this app turns off rather than pauses) is turned off.
	 */
	mutedByModerator(producerId: string): void {
		const producer = this.#producers.get(producerId);
		if (!producer) return;
		const source = producer.appData.source as MediaSource;
		if (source === 'mic') {
			producer.pause();
			this.#ctx.store.dispatch(producersActions.producerMutedByModerator(producer.id));
			this.#ctx.notifier.notify('info', 'A moderator muted your microphone');
			return;
		}
		void this.#closeProducer(source);
		this.#ctx.notifier.notify('info', `A moderator turned off your ${WHAT[source].toLowerCase()}`);
	}

	/** The server closed the producers the new grants no longer allow: they go here too. */
	grantsChanged(grants: Grants): void {
		for (const producer of [...this.#producers.values()]) {
			const source = producer.appData.source as MediaSource;
			if (grants.publish.includes(PUBLISH_SOURCE[source]) && !grants.hidden) continue;
			if (source === 'mic') this.#stopMicMonitor();
			producer.close();
			producer.track?.stop();
			this.#forget(producer.id);
			this.#ctx.notifier.notify('info', `${WHAT[source]} stopped: a moderator changed what you may send`);
		}
	}

	// --- shared --------------------------------------------------------------

	/** With e2eKey, every sender encrypts its frames before they leave the browser. */
	#encrypt(kind: 'audio' | 'video', source: MediaSource): ((sender: RTCRtpSender) => void) | undefined {
		const e2ee = this.#ctx.e2ee();
		return e2ee ? (sender) => e2ee.encrypt(sender, kind, source) : undefined;
	}

	/** The forced codec (if any) and the layer options for a video producer. */
	#videoSettings(
		enabled: boolean,
		source: 'webcam' | 'share',
	): { codec: types.RtpCodecCapability | undefined; layers: LayerOptions } {
		const { options } = this.#ctx;
		const capabilities = this.#ctx.device().rtpCapabilities;
		const codec = forcedCodec(capabilities, options.forcedVideoCodec);
		return {
			codec,
			layers: {
				enabled,
				codecMimeType: effectiveVideoCodec(capabilities, codec),
				scalabilityMode: source === 'webcam' ? options.webcamScalabilityMode : options.sharingScalabilityMode,
				numSimulcastStreams: options.numSimulcastStreams,
			},
		};
	}

	/** Runs one "start sending X" with its progress flag and a toast on failure. */
	async #produce(source: MediaSource, flag: ProgressFlag, create: () => Promise<types.Producer>): Promise<void> {
		if (this.#producerOf(source)) return;
		this.#setFlag(flag, true);
		try {
			this.#addProducer(await create(), source);
		} catch (error) {
			this.#ctx.notifier.notify('error', `${WHAT[source]}: ${errorMessage(error)}`);
		} finally {
			this.#setFlag(flag, false);
		}
	}

	#producerOf(source: MediaSource): types.Producer | undefined {
		for (const producer of this.#producers.values()) if (producer.appData.source === source) return producer;
		return undefined;
	}

	#addProducer(producer: types.Producer, source: MediaSource): void {
		this.#producers.set(producer.id, producer);
		if (producer.track) this.#ctx.tracks.set(producer.id, producer.track);
		producer.on('transportclose', () => this.#forget(producer.id));
		producer.on('trackended', () => {
			if (source !== 'share') this.#ctx.notifier.notify('error', `Your ${WHAT[source].toLowerCase()} stopped`);
		});
		const layers = producerLayers(producer.rtpParameters);
		this.#ctx.store.dispatch(
			producersActions.producerAdded({
				id: producer.id,
				source,
				kind: producer.kind,
				paused: producer.paused,
				mutedByModerator: false,
				trackId: producer.track?.id ?? '',
				codec: producer.rtpParameters.codecs[0]?.mimeType.split('/')[1] ?? '',
				encodings: producer.rtpParameters.encodings?.length ?? 1,
				scalabilityMode: layers.scalabilityMode,
				spatialLayers: layers.spatialLayers,
				maxSpatialLayer: null,
				score: [],
			}),
		);
	}

	async #closeProducer(source: MediaSource): Promise<void> {
		const producer = this.#producerOf(source);
		if (!producer) return;
		producer.close();
		this.#forget(producer.id);
		try {
			await this.#ctx.signaling().request('closeProducer', { producerId: producer.id });
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not stop the ${WHAT[source].toLowerCase()}: ${errorMessage(error)}`);
		}
	}

	#forget(id: string): void {
		this.#producers.delete(id);
		this.#ctx.tracks.delete(id);
		this.#ctx.store.dispatch(producersActions.producerRemoved(id));
	}

	async #setPaused(source: MediaSource, paused: boolean): Promise<void> {
		const producer = this.#producerOf(source);
		if (!producer) return;
		if (paused) producer.pause();
		else producer.resume();
		this.#ctx.store.dispatch(producersActions.producerPaused({ id: producer.id, paused }));
		try {
			await this.#ctx.signaling().request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not ${paused ? 'mute' : 'unmute'}: ${errorMessage(error)}`);
		}
	}

	#setFlag(flag: ProgressFlag, value: boolean): void {
		this.#ctx.store.dispatch(meActions.flagSet({ flag, value }));
	}
}
