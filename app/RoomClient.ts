// The client side of a room: owns the protoo connection, the mediasoup-client
// Device and the send and receive transports, runs the join of
// docs/PROTOCOL.md, and feeds the Redux store through typed actions.
//
// What happens over those transports belongs to its parts (app/room/), which
// it exposes for components to call: `local` (what I send), `remote` (what I
// receive), `chat`, `recording`, `throttle` and `stats`. They share a
// RoomContext; nothing else talks to the server.
//
// A RoomClient lives as long as the page: it asks the server whether it may
// enter (GET /access: a refused WebSocket handshake cannot tell a browser
// why), joins, may wait in the lobby of a locked room, may lose and regain the
// WebSocket (protoo-client reconnects, and every reconnection joins afresh
// with new transports), leaves or is removed, and may join again unless a
// moderator closed the room to it. What one join owns, the SignalingChannel,
// closes the way every owner in the app does (lifecycle/Closable.ts).
import { Device, type types } from 'mediasoup-client';
import { canPublish, type Grants } from '../protocol/access.ts';
import type { JoinResponse } from '../protocol/signaling.ts';
import { rememberDisplayName } from './config/displayName.ts';
import type { UrlOptions } from './config/urlOptions.ts';
import { E2eeSession } from './e2ee/E2eeSession.ts';
import { fromWire, toWire } from './media/wireTypes.ts';
import { ChatChannels } from './room/ChatChannels.ts';
import { refusalText } from './room/closedReasons.ts';
import { errorMessage, toError } from './room/errors.ts';
import { LocalMedia } from './room/LocalMedia.ts';
import { MediaStats } from './room/MediaStats.ts';
import { Moderation } from './room/Moderation.ts';
import { NetworkThrottle } from './room/NetworkThrottle.ts';
import { Notifier } from './room/Notifier.ts';
import { handleNotification, type NotificationHandlers, notificationHandlers } from './room/notificationHandlers.ts';
import { Recording } from './room/Recording.ts';
import { RemoteMedia } from './room/RemoteMedia.ts';
import type { RoomContext, TransportDirection } from './room/RoomContext.ts';
import { type AccessVerdict, checkAccess } from './signaling/accessCheck.ts';
import { SignalingChannel } from './signaling/SignalingChannel.ts';
import { protooUrl } from './signaling/serverUrl.ts';
import { selectGrants, selectMayPublish } from './store/selectors.ts';
import { accessActions } from './store/slices/access.ts';
import { meActions } from './store/slices/me.ts';
import { moderationActions } from './store/slices/moderation.ts';
import { peersActions } from './store/slices/peers.ts';
import { type RoomConnectionState, roomActions } from './store/slices/room.ts';
import type { AppStore } from './store/store.ts';

/**
 * mediasoup-client 3.24 no longer reports SCTP capabilities, but their
 * presence in createWebRtcTransport and join is what asks the server for data
 * channels (PROTOCOL.md), so the classic values are sent.
 */
const SCTP_CAPABILITIES = { numStreams: { OS: 1024, MIS: 1024 } };

type MeFlag = 'audioOnly' | 'audioOnlyInProgress' | 'restartIceInProgress';

/** mediasoup-client waits on a transport event until its callback or errback is called. */
function answer<T>(request: Promise<T>, callback: (response: T) => void, errback: (error: Error) => void): void {
	request.then(callback, (error: unknown) => errback(toError(error)));
}

export class RoomClient {
	readonly #store: AppStore;
	readonly #options: UrlOptions;
	readonly #serverLocation: { protocol: string; host: string };
	readonly #notifier: Notifier;
	readonly #ctx: RoomContext;
	readonly #notificationHandlers: NotificationHandlers;
	readonly local: LocalMedia;
	readonly remote: RemoteMedia;
	readonly chat: ChatChannels;
	readonly recording: Recording;
	readonly throttle: NetworkThrottle;
	readonly stats: MediaStats;
	readonly moderation: Moderation;
	/** The track of a producer or consumer by its id, for a <video> or <audio> element. */
	readonly tracks: ReadonlyMap<string, MediaStreamTrack>;
	#signaling: SignalingChannel | undefined;
	#device: Device | undefined;
	#sendTransport: types.Transport | undefined;
	#recvTransport: types.Transport | undefined;
	#e2ee: E2eeSession | undefined;
	/** Between join() and leave(), also while asking the server whether it may enter. */
	#active = false;
	/** Counts joins: an answer that arrives after its join was left is not acted on. */
	#joinCount = 0;

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
		const tracks = new Map<string, MediaStreamTrack>();
		this.tracks = tracks;
		this.#ctx = this.#createContext(tracks);
		this.local = new LocalMedia(this.#ctx);
		this.chat = new ChatChannels(this.#ctx);
		this.remote = new RemoteMedia(this.#ctx, (peerId, label, message) => this.chat.receive(peerId, label, message));
		this.recording = new Recording(this.#ctx);
		this.throttle = new NetworkThrottle(this.#ctx);
		this.stats = new MediaStats(this.#ctx, {
			transport: (direction) => (direction === 'send' ? this.#sendTransport : this.#recvTransport),
			producer: (id) => this.local.producer(id),
			consumer: (id) => this.remote.consumer(id),
		});
		this.moderation = new Moderation(this.#ctx);
		this.#notificationHandlers = notificationHandlers(this.#ctx, this.remote, {
			closedForGood: (reason) => this.leave(reason, { forGood: true }),
			admitted: () => this.#enterFromLobby(),
			producerMutedByModerator: (producerId) => this.local.mutedByModerator(producerId),
			grantsChanged: (grants) => this.#grantsChanged(grants),
		});
	}

	#createContext(tracks: Map<string, MediaStreamTrack>): RoomContext {
		const need = <T>(value: T | undefined, what: string): T => {
			if (value === undefined) throw new Error(what);
			return value;
		};
		return {
			store: this.#store,
			options: this.#options,
			tracks,
			notifier: this.#notifier,
			signaling: () => need(this.#signaling, 'not connected'),
			device: () => need(this.#device, 'device not loaded'),
			sendTransport: () => need(this.#sendTransport, 'this page does not send media (produce=false)'),
			recvTransport: () => need(this.#recvTransport, 'this page does not receive media (consume=false)'),
			e2ee: () => this.#e2ee,
		};
	}

	// --- connection ----------------------------------------------------------

	/** Connects to the room (also after leaving); joins again every time the WebSocket opens. */
	join(): void {
		if (this.#active) return;
		this.#active = true;
		const joinCount = ++this.#joinCount;
		this.#dispatchState('connecting');
		void this.#askThenConnect(joinCount);
	}

	/**
	 * Leaves the room: the others see this peer go. Does nothing when not in
	 * it. `forGood`: a moderator closed the room to this page, so the closed
	 * screen offers no way back (and nothing reconnects: the socket is closed).
	 */
	leave(reason = 'You left the room', { forGood = false }: { forGood?: boolean } = {}): void {
		if (!this.#active) return;
		this.#active = false;
		this.#joinCount += 1;
		const signaling = this.#signaling;
		this.#signaling = undefined;
		signaling?.close();
		this.#closeTransports();
		this.#dispatchState('closed', reason, forGood);
	}

	/** GET /access first: a refusal is shown in the server's words instead of a WebSocket that keeps failing. */
	async #askThenConnect(joinCount: number): Promise<void> {
		const verdict = await this.#askAccess();
		if (joinCount !== this.#joinCount) return;
		if (verdict.kind === 'refused') {
			this.leave(refusalText(verdict.status, verdict.reason));
			return;
		}
		if (verdict.kind === 'allowed') this.#store.dispatch(accessActions.grantsReceived(verdict.grants));
		this.#connect();
	}

	#askAccess(): Promise<AccessVerdict> {
		const { roomId, peerId, consumerReplicas, token } = this.#options;
		return checkAccess(this.#serverLocation, { roomId, peerId, consumerReplicas, token });
	}

	#connect(): void {
		const { roomId, peerId, consumerReplicas, token } = this.#options;
		const url = protooUrl(this.#serverLocation, { roomId, peerId, consumerReplicas, token });
		const signaling = new SignalingChannel(url, {
			onOpen: () => {
				this.#joinRoom().catch((error: unknown) => this.#joinFailed(error));
			},
			onDisconnected: () => {
				this.#notifier.notify('error', 'Connection lost, reconnecting…');
				this.#closeTransports();
				this.#dispatchState('connecting');
			},
			onFailed: () => void this.#connectFailed(),
			onRequest: (request) => this.remote.onServerRequest(request),
			onNotification: (notification) => handleNotification(this.#notificationHandlers, notification),
			onProtocolError: (reason) => this.#notifier.notify('error', `Unexpected message from the server: ${reason}`),
		});
		// Closed by leave(), by the server (code 4000: protoo-client does not
		// retry), or by protoo-client once its retries are exhausted.
		signaling.observer.once('close', () => {
			if (this.#signaling === signaling) this.leave('The connection to the server was closed');
		});
		this.#signaling = signaling;
	}

	/**
	 * The WebSocket could not connect (protoo-client will retry): asks why. A
	 * refusal (the token expired meanwhile, the room filled up) ends the
	 * retries and says so; otherwise the server is unreachable for now.
	 */
	async #connectFailed(): Promise<void> {
		const joinCount = this.#joinCount;
		const verdict = await this.#askAccess();
		if (joinCount !== this.#joinCount) return;
		if (verdict.kind === 'refused') this.leave(refusalText(verdict.status, verdict.reason));
		else this.#notifier.notify('error', 'Cannot reach the server, retrying…');
	}

	#joinFailed(error: unknown): void {
		// Removed or denied meanwhile: the page already says why.
		if (!this.#active) return;
		this.#notifier.notify('error', `Could not join the room: ${errorMessage(error)}`);
		this.leave('Could not join the room');
	}

	#dispatchState(state: RoomConnectionState, reason?: string, forGood = false): void {
		this.#store.dispatch(roomActions.connectionStateChanged({ state, ...(reason ? { reason } : {}), forGood }));
	}

	async #joinRoom(): Promise<void> {
		const signaling = this.#ctx.signaling();
		await this.#startE2ee();
		const { handlerName, produce, consume } = this.#options;
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
		// Also without a publish grant: a moderator may grant it during the meeting.
		if (produce) this.#sendTransport = await this.#createTransport('send');
		if (consume) this.#recvTransport = await this.#createTransport('recv');
		await this.#enter();
	}

	/**
	 * `join` with the transports made: the page is in, or (a locked room)
	 * waits in the lobby, and sends `join` again when a moderator admits it.
	 */
	async #enter(): Promise<void> {
		const signaling = this.#ctx.signaling();
		const device = this.#ctx.device();
		const consume = this.#recvTransport !== undefined;
		const me = this.#store.getState().me;
		let joined: JoinResponse;
		try {
			joined = await signaling.request('join', {
				displayName: me.displayName,
				device: me.device,
				// Without them the server never sends us consumers (consume=false).
				rtpCapabilities: consume ? toWire.rtpCapabilities(device.rtpCapabilities) : undefined,
				sctpCapabilities: consume && this.#options.datachannel ? SCTP_CAPABILITIES : undefined,
			});
		} catch (error) {
			// lobbyEntered came just before this refusal: it means "wait", not "fail".
			if (this.#store.getState().room.state === 'lobby') return;
			throw error;
		}
		if (joined.grants) this.#store.dispatch(accessActions.grantsReceived(joined.grants));
		this.#store.dispatch(moderationActions.lockChanged(joined.locked ?? false));
		for (const peer of joined.peers) this.#store.dispatch(peersActions.peerAdded({ ...peer, joinedAt: Date.now() }));
		this.#dispatchState('connected');
		if (this.#sendTransport) await this.#startProducing();
	}

	#enterFromLobby(): void {
		this.#notifier.notify('info', 'A moderator let you in');
		this.#dispatchState('connecting');
		this.#enter().catch((error: unknown) => this.#joinFailed(error));
	}

	/** A moderator changed what this page may do: views follow the store; producers it no longer may have go. */
	#grantsChanged(grants: Grants): void {
		this.#store.dispatch(accessActions.grantsReceived(grants));
		this.local.grantsChanged(grants);
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

	/** What the page was asked to send, as far as the grants allow: nothing is tried that the server would refuse. */
	async #startProducing(): Promise<void> {
		const { mic, webcam, datachannel } = this.#options;
		const state = this.#store.getState();
		const { canSendMic, canSendWebcam } = state.me;
		const grants = selectGrants(state);
		// Each one on its own: a missing camera must not cost the microphone.
		const starts: Promise<void>[] = [];
		if (mic && canSendMic && selectMayPublish(state, 'mic')) starts.push(this.local.enableMic());
		if (webcam && canSendWebcam && selectMayPublish(state, 'webcam')) starts.push(this.local.enableWebcam());
		if (datachannel && grants.data) starts.push(this.chat.start());
		await Promise.all(starts);
		if (canPublish(grants)) void this.local.updateCanChangeWebcam();
	}

	/**
	 * Closes both transports and tells the parts, which forget what was on
	 * them; the store keeps only me and the room.
	 */
	#closeTransports(): void {
		this.#sendTransport?.close();
		this.#recvTransport?.close();
		this.#sendTransport = undefined;
		this.#recvTransport = undefined;
		this.local.transportClosed();
		this.remote.transportClosed();
		this.chat.transportClosed();
		this.#store.dispatch(peersActions.allPeersRemoved());
		this.#store.dispatch(moderationActions.reset());
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
			const request = signaling.request('connectWebRtcTransport', {
				transportId: transport.id,
				dtlsParameters: toWire.dtlsParameters(dtlsParameters),
			});
			answer(request, callback, errback);
		});
		transport.on('connectionstatechange', (state) => {
			if (state !== 'failed') return;
			this.#notifier.notify('error', `The ${direction} connection failed; try "Restart connection"`);
		});
		if (direction === 'send') this.#handleProduceEvents(transport, signaling);
		return transport;
	}

	/** mediasoup-client asks the app to tell the server about each new producer. */
	#handleProduceEvents(transport: types.Transport, signaling: SignalingChannel): void {
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			const request = signaling.request('produce', {
				transportId: transport.id,
				kind,
				rtpParameters: toWire.rtpParameters(rtpParameters),
				appData,
			});
			answer(request, callback, errback);
		});
		transport.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
			const request = signaling.request('produceData', {
				transportId: transport.id,
				sctpStreamParameters: toWire.sctpStreamParameters(sctpStreamParameters),
				label: label ?? '',
				protocol: protocol ?? '',
				appData,
			});
			answer(request, callback, errback);
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

	// --- this peer in the room, across its parts -----------------------------

	/**
	 * Audio only: my camera and every remote video stop, to save bandwidth
	 * (videos that arrive meanwhile come paused); off starts them again.
	 */
	async setAudioOnly(on: boolean): Promise<void> {
		this.#setFlag('audioOnlyInProgress', true);
		this.#setFlag('audioOnly', on);
		const state = this.#store.getState();
		if (on) await this.local.disableWebcam();
		else if (state.me.canSendWebcam && selectMayPublish(state, 'webcam')) await this.local.enableWebcam();
		const videos = this.remote.videoConsumerIds();
		await Promise.all(videos.map((id) => (on ? this.remote.pause(id) : this.remote.resume(id))));
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

	#setFlag(flag: MeFlag, value: boolean): void {
		this.#store.dispatch(meActions.flagSet({ flag, value }));
	}
}
