// Moderation and the lobby (ours, protocol/moderation.ts): what a joined peer
// with the roomAdmin grant may do to the others. Each request is refused
// before it changes anything: 403 naming roomAdmin, 403 when the moderator
// has not joined, 404 for a member that is not in the room (hidden peers
// count as not there: moderation must not reveal them), 409 for a state
// conflict. The member acted upon is told by a notification sent before its
// connection closes (protoo writes it to the socket at once, ahead of the
// WebSocket close frame). Hidden peers stay unannounced throughout.
import type { types } from 'mediasoup';
import { producerSource } from '../../protocol/access.ts';
import type { moderationRequests } from '../../protocol/moderation.ts';
import type { ClientRequest, GrantsChange } from '../../protocol/signaling.ts';
import { requireGrant } from '../auth/AccessControl.ts';
import { applyGrantsChange } from '../auth/grantsChange.ts';
import { createHttpError } from '../errors.ts';
import type { Participant } from './Participant.ts';
import { Peer } from './Peer.ts';
import type { Room } from './Room.ts';

export type ModerationRequest = Extract<ClientRequest, { method: keyof typeof moderationRequests }>;

export async function moderate(room: Room, moderator: Peer, request: ModerationRequest): Promise<undefined> {
	requireGrant(moderator.grants, 'roomAdmin', request.method);
	if (!moderator.joined) throw createHttpError(403, 'peer not yet joined');
	switch (request.method) {
		case 'muteProducer':
			await muteProducer(room, request.data.producerId);
			break;
		case 'removePeer':
			removeMember(room, moderator, request.data.peerId, request.data.reason);
			break;
		case 'setPeerGrants':
			setPeerGrants(room, moderator, request.data.peerId, request.data.grants);
			break;
		case 'lockRoom':
			lockRoom(room, request.data.locked);
			break;
		case 'admitPeer':
			room.lobby.admit(roomPeer(room, request.data.peerId));
			break;
		case 'denyPeer':
			room.lobby.deny(roomPeer(room, request.data.peerId));
			break;
		case 'endRoom':
			room.end();
			break;
	}
	room.log.info({ roomId: room.id, moderator: moderator.id, request: request.method }, 'moderation');
	return undefined;
}

/**
 * Pauses a member's producer on the server: its consumers stop and their
 * peers get consumerPaused. The owner (a peer) is told; it may resume it,
 * since having the producer means its grants allow the source.
 */
async function muteProducer(room: Room, producerId: string): Promise<void> {
	const owner = room.joinedMembers().find((member) => member.producers.has(producerId) && !isHidden(member));
	if (!owner) throw createHttpError(404, `producer with id "${producerId}" not found`);
	await owner.producer(producerId).pause();
	if (owner instanceof Peer) owner.notify('producerMutedByModerator', { producerId });
}

/**
 * removePeer: a peer is told why and disconnected; a broadcaster is closed.
 * Either way its identity may not come back while the room lives (a removed
 * peer whose app reconnected by itself would undo the moderator's decision).
 */
function removeMember(room: Room, moderator: Peer, memberId: string, reason: string): void {
	if (memberId === moderator.id) throw createHttpError(409, 'a moderator does not remove itself: leave the room');
	const member = room.broadcasters.get(memberId) ?? joinedPeer(room, memberId);
	room.moderation.remove(member.id);
	room.lobby.forget(member.id);
	if (member instanceof Peer) {
		member.notify('removedFromRoom', { reason, ended: false });
		member.closeFor('removed');
	} else member.close();
}

/**
 * setPeerGrants: the change is merged into the peer's grants, kept for its
 * identity (a reconnection gets it too), and the peer is told. What the new
 * grants no longer allow is closed at once; what they allow again is given.
 * A moderator does not change its own grants: they are its token's, and
 * giving up roomAdmin by mistake could leave the room without a moderator.
 */
function setPeerGrants(room: Room, moderator: Peer, peerId: string, change: GrantsChange): void {
	if (peerId === moderator.id)
		throw createHttpError(409, "a moderator does not change its own grants (they are its token's)");
	const peer = joinedPeer(room, peerId);
	const before = peer.grants;
	peer.grants = applyGrantsChange(before, change);
	room.moderation.changeGrants(peer.id, change);
	peer.notify('grantsChanged', { grants: peer.grants });
	closeUnpublishable(peer);
	if (before.subscribe !== peer.grants.subscribe) {
		if (peer.grants.subscribe) room.subscribeToAll(peer);
		else closeConsumers(peer);
	}
	if (before.data !== peer.grants.data) {
		if (peer.grants.data) room.subscribeToAllData(peer);
		else closeDataChannels(peer);
	}
	if (!before.roomAdmin && peer.grants.roomAdmin) room.lobby.tellWaiting(peer);
}

/** The producers of sources the peer may no longer publish (the others' consumers get consumerClosed). */
function closeUnpublishable(peer: Peer): void {
	for (const producer of [...peer.producers.values()]) {
		if (!peer.grants.publish.includes(producerSource(producer.kind, producer.appData))) producer.close();
	}
}

function closeConsumers(peer: Peer): void {
	for (const consumer of peer.consumers.values()) closeConsumer(peer, consumer);
}

function closeConsumer(peer: Peer, consumer: types.Consumer): void {
	consumer.close();
	peer.notify('consumerClosed', { consumerId: consumer.id });
}

/** Its data producers (the others' data consumers of them close) and its data consumers. */
function closeDataChannels(peer: Peer): void {
	for (const dataProducer of [...peer.dataProducers.values()]) dataProducer.close();
	for (const dataConsumer of [...peer.dataConsumers.values()]) {
		dataConsumer.close();
		peer.notify('dataConsumerClosed', { dataConsumerId: dataConsumer.id });
	}
}

/** Every joined peer learns of a change; unlocking lets everyone waiting in. */
function lockRoom(room: Room, locked: boolean): void {
	if (!room.lobby.setLocked(locked)) return;
	for (const peer of room.joinedPeers()) peer.notify('roomLockChanged', { locked });
}

/** A connected peer of the room, or a 404 (hidden peers are not there for moderation). */
function roomPeer(room: Room, peerId: string): Peer {
	const peer = room.peers.get(peerId);
	if (!peer || peer.hidden) throw createHttpError(404, `peer with id "${peerId}" not found`);
	return peer;
}

/** A peer in the room (joined): a 409 for one still waiting in the lobby. */
function joinedPeer(room: Room, peerId: string): Peer {
	const peer = roomPeer(room, peerId);
	if (room.lobby.isWaiting(peer)) {
		throw createHttpError(409, `peer "${peerId}" is waiting in the lobby: admit or deny it`);
	}
	if (!peer.joined) throw createHttpError(404, `peer with id "${peerId}" not found`);
	return peer;
}

function isHidden(member: Participant): boolean {
	return member instanceof Peer && member.hidden;
}
