// What the page does with each notification the server sends: one handler
// per method of protocol/serverNotifications.ts. The table's type names every
// method, so a notification added to the protocol does not compile here until
// it has a handler. SignalingChannel has validated the data before any handler
// sees it.
import type { Grants } from '../../protocol/access.ts';
import type { CloseReason, SessionResumed } from '../../protocol/session.ts';
import type { ServerNotificationData, ServerNotificationMethod } from '../../protocol/signaling.ts';
import { selectPeer } from '../store/selectors.ts';
import { consumersActions } from '../store/slices/consumers.ts';
import { moderationActions } from '../store/slices/moderation.ts';
import { peersActions } from '../store/slices/peers.ts';
import { producersActions } from '../store/slices/producers.ts';
import { roomActions } from '../store/slices/room.ts';
import { deniedText, MEETING_ENDED_TEXT, removedText } from './closedReasons.ts';
import type { RemoteMedia } from './RemoteMedia.ts';
import type { RoomContext } from './RoomContext.ts';

export type NotificationHandlers = {
	[M in ServerNotificationMethod]: (data: ServerNotificationData<M>) => void;
};

/** What the handlers touch besides the store and toasts: what this page receives. */
export type ClosedByServer = Pick<
	RemoteMedia,
	'peerClosed' | 'consumerClosed' | 'dataConsumerClosed' | 'remotePauseChanged'
>;

/** What the moderators' decisions act on: this page's stay in the room and what it sends (RoomClient). */
export interface ModeratedSession {
	/** Removed, denied, or the meeting ended: the server closes the connection next; leave and stay out. */
	closedForGood(reason: string): void;
	/** Let in from the lobby: join again. */
	admitted(): void;
	/** A moderator paused one of my producers on the server. */
	producerMutedByModerator(producerId: string): void;
	/** What I may do changed; the server closed the producers it no longer allows. */
	grantsChanged(grants: Grants): void;
	/** The server closes the connection next, and says why: whether to come back depends on it. */
	closing(reason: CloseReason): void;
	/** The first message of a resumed session: what the server has now. */
	sessionResumed(state: SessionResumed): void;
}

export function notificationHandlers(
	ctx: Pick<RoomContext, 'store' | 'notifier'>,
	remote: ClosedByServer,
	session: ModeratedSession,
): NotificationHandlers {
	const { dispatch, getState } = ctx.store;
	const toast = (text: string) => ctx.notifier.notify('info', text);
	return {
		'mediasoup-version': ({ version }) => dispatch(roomActions.mediasoupVersionReceived(version)),
		newPeer: (peer) => {
			dispatch(peersActions.peerAdded({ ...peer, joinedAt: Date.now() }));
			toast(`${peer.displayName || peer.id} joined`);
		},
		peerClosed: ({ peerId }) => {
			const peer = selectPeer(getState(), peerId);
			remote.peerClosed(peerId);
			dispatch(peersActions.peerRemoved(peerId));
			if (peer) toast(`${peer.displayName || peer.id} left`);
		},
		peerDisplayNameChanged: ({ peerId, displayName, oldDisplayName }) => {
			dispatch(peersActions.peerDisplayNameChanged({ peerId, displayName }));
			toast(`${oldDisplayName || peerId} is now ${displayName}`);
		},
		producerScore: ({ producerId, score }) =>
			dispatch(producersActions.producerScoreChanged({ id: producerId, score })),
		consumerScore: ({ consumerId, score }) =>
			dispatch(consumersActions.consumerScoreChanged({ id: consumerId, score })),
		consumerClosed: ({ consumerId }) => remote.consumerClosed(consumerId),
		consumerPaused: ({ consumerId }) => remote.remotePauseChanged(consumerId, true),
		consumerResumed: ({ consumerId }) => remote.remotePauseChanged(consumerId, false),
		consumerLayersChanged: ({ consumerId, spatialLayer, temporalLayer }) =>
			dispatch(consumersActions.consumerCurrentLayersChanged({ id: consumerId, spatialLayer, temporalLayer })),
		dataConsumerClosed: ({ dataConsumerId }) => remote.dataConsumerClosed(dataConsumerId),
		activeSpeaker: (data) =>
			dispatch(
				roomActions.activeSpeakerChanged({ peerId: data.peerId, volume: 'volume' in data ? data.volume : null }),
			),
		downlinkBwe: (bwe) => dispatch(roomActions.downlinkBweReceived(bwe)),
		recordingStarted: ({ startedAt }) => {
			dispatch(roomActions.recordingChanged(startedAt));
			toast('This room is being recorded');
		},
		recordingStopped: ({ files }) => {
			dispatch(roomActions.recordingChanged(null));
			toast(`Recording stopped (${files.length} files)`);
		},
		// Access control (ours): what moderators decide, as this page lives it.
		grantsChanged: ({ grants }) => {
			session.grantsChanged(grants);
			toast('A moderator changed what you may do');
		},
		producerMutedByModerator: ({ producerId }) => session.producerMutedByModerator(producerId),
		removedFromRoom: ({ reason, ended }) => session.closedForGood(ended ? MEETING_ENDED_TEXT : removedText(reason)),
		roomLockChanged: ({ locked }) => {
			dispatch(moderationActions.lockChanged(locked));
			toast(locked ? 'The room is locked: newcomers wait in the lobby' : 'The room is unlocked');
		},
		// The join is refused next; the page waits until a moderator decides.
		lobbyEntered: () => dispatch(roomActions.connectionStateChanged({ state: 'lobby' })),
		lobbyAdmitted: () => session.admitted(),
		lobbyDenied: ({ reason }) => session.closedForGood(deniedText(reason)),
		lobbyPeerWaiting: ({ peerId, displayName }) => {
			dispatch(moderationActions.lobbyPeerWaiting({ id: peerId, displayName, since: Date.now() }));
			toast(`${displayName || peerId} is waiting in the lobby`);
		},
		lobbyPeerLeft: ({ peerId }) => dispatch(moderationActions.lobbyPeerLeft(peerId)),
		// Sessions (ours, protocol/session.ts): the app's reconnection builds on these.
		closing: ({ reason }) => session.closing(reason),
		// The tile stays, marked: the peer is kept for its grace period.
		peerReconnecting: ({ peerId }) => dispatch(peersActions.peerReconnectingChanged({ peerId, reconnecting: true })),
		peerReconnected: ({ peerId }) => dispatch(peersActions.peerReconnectingChanged({ peerId, reconnecting: false })),
		sessionResumed: (state) => session.sessionResumed(state),
	};
}

/** Hands a validated notification to its handler. */
export function handleNotification<M extends ServerNotificationMethod>(
	handlers: NotificationHandlers,
	notification: { method: M; data: ServerNotificationData<M> },
): void {
	handlers[notification.method](notification.data);
}
