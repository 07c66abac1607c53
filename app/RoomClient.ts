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
// why), joins, may wait in the lobby of a locked room, may lose its
// connection and get back in by itself (a Reconnector: it resumes its session
// with the join answer's secret, keeping transports and tiles, or joins anew
// and sends again what it sent), leaves or is removed, and may join again
// unless a moderator closed the room to it. What one connection owns, the
// SignalingChannel and its Heartbeat, closes the way every owner in the app
// does (lifecycle/Closable.ts).
import { Device, type types } from 'mediasoup-client';
import { canPublish, type Grants } from '../protocol/access.ts';
import type { CloseReason, RoomPeer, SessionResumed } from '../protocol/session.ts';
import type { JoinResponse } from '../protocol/signaling.ts';
import { rememberDisplayName } from './config/displayName.ts';
import type { UrlOptions } from './config/urlOptions.ts';
import { E2eeSession } from './e2ee/E2eeSession.ts';
import { fromWire, toWire } from './media/wireTypes.ts';
import { ChatChannels } from './room/ChatChannels.ts';
import { CLOSE_REASON_TEXT, closedForGoodBy, reconnectsAfter, refusalText } from './room/closedReasons.ts';
import { errorMessage, toError } from './room/errors.ts';
import { Heartbeat, PROBE_TIMEOUT_MS, QUICK_PROBE_TIMEOUT_MS } from './room/Heartbeat.ts';
import { IceServers } from './room/IceServers.ts';
import { type KeptSendState, keptSendState } from './room/keptSendState.ts';
import { LocalMedia } from './room/LocalMedia.ts';
import { MediaStats } from './room/MediaStats.ts';
import { MediaWatchdog } from './room/MediaWatchdog.ts';
import { Moderation } from './room/Moderation.ts';
import { NetworkThrottle } from './room/NetworkThrottle.ts';
import { NetworkWatch } from './room/NetworkWatch.ts';
import { Notifier } from './room/Notifier.ts';
import { handleNotification, type NotificationHandlers, notificationHandlers } from './room/notificationHandlers.ts';
import { Reconnector } from './room/Reconnector.ts';
import { Recording } from './room/Recording.ts';
import { RemoteMedia } from './room/RemoteMedia.ts';
import type { RoomContext, TransportDirection } from './room/RoomContext.ts';
import { type AccessVerdict, checkAccess } from './signaling/accessCheck.ts';
import { SignalingChannel } from './signaling/SignalingChannel.ts';
import { protooUrl } from './signaling/serverUrl.ts';
import { selectGrants, selectMayPublish, selectPeer, selectPeers } from './store/selectors.ts';
import { accessActions } from './store/slices/access.ts';
import { meActions } from './store/slices/me.ts';
import { moderationActions } from './store/slices/moderation.ts';
import { peersActions } from './store/slices/peers.ts';
import type { MediaSource } from './store/slices/producers.ts';
import { type RoomConnectionState, roomActions } from './store/slices/room.ts';
import type { AppStore } from './store/store.ts';

/**
 * mediasoup-client 3.24 no longer reports SCTP capabilities, but their
 * presence in createWebRtcTransport and join is what asks the server for data
 * channels (PROTOCOL.md), so the classic values are sent.
 */
const SCTP_CAPABILITIES = { numStreams: { OS: 1024, MIS: 1024 } };

type MeFlag = 'audioOnly' | 'audioOnlyInProgress' | 'restartIceInProgress';

/** How one WebSocket of an attempt ended: in the room, never opened, or dropped before it got in. */
type ConnectOutcome = 'in' | 'refused' | 'lost';

/**
 * How long a transport has, after a resume, to show it receives again on
 * its path before ICE restarts on it: while video flows either way the
 * server's RTP or RTCP comes several times a second (an audio-only
 * transport may show nothing in this time, and gets the restart it always
 * got).
 */
const RECEIVING_CHECK_MS = 1500;

const GAVE_UP_TEXT = 'Could not get back into the room: check your network, then rejoin';
const UNREACHABLE_TEXT = 'Could not reach the server: check your network, then rejoin';

/**
 * The bytes a transport's peer connection received: its `transport` stats
 * (Chromium, Safari), or its candidate pairs' where there are none (Firefox).
 */
function receivedBytesOf(report: RTCStatsReport): number {
	let transports = 0;
	let pairs = 0;
	let sawTransport = false;
	report.forEach((stats: { type: string; bytesReceived?: number }) => {
		if (stats.type === 'transport') {
			sawTransport = true;
			transports += stats.bytesReceived ?? 0;
		} else if (stats.type === 'candidate-pair') pairs += stats.bytesReceived ?? 0;
	});
	return sawTransport ? transports : pairs;
}

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
	/** The TURN credentials of the transports, kept fresh while they live. */
	#iceServers: IceServers | undefined;
	#e2ee: E2eeSession | undefined;
	/** Between join() and leave(), also while asking the server whether it may enter. */
	#active = false;
	/** Counts joins: an answer that arrives after its join was left is not acted on. */
	#joinCount = 0;
	/** Runs the attempts to get (back) in; none while in the room. */
	#reconnector: Reconnector | undefined;
	/** What the server's `closing` said about the current connection; null: it said nothing (yet). */
	#closeReason: CloseReason | null = null;
	/** The join answer's secret: presented to take this session up again after a drop. */
	#resumeSecret: string | undefined;
	/** Settles the attempt that waits for sessionResumed. */
	#pendingResume: (() => void) | undefined;
	/** What the page sent when its session was lost, to send again in a new one. */
	#kept: KeptSendState | undefined;
	readonly #watchdog: MediaWatchdog;
	#heartbeat: Heartbeat | undefined;
	/** A connection that stopped answering, kept open until the session goes on without it. */
	#abandoned: SignalingChannel | undefined;
	/** Signs that the network went or came back, between join() and leave(). */
	#networkWatch: NetworkWatch | undefined;
	/** The connection a quick probe runs on: signs in a row do not stack probes. */
	#probing: SignalingChannel | undefined;
	/** The connection answered a quick probe after the last sign that the network went: no need to ask again when it is back. */
	#answeredSinceGone = false;

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
			closing: (reason) => {
				this.#closeReason = reason;
			},
			sessionResumed: (resumed) => this.#sessionResumed(resumed),
		});
		this.#watchdog = new MediaWatchdog({
			repair: (transport) => void this.#repairMedia(transport),
			gaveUp: () => this.#rejoin('The media connection could not be restored: joining again'),
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

	/**
	 * Connects to the room (also after leaving). Every connection, the first
	 * one too, is an attempt of a Reconnector: a server that cannot be reached
	 * yet is tried again with backoff, then the page says it gave up.
	 */
	join(): void {
		if (this.#active) return;
		this.#active = true;
		this.#joinCount += 1;
		this.#dispatchState('connecting');
		this.#startNetworkWatch();
		this.#startAttempts();
	}

	/**
	 * Leaves the room: the others see this peer go. Does nothing when not in
	 * it. `forGood`: a moderator closed the room to this page, so the closed
	 * screen offers no way back (and nothing reconnects).
	 */
	leave(reason = 'You left the room', { forGood = false }: { forGood?: boolean } = {}): void {
		if (!this.#active) return;
		this.#active = false;
		this.#joinCount += 1;
		this.#reconnector?.close();
		this.#reconnector = undefined;
		this.#networkWatch?.close();
		this.#networkWatch = undefined;
		this.#stopWatching();
		const signaling = this.#signaling;
		this.#signaling = undefined;
		signaling?.close();
		this.#closeAbandoned();
		this.#resumeSecret = undefined;
		this.#pendingResume = undefined;
		if (forGood) this.#kept = undefined;
		this.#closeTransports();
		this.#dispatchState('closed', reason, forGood);
	}

	#startAttempts(): void {
		const joinCount = this.#joinCount;
		this.#reconnector?.close();
		this.#reconnector = new Reconnector({
			attempt: (_attempt, signal) => this.#attempt(joinCount, signal),
			waiting: (attempt, delayMs) => this.#showAttempt(attempt, delayMs),
			gaveUp: () => {
				if (joinCount !== this.#joinCount) return;
				const wasIn = this.#store.getState().room.state === 'reconnecting';
				this.leave(wasIn ? GAVE_UP_TEXT : UNREACHABLE_TEXT);
			},
		});
	}

	/** What the banner says while getting back in. */
	#showAttempt(attempt: number, delayMs: number): void {
		if (this.#store.getState().room.state !== 'reconnecting') return;
		const what = this.#resumeSecret !== undefined ? 'resuming your session' : 'joining the room again';
		const when = delayMs >= 1000 ? ` in ${Math.round(delayMs / 1000)} s` : '';
		const which = attempt > 0 ? ` (attempt ${attempt + 1})` : '';
		this.#store.dispatch(roomActions.reconnectStatusChanged(`Connection lost: ${what}${when}${which}`));
	}

	/**
	 * One attempt to be in the room: asks the server first (GET /access, with
	 * the resume secret when there is a session: a browser cannot read why a
	 * handshake was refused), then resumes the session, or joins anew when
	 * there is none or the server no longer has it (410). A refusal is shown
	 * in the server's words and ends the attempts. True when settled.
	 * `signal`: the attempt was hurried, the access check stops waiting.
	 */
	async #attempt(joinCount: number, signal: AbortSignal): Promise<boolean> {
		const secret = this.#resumeSecret;
		let verdict = await this.#askAccess(secret, signal);
		if (joinCount !== this.#joinCount) return true;
		if (verdict.kind === 'expired') {
			// The session is gone (its grace period ended, the server restarted): a new one.
			this.#forgetSession();
			this.#showAttempt(0, 0);
			verdict = await this.#askAccess(undefined, signal);
			if (joinCount !== this.#joinCount) return true;
		}
		// Still no network: a WebSocket would hang as long; the next attempt may find it.
		// A draining server (503) takes nobody new: the next attempt may find its successor.
		if (verdict.kind === 'unreachable' || verdict.kind === 'expired' || verdict.kind === 'unavailable') return false;
		if (verdict.kind === 'refused') {
			this.leave(refusalText(verdict.status, verdict.reason));
			return true;
		}
		if (verdict.kind === 'allowed') this.#store.dispatch(accessActions.grantsReceived(verdict.grants));
		const outcome = await this.#connect(this.#resumeSecret);
		return joinCount !== this.#joinCount || outcome === 'in';
	}

	/** With `resume`, the server also says whether that session is still there (410 when not). */
	#askAccess(resume: string | undefined, signal: AbortSignal): Promise<AccessVerdict> {
		const { roomId, peerId, consumerReplicas, token } = this.#options;
		return checkAccess(this.#serverLocation, { roomId, peerId, consumerReplicas, token, resume }, signal);
	}

	/**
	 * One WebSocket: with `resume`, takes up the session again (settled
	 * 'in' on sessionResumed); without, joins anew (settled 'in' once joined
	 * or in the lobby). 'refused' when it never opened, 'lost' when it
	 * dropped before. Once settled, a drop is a lost session (#sessionLost).
	 */
	#connect(resume: string | undefined): Promise<ConnectOutcome> {
		const { roomId, peerId, consumerReplicas, token } = this.#options;
		const url = protooUrl(this.#serverLocation, { roomId, peerId, consumerReplicas, token, resume });
		this.#closeReason = null;
		return new Promise((settle) => {
			let settled = false;
			const finish = (outcome: ConnectOutcome) => {
				if (settled) return;
				settled = true;
				settle(outcome);
			};
			const signaling = new SignalingChannel(url, {
				onOpen: () => {
					if (resume !== undefined) this.#pendingResume = () => finish('in');
					else
						this.#joinRoom().then(
							() => finish('in'),
							(error: unknown) => this.#joinFailed(error, finish),
						);
				},
				onLost: (opened) => {
					if (this.#signaling !== signaling) return;
					this.#signaling = undefined;
					this.#pendingResume = undefined;
					if (settled) this.#sessionLost();
					else finish(opened ? 'lost' : 'refused');
				},
				onRequest: (request) => this.remote.onServerRequest(request),
				onNotification: (notification) => handleNotification(this.#notificationHandlers, notification),
				onProtocolError: (reason) => this.#notifier.notify('error', `Unexpected message from the server: ${reason}`),
			});
			this.#signaling?.close();
			this.#signaling = signaling;
		});
	}

	/** The join failed on a live connection: the page says so and leaves (removed or denied meanwhile: it already did). */
	#joinFailed(error: unknown, finish: (outcome: ConnectOutcome) => void): void {
		// The connection dropped during the join: the attempt failed, not the join.
		if (this.#signaling === undefined) {
			finish('lost');
			return;
		}
		finish('in');
		if (!this.#active) return;
		this.#notifier.notify('error', `Could not join the room: ${errorMessage(error)}`);
		this.leave('Could not join the room');
	}

	/**
	 * The connection of a joined page ended. After a moderator's decision or
	 * another tab taking over, the page stays out; otherwise it gets back in
	 * by itself: resuming its session when the network went (the server keeps
	 * it for a grace period), joining anew when the server said its session is
	 * gone (restart, worker death).
	 */
	#sessionLost(): void {
		if (!this.#active) return;
		const reason = this.#closeReason;
		if (reason !== null && !reconnectsAfter(reason)) {
			this.leave(CLOSE_REASON_TEXT[reason], { forGood: closedForGoodBy(reason) });
			return;
		}
		this.#stopWatching();
		const { room } = this.#store.getState();
		if (room.state === 'connected') this.#kept ??= keptSendState(this.#store.getState());
		if (reason !== null || room.state !== 'connected') this.#forgetSession();
		this.#notifier.notify('error', reason === null ? 'Connection lost' : CLOSE_REASON_TEXT[reason]);
		this.#dispatchState('reconnecting');
		this.#startAttempts();
	}

	/** The session cannot be resumed: what it had goes (what the page sent is kept, to send again). */
	#forgetSession(): void {
		const state = this.#store.getState();
		if (state.room.state === 'connected' || state.room.state === 'reconnecting') {
			this.#kept ??= keptSendState(state);
		}
		this.#resumeSecret = undefined;
		this.#pendingResume = undefined;
		this.#closeAbandoned();
		this.#closeTransports();
	}

	/** Media could not be repaired on this session: a new one, over a new connection. */
	#rejoin(why: string): void {
		if (!this.#active || this.#store.getState().room.state !== 'connected') return;
		this.#notifier.notify('error', why);
		this.#stopWatching();
		this.#forgetSession();
		const signaling = this.#signaling;
		this.#signaling = undefined;
		signaling?.close();
		this.#dispatchState('reconnecting');
		this.#startAttempts();
	}

	#dispatchState(state: RoomConnectionState, reason?: string, forGood = false): void {
		this.#store.dispatch(roomActions.connectionStateChanged({ state, ...(reason ? { reason } : {}), forGood }));
	}

	async #joinRoom(): Promise<void> {
		const signaling = this.#ctx.signaling();
		// What an earlier attempt made before its connection dropped belongs to no session.
		this.#closeTransports();
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
		const iceServers = produce || consume ? await this.#startIceServers() : [];
		// Also without a publish grant: a moderator may grant it during the meeting.
		if (produce) this.#sendTransport = await this.#createTransport('send', iceServers);
		if (consume) this.#recvTransport = await this.#createTransport('recv', iceServers);
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
		this.#resumeSecret = joined.resumeSecret;
		this.#closeAbandoned();
		if (joined.grants) this.#store.dispatch(accessActions.grantsReceived(joined.grants));
		this.#store.dispatch(moderationActions.lockChanged(joined.locked ?? false));
		for (const peer of joined.peers) this.#store.dispatch(peersActions.peerAdded({ ...peer, joinedAt: Date.now() }));
		this.#dispatchState('connected');
		this.#startHeartbeat(signaling);
		if (this.#sendTransport) await this.#startProducing();
	}

	#enterFromLobby(): void {
		this.#notifier.notify('info', 'A moderator let you in');
		this.#dispatchState('connecting');
		this.#enter().catch((error: unknown) => this.#joinFailed(error, () => {}));
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

	/**
	 * What the page was asked to send (the URL flags), or after a lost
	 * session what it sent then, as far as the grants allow: nothing is tried
	 * that the server would refuse.
	 */
	async #startProducing(): Promise<void> {
		const { mic, webcam, datachannel } = this.#options;
		const state = this.#store.getState();
		const { canSendMic, canSendWebcam } = state.me;
		const grants = selectGrants(state);
		const kept = this.#kept ?? { mic: mic ? 'on' : 'off', webcam, share: false, displayName: state.me.displayName };
		this.#kept = undefined;
		if (kept.share) this.#store.dispatch(roomActions.shareToRestoreChanged(true));
		const may = (source: MediaSource) =>
			(source === 'mic' ? canSendMic : canSendWebcam) && selectMayPublish(this.#store.getState(), source);
		// Each one on its own: a missing camera must not cost the microphone.
		const starts: Promise<void>[] = [this.local.restore(kept, may)];
		if (datachannel && grants.data) starts.push(this.chat.start());
		await Promise.all(starts);
		if (canPublish(grants)) void this.local.updateCanChangeWebcam();
	}

	/**
	 * Closes both transports and tells the parts, which forget what was on
	 * them; the store keeps only me and the room.
	 */
	#closeTransports(): void {
		this.#iceServers?.close();
		this.#iceServers = undefined;
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

	/** The session's TURN credentials, kept fresh from now on; the first ones for the transports about to be made. */
	async #startIceServers(): Promise<RTCIceServer[]> {
		this.#iceServers?.close();
		this.#iceServers = new IceServers({
			signaling: () => this.#ctx.signaling(),
			transports: () => [this.#sendTransport, this.#recvTransport].filter((transport) => transport !== undefined),
		});
		const iceServers = await this.#iceServers.refresh();
		if (this.#options.forceRelay && iceServers.length === 0) {
			this.#notifier.notify('error', 'forceRelay: this server offers no TURN relay, so no media can flow');
		}
		return iceServers;
	}

	async #createTransport(direction: TransportDirection, iceServers: RTCIceServer[]): Promise<types.Transport> {
		const signaling = this.#ctx.signaling();
		const device = this.#ctx.device();
		const info = await signaling.request('createWebRtcTransport', {
			forceTcp: this.#options.forceTcp,
			producing: direction === 'send',
			consuming: direction === 'recv',
			sctpCapabilities: this.#options.datachannel ? SCTP_CAPABILITIES : undefined,
		});
		const options = {
			...fromWire.transportOptions(info),
			iceServers,
			// forceRelay (ours): only TURN candidates, to see that the relay works.
			iceTransportPolicy: this.#options.forceRelay ? 'relay' : 'all',
		} satisfies types.TransportOptions;
		const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			const request = signaling.request('connectWebRtcTransport', {
				transportId: transport.id,
				dtlsParameters: toWire.dtlsParameters(dtlsParameters),
			});
			answer(request, callback, errback);
		});
		this.#watchdog.watch(transport);
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
				if (transport) await this.#restartTransportIce(transport);
			}
			this.#notifier.notify('info', 'ICE restarted');
		} catch (error) {
			this.#notifier.notify('error', `ICE restart failed: ${errorMessage(error)}`);
		} finally {
			this.#setFlag('restartIceInProgress', false);
		}
	}

	/**
	 * New ICE credentials from the server, given to the browser: it finds a
	 * path again. The browser gathers anew, so it gets fresh TURN credentials
	 * first: the ones it had may have expired during a long call.
	 */
	async #restartTransportIce(transport: types.Transport): Promise<void> {
		const [iceParameters] = await Promise.all([
			this.#ctx.signaling().request('restartIce', { transportId: transport.id }),
			this.#iceServers?.refresh(),
		]);
		await transport.restartIce({ iceParameters: fromWire.iceParameters(iceParameters) });
	}

	/**
	 * A transport lost its path to the server. When the signaling does not
	 * answer either, the whole connection went: it is resumed. Otherwise ICE
	 * restarts on that transport; if even that fails, the page rejoins.
	 */
	async #repairMedia(transport: types.Transport): Promise<void> {
		const signaling = this.#signaling;
		if (!signaling || this.#store.getState().room.state !== 'connected') return;
		if (!(await signaling.probe(PROBE_TIMEOUT_MS))) {
			this.#connectionDead(signaling);
			return;
		}
		this.#notifier.notify('info', 'The media connection dropped: restarting it');
		try {
			await this.#restartTransportIce(transport);
		} catch (error) {
			this.#rejoin(`The media connection could not be restored (${errorMessage(error)}): joining again`);
		}
	}

	/** From now on, a connection that stops answering counts as lost (Heartbeat). */
	#startHeartbeat(signaling: SignalingChannel): void {
		this.#heartbeat?.close();
		this.#heartbeat = new Heartbeat(signaling, () => this.#connectionDead(signaling));
	}

	/**
	 * The server stopped answering on this connection: the session is lost,
	 * and resumed over a new one. This one is abandoned, not closed, until
	 * then (SignalingChannel.abandon says why).
	 */
	#connectionDead(signaling: SignalingChannel): void {
		if (this.#signaling !== signaling) return;
		this.#signaling = undefined;
		this.#closeAbandoned();
		signaling.abandon();
		this.#abandoned = signaling;
		this.#sessionLost();
	}

	/**
	 * Between join() and leave(): signs that the network went (the connection
	 * is checked at once, not at the next heartbeat) or came back (the
	 * attempts to get back in go at once, not after their backoff wait; a
	 * connection the page still counts as open is checked).
	 */
	#startNetworkWatch(): void {
		this.#networkWatch?.close();
		this.#networkWatch = new NetworkWatch(
			() => this.#bytesReceived(),
			{
				gone: () => {
					this.#answeredSinceGone = false;
					this.#checkConnection();
				},
				back: () => {
					if (this.#reconnector && !this.#reconnector.closed) this.#reconnector.hurry();
					else if (!this.#answeredSinceGone) this.#checkConnection();
				},
			},
			{ events: typeof window === 'undefined' ? undefined : window },
		);
	}

	/** What the media transports received so far (undefined: there are none). */
	async #bytesReceived(): Promise<number | undefined> {
		const transports = [this.#sendTransport, this.#recvTransport].filter(
			(transport): transport is types.Transport => transport !== undefined && !transport.closed,
		);
		if (transports.length === 0) return undefined;
		let total = 0;
		for (const transport of transports) total += receivedBytesOf(await transport.getStats());
		return total;
	}

	/** A connected page's connection that does not answer at once is resumed over a new one. */
	#checkConnection(): void {
		const signaling = this.#signaling;
		if (!signaling || this.#probing === signaling || this.#store.getState().room.state !== 'connected') return;
		this.#probing = signaling;
		void signaling.probe(QUICK_PROBE_TIMEOUT_MS).then((alive) => {
			if (this.#probing === signaling) this.#probing = undefined;
			if (alive) this.#answeredSinceGone = true;
			else if (!signaling.closed) this.#connectionDead(signaling);
		});
	}

	/** The session went on over a new connection, or it is over: the abandoned one may close now. */
	#closeAbandoned(): void {
		this.#abandoned?.close();
		this.#abandoned = undefined;
	}

	#stopWatching(): void {
		this.#heartbeat?.close();
		this.#heartbeat = undefined;
	}

	// --- a resumed session ---------------------------------------------------

	/**
	 * The server took this page's session up again: everything stays (the
	 * Device, transports, producers, consumers, tiles); what changed while
	 * away is reconciled with what the server has; ICE restarts on each
	 * transport, as the network path is probably a new one.
	 */
	#sessionResumed(resumed: SessionResumed): void {
		const settle = this.#pendingResume;
		this.#pendingResume = undefined;
		if (!settle) return;
		const { dispatch } = this.#store;
		this.#grantsChanged(resumed.grants);
		dispatch(moderationActions.lockChanged(resumed.locked));
		if (resumed.lobby)
			dispatch(
				moderationActions.lobbyReplaced(resumed.lobby.map(({ peerId, displayName }) => ({ id: peerId, displayName }))),
			);
		this.#reconcilePeers(resumed.peers);
		void this.local.reconcile(resumed.producers);
		this.remote.reconcile(resumed.consumers, resumed.dataConsumers);
		this.#kept = undefined;
		this.#closeAbandoned();
		this.#watchdog.forgive();
		this.#dispatchState('connected');
		const signaling = this.#signaling;
		if (signaling) this.#startHeartbeat(signaling);
		this.#notifier.notify('info', 'Reconnected');
		void this.#restartIceAfterResume();
		settle();
	}

	#reconcilePeers(peers: readonly RoomPeer[]): void {
		const { dispatch, getState } = this.#store;
		const present = new Set(peers.map((peer) => peer.id));
		for (const peer of selectPeers(getState())) {
			if (present.has(peer.id)) continue;
			this.remote.peerClosed(peer.id);
			dispatch(peersActions.peerRemoved(peer.id));
		}
		for (const peer of peers) {
			const joinedAt = selectPeer(getState(), peer.id)?.joinedAt ?? Date.now();
			dispatch(peersActions.peerAdded({ ...peer, reconnecting: peer.reconnecting ?? false, joinedAt }));
		}
	}

	/**
	 * After a resume, ICE restarts on each transport that still receives
	 * nothing (its path probably went with the old network: a new address, a
	 * new interface). One that receives again keeps its path: restarting it
	 * makes the browser look for a path again and move its media to a new
	 * candidate pair just as it recovers on this one (the reconnect bench's
	 * network came back with the path it had: after a resume the server saw
	 * both of Bob's transports switch to new pairs). A path that goes bad
	 * later is the MediaWatchdog's.
	 */
	async #restartIceAfterResume(): Promise<void> {
		const signaling = this.#signaling;
		const transports = [this.#sendTransport, this.#recvTransport].filter(
			(transport): transport is types.Transport => transport !== undefined && !transport.closed,
		);
		try {
			const before = await Promise.all(
				transports.map(async (transport) => receivedBytesOf(await transport.getStats())),
			);
			await new Promise((resolve) => setTimeout(resolve, RECEIVING_CHECK_MS));
			// Lost again meanwhile, or left: the next resume (or nothing) decides.
			if (this.#signaling !== signaling || this.#store.getState().room.state !== 'connected') return;
			for (const [index, transport] of transports.entries()) {
				if (transport.closed) continue;
				const after = receivedBytesOf(await transport.getStats());
				if (after > (before[index] ?? 0)) continue;
				await this.#restartTransportIce(transport);
			}
		} catch (error) {
			this.#rejoin(`The media connection could not be restored (${errorMessage(error)}): joining again`);
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
