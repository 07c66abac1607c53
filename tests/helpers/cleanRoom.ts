// After a page came back (resumed or joined again): the server has each page
// once, with one send and one receive transport, and the router holds nothing
// the room's members do not own (noOrphans.ts).
import assert from 'node:assert/strict';
import { assertNoOrphans } from './noOrphans.ts';
import type { TestServer } from './testServer.ts';

export async function expectCleanRoom(server: TestServer, roomId: string, peerIds: string[]): Promise<void> {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, 'the room exists');
	assert.deepEqual([...room.peers.keys()].sort(), [...peerIds].sort(), 'the server has each page once');
	for (const peer of room.peers.values()) {
		assert.equal(peer.transports.size, 2, `${peer.id} has one send and one receive transport`);
	}
	await assertNoOrphans(server.server, roomId);
}
