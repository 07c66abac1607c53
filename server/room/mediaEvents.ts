// Turning mediasoup events into protocol notification payloads.
import type { types } from 'mediasoup';

export function consumerLayers(
	consumerId: string,
	layers: types.ConsumerLayers | undefined,
): { consumerId: string; spatialLayer: number | null; temporalLayer: number | null } {
	return {
		consumerId,
		spatialLayer: layers?.spatialLayer ?? null,
		temporalLayer: layers?.temporalLayer ?? null,
	};
}

export interface DownlinkBwe {
	desiredBitrate: number;
	effectiveDesiredBitrate: number;
	availableBitrate: number;
}

/** The outgoing bandwidth estimate in a 'bwe' trace event (mediasoup types its info as unknown). */
export function parseBweTrace(trace: types.TransportTraceEventData): DownlinkBwe | undefined {
	if (trace.type !== 'bwe' || trace.direction !== 'out') return undefined;
	const info = trace.info;
	if (typeof info !== 'object' || info === null) return undefined;
	const { desiredBitrate, effectiveDesiredBitrate, availableBitrate } = info as Record<string, unknown>;
	if (
		typeof desiredBitrate !== 'number' ||
		typeof effectiveDesiredBitrate !== 'number' ||
		typeof availableBitrate !== 'number'
	) {
		return undefined;
	}
	return { desiredBitrate, effectiveDesiredBitrate, availableBitrate };
}
