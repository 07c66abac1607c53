// "Nothing leaked": a room's router holds exactly what the room's members
// own (plus the bot's transport, its data producer and its data consumers of
// the members' "bot" channels), so a peer that closed, whether it left, was
// removed or its grace period ran out, left no transport, producer, consumer
// or data channel behind; nor did a WHEP session that ended (while one plays,
// a pipe transport to its own router is on the room's). For rooms on one
// router (one worker, no spread).
import assert from 'node:assert/strict';
import type { RunningServer } from '../../server/Server.ts';

export async function assertNoOrphans(server: RunningServer, roomId: string): Promise<void> {
	const room = await server.rooms.find(roomId);
	assert.ok(room, `room "${roomId}" exists`);
	assert.equal(room.routers.all.length, 1, 'the room is on one router');
	const dump = await room.router.dump();
	const members = [...room.peers.values(), ...room.broadcasters.values()];
	const owned = (pick: (member: (typeof members)[number]) => Iterable<string>) =>
		new Set(members.flatMap((member) => [...pick(member)]));
	const sorted = (ids: Iterable<string>) => [...ids].sort();

	const transports = owned((member) => member.transports.keys());
	const unowned = dump.transportIds.filter((id) => !transports.has(id));
	assert.equal(unowned.length, 1, `no transport but the members' and the bot's: ${unowned.join(', ')}`);
	assert.deepEqual(
		sorted(dump.mapProducerIdConsumerIds.map((entry) => entry.key)),
		sorted(owned((member) => member.producers.keys())),
		"the router's producers are the members'",
	);
	assert.deepEqual(
		sorted(dump.mapProducerIdConsumerIds.flatMap((entry) => entry.values)),
		sorted(owned((member) => member.consumers.keys())),
		"the router's consumers are the members'",
	);
	assert.deepEqual(
		sorted(dump.mapDataProducerIdDataConsumerIds.map((entry) => entry.key)),
		sorted([...owned((member) => member.dataProducers.keys()), room.bot.dataProducer.id]),
		"the router's data producers are the members' and the bot's",
	);
	// The bot listens to each member's "bot" channel with a data consumer of its own.
	const botChannels = new Set(
		members.flatMap((member) =>
			[...member.dataProducers.values()].filter((channel) => channel.label === 'bot').map((channel) => channel.id),
		),
	);
	const dataConsumers = owned((member) => member.dataConsumers.keys());
	for (const { key, values } of dump.mapDataProducerIdDataConsumerIds) {
		const others = values.filter((id) => !dataConsumers.has(id));
		assert.equal(
			others.length,
			botChannels.has(key) ? 1 : 0,
			`data consumers of ${key} are the members' (and the bot's, of a "bot" channel): ${others.join(', ')}`,
		);
	}
	assert.deepEqual(
		sorted(
			dump.mapDataProducerIdDataConsumerIds.flatMap((entry) => entry.values).filter((id) => dataConsumers.has(id)),
		),
		sorted(dataConsumers),
		"the members' data consumers are on the router",
	);
}
