// The client side of a room: owns the protoo connection, the mediasoup-client
// Device and the send and receive transports, runs the protocol of
// PROTOCOL.md, and feeds the Redux store through typed actions. Components
// call its methods and render the store; nothing else talks to the server.
//
// It delegates what it sends to LocalMedia, what it receives to RemoteMedia
// and the chat to ChatChannels (app/room/), which share a RoomContext.
import { Device, type types } from 'mediasoup-client';
import { rememberDisplayName } from './config/displayName.ts';
import type { UrlOptions } from './config/urlOptions.ts';
import { E2eeSession } from './e2ee/E2eeSession.ts';
import { TrackRegistry } from './media/TrackRegistry.ts';
import { fromWire, toWire } from './media/wireTypes.ts';
import { ChatChannels } from './room/ChatChannels.ts';
import { errorMessage, toError } from './room/errors.ts';
import { LocalMedia } from './room/LocalMedia.ts';
import { Notifier } from './room/Notifier.ts';
import { handleNotification, type NotificationHandlers, notificationHandlers } from './room/notificationHandlers.ts';
import { RemoteMedia } from './room/RemoteMedia.ts';
import type { RoomContext } from './room/RoomContext.ts';
import { SignalingChannel } from './signaling/SignalingChannel.ts';
import { protooUrl } from './signaling/serverUrl.ts';
import { meActions } from './store/slices/me.ts';
import { peersActions } from './store/slices/peers.ts';
import { roomActions } from './store/slices/room.ts';
import type { AppStore } from './store/store.ts';

/**
 * mediasoup-client 3.24 no longer reports SCTP capabilities, but their
 * presence in createWebRtcTransport and join is what asks the server for data
 * channels (PROTOCOL.md), so the classic values are sent.
 */
const SCTP_CAPABILITIES = { numStreams: { OS: 1024, MIS: 1024 } };

export interface ThrottleSettings {
	/** kbit/s */
	uplink?: number;
	/** kbit/s */
	downlink?: number;
	/** ms */
	rtt?: number;
	/** % */
	packetLoss?: number;
}

export type TransportDirection = 'send' | 'recv';

type MeFlag = 'audioOnly' | 'audioOnlyInProgress' | 'restartIceInProgress';

export class RoomClient {
	readonly #store: AppStore;
	readonly #options: UrlOptions;
	readonly #serverLocation: { protocol: string; host: string };
	readonly #notifier: Notifier;
	readonly #tracks = new TrackRegistry();
	readonly #ctx: RoomContext;
	readonly #local: LocalMedia;
	readonly #remote: RemoteMedia;
	readonly #chat: ChatChannels;
	readonly #notificationHandlers: NotificationHandlers;
	#signaling: SignalingChannel | undefined;
	#device: Device | undefined;
	#sendTransport: types.Transport | undefined;
	#recvTransport: types.Transport | undefined;
	#e2ee: E2eeSession | undefined;
	#closed = false;

	constructor({
		store,
		options,
		serverLocation,
	}: {
		store: AppStore;
		options: UrlOptions;
		serverLocation: { protocol: string; host: string };
	}) {
		this.#store = store;
		this.#options = options;
		this.#serverLocation = serverLocation;
		this.#notifier = new Notifier(store);
		this.#ctx = this.#createContext();
		this.#local = new LocalMedia(this.#ctx);
		this.#chat = new ChatChannels(this.#ctx);
		this.#remote = new RemoteMedia(this.#ctx, (peerId, label, message) => this.#chat.receive(peerId, label, message));
		this.#notificationHandlers = notificationHandlers(this.#ctx, this.#remote);
	}

	#createContext(): RoomContext {
		const need = <T>(value: T | undefined, what: string): T => {
			if (value === undefined) throw new Error(what);
			return value;
		};
		return {
			store: this.#store,
			options: this.#options,
			tracks: this.#tracks,
			notifier: this.#notifier,
			signaling: () => need(this.#signaling, 'not connected'),
			device: () => need(this.#device, 'device not loaded'),
			sendTransport: () => need(this.#sendTransport, 'this page does not send media (produce=false)'),
			recvTransport: () => need(this.#recvTransport, 'this page does not receive media (consume=false)'),
			e2ee: () => this.#e2ee,
		};
	}

	// --- connection ----------------------------------------------------------

	/** Connects to the room; joins (again) every time the WebSocket opens. */
	join(): void {
		if (this.#signaling) return;
		this.#closed = false;
		this.#dispatchState('connecting');
		const { roomId, peerId, consumerReplicas } = this.#options;
		this.#signaling = new SignalingChannel(protooUrl(this.#serverLocation, { roomId, peerId, consumerReplicas }), {
			onOpen: () => {
				this.#joinRoom().catch((error: unknown) => {
					this.#notifier.notify('error', `Could not join the room: ${errorMessage(error)}`);
					this.close('Could not join the room');
				});
			},
			onDisconnected: () => {
				this.#notifier.notify('error', 'Connection lost, reconnecting…');
				this.#resetMedia();
				this.#dispatchState('connecting');
			},
			onFailed: () => this.#notifier.notify('error', 'Cannot reach the server, retrying…'),
			onClose: () => {
				if (!this.#closed) this.close('The connection to the server was closed');
			},
			onRequest: (request) => this.#remote.onServerRequest(request),
			onNotification: (notification) => handleNotification(this.#notificationHandlers, notification),
			onProtocolError: (reason) => this.#notifier.notify('error', `Unexpected message from the server: ${reason}`),
		});
	}

	/** Leaves the room: the others see this peer go. */
	close(reason = 'You left the room'): void {
		if (this.#closed) return;
		this.#closed = true;
		this.#signaling?.close();
		this.#signaling = undefined;
		this.#resetMedia();
		this.#dispatchState('closed', reason);
	}

	/** Joins again after leaving. */
	rejoin(): void {
		if (!this.#closed) return;
		this.join();
	}

	#dispatchState(state: 'connecting' | 'connected' | 'closed', reason?: string): void {
		this.#store.dispatch(roomActions.connectionStateChanged({ state, ...(reason ? { reason } : {}) }));
	}

	async #joinRoom(): Promise<void> {
		const signaling = this.#ctx.signaling();
		await this.#startE2ee();
		const { handlerName, produce, consume, datachannel } = this.#options;
		const routerRtpCapabilities = await signaling.request('getRouterRtpCapabilities');
		const device = await Device.factory(handlerName ? { handlerName } : {});
		await device.load({ routerRtpCapabilities: fromWire.rtpCapabilities(routerRtpCapabilities) });
		this.#device = device;
		this.#store.dispatch(
			meActions.mediaCapabilitiesKnown({
				canSendMic: produce && device.canProduce('audio'),
				canSendWebcam: produce && device.canProduce('video'),
			}),
		);
		if (produce) this.#sendTransport = await this.#createTransport('send');
		if (consume) this.#recvTransport = await this.#createTransport('recv');

		const me = this.#store.getState().me;
		const { peers } = await signaling.request('join', {
			displayName: me.displayName,
			device: me.device,
			// Without them the server never sends us consumers (consume=false).
			rtpCapabilities: consume ? toWire.rtpCapabilities(device.rtpCapabilities) : undefined,
			sctpCapabilities: consume && datachannel ? SCTP_CAPABILITIES : undefined,
		});
		for (const peer of peers) this.#store.dispatch(peersActions.peerAdded({ ...peer, joinedAt: Date.now() }));
		this.#dispatchState('connected');
		if (produce) await this.#startProducing();
	}

	/**
	 * With e2eKey, media is encrypted end to end or not sent at all: a browser
	 * that cannot do it does not join, rather than send in the clear.
	 */
	async #startE2ee(): Promise<void> {
		const passphrase = this.#options.e2eKey;
		if (!passphrase || this.#e2ee) return;
		if (!E2eeSession.isSupported()) throw new Error('this browser cannot encrypt end to end (e2eKey)');
		this.#e2ee = await E2eeSession.start(passphrase, (label) =>
			this.#notifier.notify('error', `Cannot decrypt ${label}: is your e2eKey the same as theirs?`),
		);
		this.#store.dispatch(roomActions.e2eeEnabled());
		this.#notifier.notify('info', 'End-to-end encryption is on');
	}

	async #startProducing(): Promise<void> {
		const { mic, webcam, datachannel } = this.#options;
		const { canSendMic, canSendWebcam } = this.#store.getState().me;
		// Each one on its own: a missing camera must not cost the microphone.
		const starts: Promise<void>[] = [];
		if (mic && canSendMic) starts.push(this.#local.enableMic());
		if (webcam && canSendWebcam) starts.push(this.#local.enableWebcam());
		if (datachannel) starts.push(this.#chat.start());
		await Promise.all(starts);
		void this.#local.updateCanChangeWebcam();
	}

	/** Closes every transport and forgets all media; the store keeps only me and the room. */
	#resetMedia(): void {
		this.#sendTransport?.close();
		this.#recvTransport?.close();
		this.#sendTransport = undefined;
		this.#recvTransport = undefined;
		this.#local.reset();
		this.#remote.reset();
		this.#chat.reset();
		this.#store.dispatch(peersActions.allPeersRemoved());
		this.#store.dispatch(roomActions.recordingChanged(null));
		this.#setFlag('audioOnly', false);
	}

	// --- transports ----------------------------------------------------------

	async #createTransport(direction: TransportDirection): Promise<types.Transport> {
		const signaling = this.#ctx.signaling();
		const device = this.#ctx.device();
		const info = await signaling.request('createWebRtcTransport', {
			forceTcp: this.#options.forceTcp,
			producing: direction === 'send',
			consuming: direction === 'recv',
			sctpCapabilities: this.#options.datachannel ? SCTP_CAPABILITIES : undefined,
		});
		const options = fromWire.transportOptions(info);
		const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			signaling
				.request('connectWebRtcTransport', {
					transportId: transport.id,
					dtlsParameters: toWire.dtlsParameters(dtlsParameters),
				})
				.then(callback, (error: unknown) => errback(toError(error)));
		});
		transport.on('connectionstatechange', (state) => {
			if (state === 'failed')
				this.#notifier.notify('error', `The ${direction} connection failed; try "Restart connection"`);
		});
		if (direction === 'send') this.#handleProduceEvents(transport, signaling);
		return transport;
	}

	/** mediasoup-client asks the app to tell the server about each new producer. */
	#handleProduceEvents(transport: types.Transport, signaling: SignalingChannel): void {
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			signaling
				.request('produce', {
					transportId: transport.id,
					kind,
					rtpParameters: toWire.rtpParameters(rtpParameters),
					appData,
				})
				.then(callback, (error: unknown) => errback(toError(error)));
		});
		transport.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
			signaling
				.request('produceData', {
					transportId: transport.id,
					sctpStreamParameters: toWire.sctpStreamParameters(sctpStreamParameters),
					label: label ?? '',
					protocol: protocol ?? '',
					appData,
				})
				.then(callback, (error: unknown) => errback(toError(error)));
		});
	}

	/** Restarts ICE on both transports (e.g. after a network change). */
	async restartIce(): Promise<void> {
		this.#setFlag('restartIceInProgress', true);
		try {
			for (const transport of [this.#sendTransport, this.#recvTransport]) {
				if (!transport) continue;
				const iceParameters = await this.#ctx.signaling().request('restartIce', { transportId: transport.id });
				await transport.restartIce({ iceParameters: fromWire.iceParameters(iceParameters) });
			}
			this.#notifier.notify('info', 'ICE restarted');
		} catch (error) {
			this.#notifier.notify('error', `ICE restart failed: ${errorMessage(error)}`);
		} finally {
			this.#setFlag('restartIceInProgress', false);
		}
	}

	// --- what I send (LocalMedia) --------------------------------------------

	enableMic = (): Promise<void> => this.#local.enableMic();
	disableMic = (): Promise<void> => this.#local.disableMic();
	muteMic = (): Promise<void> => this.#local.muteMic();
	unmuteMic = (): Promise<void> => this.#local.unmuteMic();
	enableWebcam = (): Promise<void> => this.#local.enableWebcam();
	disableWebcam = (): Promise<void> => this.#local.disableWebcam();
	changeWebcam = (): Promise<void> => this.#local.changeWebcam();
	changeWebcamResolution = (): Promise<void> => this.#local.changeWebcamResolution();
	setMaxSendingSpatialLayer = (layer: number): Promise<void> => this.#local.setMaxSendingSpatialLayer(layer);
	enableShare = (): Promise<void> => this.#local.enableShare();
	disableShare = (): Promise<void> => this.#local.disableShare();

	// --- what I receive (RemoteMedia) ----------------------------------------

	pauseConsumer = (consumerId: string): Promise<void> => this.#remote.pause(consumerId);
	resumeConsumer = (consumerId: string): Promise<void> => this.#remote.resume(consumerId);
	setConsumerPreferredLayers = (consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> =>
		this.#remote.setPreferredLayers(consumerId, spatialLayer, temporalLayer);
	setConsumerPriority = (consumerId: string, priority: number): Promise<void> =>
		this.#remote.setPriority(consumerId, priority);
	requestConsumerKeyFrame = (consumerId: string): Promise<void> => this.#remote.requestKeyFrame(consumerId);

	// --- chat (ChatChannels) -------------------------------------------------

	/** A message starting with "@bot" goes to the room's bot, anything else to everyone. */
	sendChatMessage = (text: string): void => this.#chat.send(text);

	// --- room-wide modes -----------------------------------------------------

	/** Audio only: stop my camera and every remote video, to save bandwidth. */
	async enableAudioOnly(): Promise<void> {
		this.#setFlag('audioOnlyInProgress', true);
		this.#setFlag('audioOnly', true);
		await this.#local.disableWebcam();
		await Promise.all(this.#remote.videoConsumerIds().map((id) => this.#remote.pause(id)));
		this.#setFlag('audioOnlyInProgress', false);
	}

	async disableAudioOnly(): Promise<void> {
		this.#setFlag('audioOnlyInProgress', true);
		this.#setFlag('audioOnly', false);
		if (this.#store.getState().me.canSendWebcam) await this.#local.enableWebcam();
		await Promise.all(this.#remote.videoConsumerIds().map((id) => this.#remote.resume(id)));
		this.#setFlag('audioOnlyInProgress', false);
	}

	async changeDisplayName(displayName: string): Promise<void> {
		const name = displayName.trim();
		const previous = this.#store.getState().me.displayName;
		if (!name || name === previous) return;
		this.#store.dispatch(meActions.displayNameChanged(name));
		rememberDisplayName(name);
		if (this.#store.getState().room.state !== 'connected') return;
		try {
			await this.#ctx.signaling().request('changeDisplayName', { displayName: name });
		} catch (error) {
			this.#store.dispatch(meActions.displayNameChanged(previous));
			this.#notifier.notify('error', `Could not change your name: ${errorMessage(error)}`);
		}
	}

	// --- recording (ours, PROTOCOL.md) ---------------------------------------

	async startRecording(): Promise<void> {
		await this.#recordingRequest(async () => {
			const { startedAt } = await this.#ctx.signaling().request('startRecording');
			this.#store.dispatch(roomActions.recordingChanged(startedAt));
		}, 'start');
	}

	async stopRecording(): Promise<void> {
		await this.#recordingRequest(async () => {
			await this.#ctx.signaling().request('stopRecording');
			this.#store.dispatch(roomActions.recordingChanged(null));
		}, 'stop');
	}

	async #recordingRequest(run: () => Promise<void>, what: string): Promise<void> {
		this.#store.dispatch(roomActions.recordingInProgressChanged(true));
		try {
			await run();
		} catch (error) {
			this.#notifier.notify('error', `Could not ${what} recording: ${errorMessage(error)}`);
		} finally {
			this.#store.dispatch(roomActions.recordingInProgressChanged(false));
		}
	}

	// --- network throttle ----------------------------------------------------

	async applyNetworkThrottle(settings: ThrottleSettings): Promise<void> {
		try {
			await this.#ctx
				.signaling()
				.request('applyNetworkThrottle', { secret: this.#options.throttleSecret ?? '', ...settings });
			this.#store.dispatch(roomActions.throttleChanged(true));
			this.#notifier.notify('info', 'Network throttle applied');
		} catch (error) {
			this.#notifier.notify('error', `Throttle: ${errorMessage(error)}`);
		}
	}

	async resetNetworkThrottle(): Promise<void> {
		try {
			await this.#ctx.signaling().request('resetNetworkThrottle', { secret: this.#options.throttleSecret ?? '' });
			this.#store.dispatch(roomActions.throttleChanged(false));
			this.#notifier.notify('info', 'Network throttle removed');
		} catch (error) {
			this.#notifier.notify('error', `Throttle: ${errorMessage(error)}`);
		}
	}

	// --- stats ---------------------------------------------------------------

	#transport(direction: TransportDirection): types.Transport | undefined {
		return direction === 'send' ? this.#sendTransport : this.#recvTransport;
	}

	/** The browser's own stats of one transport (its RTCPeerConnection). */
	async getTransportLocalStats(direction: TransportDirection): Promise<RTCStatsReport | undefined> {
		return this.#transport(direction)?.getStats();
	}

	async getTransportRemoteStats(direction: TransportDirection): Promise<unknown[] | undefined> {
		const transport = this.#transport(direction);
		if (!transport) return undefined;
		return this.#ctx.signaling().request('getTransportStats', { transportId: transport.id });
	}

	async getProducerLocalStats(producerId: string): Promise<RTCStatsReport | undefined> {
		return this.#local.producer(producerId)?.getStats();
	}

	async getProducerRemoteStats(producerId: string): Promise<unknown[]> {
		return this.#ctx.signaling().request('getProducerStats', { producerId });
	}

	async getConsumerLocalStats(consumerId: string): Promise<RTCStatsReport | undefined> {
		return this.#remote.consumer(consumerId)?.getStats();
	}

	async getConsumerRemoteStats(consumerId: string): Promise<unknown[]> {
		return this.#ctx.signaling().request('getConsumerStats', { consumerId });
	}

	async getDataProducerRemoteStats(dataProducerId: string): Promise<unknown[]> {
		return this.#ctx.signaling().request('getDataProducerStats', { dataProducerId });
	}

	async getDataConsumerRemoteStats(dataConsumerId: string): Promise<unknown[]> {
		return this.#ctx.signaling().request('getDataConsumerStats', { dataConsumerId });
	}

	// --- for views -----------------------------------------------------------

	/** The track of a producer or consumer, for a <video> or <audio> element. */
	getTrack(id: string): MediaStreamTrack | undefined {
		return this.#tracks.get(id);
	}

	#setFlag(flag: MeFlag, value: boolean): void {
		this.#store.dispatch(meActions.flagSet({ flag, value }));
	}
}
