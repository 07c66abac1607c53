// The per-member limits of config.limits for broadcasters (the REST API).
// A receiver such as broadcasters/ffmpeg-receiver.sh makes a plain transport
// per producer it consumes, so broadcasters have a transport limit of their
// own; producers and data producers count as a peer's do.
import type { ResolvedConfig } from '../config/Config.ts';
import { createHttpError } from '../errors.ts';
import type { Broadcaster } from '../room/Broadcaster.ts';

type Limits = ResolvedConfig['limits'];

export function checkBroadcasterTransport(broadcaster: Broadcaster, limits: Limits): void {
	if (broadcaster.transports.size >= limits.transportsPerBroadcaster) {
		throw createHttpError(
			403,
			`too many transports: limits.transportsPerBroadcaster is ${limits.transportsPerBroadcaster}`,
		);
	}
}

export function checkBroadcasterProducer(broadcaster: Broadcaster, limits: Limits): void {
	if (broadcaster.producers.size >= limits.producersPerPeer) {
		throw createHttpError(403, `too many producers: limits.producersPerPeer is ${limits.producersPerPeer}`);
	}
}

export function checkBroadcasterDataProducer(broadcaster: Broadcaster, limits: Limits): void {
	if (broadcaster.dataProducers.size >= limits.dataProducersPerPeer) {
		throw createHttpError(
			403,
			`too many data producers: limits.dataProducersPerPeer is ${limits.dataProducersPerPeer}`,
		);
	}
}
