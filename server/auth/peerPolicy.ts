// What a connected peer may ask for: its grants and the per-peer limits of
// config.limits, checked before a request creates anything, so a refusal
// leaves nothing behind. Each refusal is a 403 naming the grant or the limit.
import { producerSource } from '../../protocol/access.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { createHttpError } from '../errors.ts';
import type { Peer } from '../room/Peer.ts';
import { checkThrottleSecret } from '../signaling/NetworkThrottle.ts';
import { type AccessMode, requireAnyGrant, requireGrant } from './AccessControl.ts';

/**
 * The classic join sequence creates its sending and receiving transports
 * before `join`, so a peer that has not joined may have these two and no more.
 */
export const TRANSPORTS_BEFORE_JOIN = 2;

export function checkNewTransport(peer: Peer, limits: ResolvedConfig['limits']): void {
	if (!peer.joined && peer.transports.size >= TRANSPORTS_BEFORE_JOIN) {
		throw createHttpError(
			403,
			`a peer that has not joined may have ${TRANSPORTS_BEFORE_JOIN} transports (a sending and a receiving one): join first`,
		);
	}
	if (peer.transports.size >= limits.transportsPerPeer) {
		throw createHttpError(403, `too many transports: limits.transportsPerPeer is ${limits.transportsPerPeer}`);
	}
}

export function checkNewProducer(
	peer: Peer,
	kind: 'audio' | 'video',
	appData: Record<string, unknown>,
	limits: ResolvedConfig['limits'],
): void {
	checkPublish(peer, kind, appData);
	if (peer.producers.size >= limits.producersPerPeer) {
		throw createHttpError(403, `too many producers: limits.producersPerPeer is ${limits.producersPerPeer}`);
	}
}

/** Whether the peer's grants let it publish this source (checked again once the producer exists). */
export function checkPublish(peer: Peer, kind: 'audio' | 'video', appData: Record<string, unknown>): void {
	if (peer.hidden) throw createHttpError(403, 'a hidden peer (hidden grant) does not publish');
	const source = producerSource(kind, appData);
	if (!peer.grants.publish.includes(source)) {
		throw createHttpError(403, `publishing the ${source} needs the publish grant for "${source}"`);
	}
}

export function checkNewDataProducer(peer: Peer, limits: ResolvedConfig['limits']): void {
	checkData(peer);
	if (peer.dataProducers.size >= limits.dataProducersPerPeer) {
		throw createHttpError(
			403,
			`too many data producers: limits.dataProducersPerPeer is ${limits.dataProducersPerPeer}`,
		);
	}
}

export function checkData(peer: Peer): void {
	requireGrant(peer.grants, 'data', 'a DataChannel');
}

export function checkRecording(peer: Peer): void {
	requireAnyGrant(peer.grants, ['record', 'roomAdmin'], 'recording');
}

/** Throttling shapes the whole machine's loopback: the shared secret in open mode, roomAdmin in token mode. */
export function checkThrottle(
	mode: AccessMode,
	peer: Peer,
	secret: string | undefined,
	configured: string | undefined,
): void {
	if (mode === 'token') requireGrant(peer.grants, 'roomAdmin', 'network throttling');
	else checkThrottleSecret(configured, secret ?? '');
}
