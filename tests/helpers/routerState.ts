// What a room's router holds, for "nothing leaked" assertions: a refused
// request or connection must leave exactly the same transports, producers,
// consumers and data producers/consumers behind as there were before.
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/Server.ts';
import type { SignalingPeer } from './SignalingPeer.ts';

export interface RouterState {
	transports: string[];
	producers: string[];
	consumers: string[];
	dataProducers: string[];
	dataConsumers: string[];
}

/** The ids in the room's (home) router dump, sorted; the room must exist. */
export async function routerState(server: RunningServer, roomId: string): Promise<RouterState> {
	const room = await server.rooms.find(roomId);
	assert.ok(room, `room "${roomId}" exists`);
	const dump = await room.router.dump();
	const sorted = (values: string[]) => [...values].sort();
	return {
		transports: sorted(dump.transportIds),
		producers: sorted(dump.mapProducerIdConsumerIds.map((entry) => entry.key)),
		consumers: sorted(dump.mapProducerIdConsumerIds.flatMap((entry) => entry.values)),
		dataProducers: sorted(dump.mapDataProducerIdDataConsumerIds.map((entry) => entry.key)),
		dataConsumers: sorted(dump.mapDataProducerIdDataConsumerIds.flatMap((entry) => entry.values)),
	};
}

/**
 * A request that must be refused, and must leave the room's router as it was
 * (the connection open): the error, for the test to check.
 */
export async function refused(
	server: RunningServer,
	roomId: string,
	peer: SignalingPeer,
	method: string,
	data: unknown = {},
): Promise<{ code: number; reason: string }> {
	const before = await routerState(server, roomId);
	const error = await peer.requestError(method, data);
	assert.deepEqual(await routerState(server, roomId), before, `${method}: nothing left behind`);
	assert.equal(peer.closed, false, 'a refused request does not close the connection');
	return error;
}
