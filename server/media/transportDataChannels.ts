// The live data producers and data consumers of a mediasoup transport, read
// from the Maps mediasoup keeps for itself, as transportConsumers.ts reads its
// consumers (and for the same reason: counting them at a scrape needs no
// listener of ours on each). The Maps are `protected` in mediasoup's typings,
// so this checks at runtime that they are there.
import type { types } from 'mediasoup';

export function transportDataProducers(transport: types.Transport): ReadonlyMap<string, types.DataProducer> {
	return protectedMap(transport, 'dataProducers');
}

export function transportDataConsumers(transport: types.Transport): ReadonlyMap<string, types.DataConsumer> {
	return protectedMap(transport, 'dataConsumers');
}

function protectedMap<T>(transport: types.Transport, name: 'dataProducers' | 'dataConsumers'): ReadonlyMap<string, T> {
	const map: unknown = Reflect.get(transport, name);
	if (!(map instanceof Map)) {
		throw new Error(`mediasoup ${transport.constructor.name} has no ${name} Map: mediasoup changed`);
	}
	return map as ReadonlyMap<string, T>;
}
