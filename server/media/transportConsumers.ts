// The live consumers of a mediasoup transport, read from the Map mediasoup
// keeps for itself: its transports add each consumer they create and remove it
// on every way it closes (consumer.close(), its producer closing, the
// transport or router closing). The map is `protected` in mediasoup's
// typings, so this checks at runtime that it is there. Reading it spares the
// server a close listener of its own on every consumer: in a 200-peer room
// (79,600 consumers) two listeners cost about 165 bytes per consumer
// (bench/HISTORY.md, Join, item 12).
import type { types } from 'mediasoup';

export function transportConsumers(transport: types.Transport): ReadonlyMap<string, types.Consumer> {
	const consumers: unknown = Reflect.get(transport, 'consumers');
	if (!(consumers instanceof Map)) {
		throw new Error(`mediasoup ${transport.constructor.name} has no consumers Map: mediasoup changed`);
	}
	return consumers as ReadonlyMap<string, types.Consumer>;
}
