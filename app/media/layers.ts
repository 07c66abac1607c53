// How many spatial and temporal layers a consumer can switch between, read
// from the scalability mode mediasoup put in its RTP parameters.
import { parseScalabilityMode, type types } from 'mediasoup-client';

export function consumerLayers(rtpParameters: types.RtpParameters): { spatialLayers: number; temporalLayers: number } {
	const { spatialLayers, temporalLayers } = parseScalabilityMode(rtpParameters.encodings?.[0]?.scalabilityMode);
	return { spatialLayers, temporalLayers };
}

/** What a producer sends: its encodings (simulcast) or the layers of its one encoding (SVC). */
export function producerLayers(rtpParameters: types.RtpParameters): {
	spatialLayers: number;
	scalabilityMode: string | null;
} {
	const encodings = rtpParameters.encodings ?? [];
	const scalabilityMode = encodings[0]?.scalabilityMode ?? null;
	if (encodings.length > 1) return { spatialLayers: encodings.length, scalabilityMode };
	return { spatialLayers: parseScalabilityMode(scalabilityMode ?? undefined).spatialLayers, scalabilityMode };
}
