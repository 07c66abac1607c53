// Which nodes host a room, and the producers announced in it, against a real
// redis-server: memberships lapse with a node's renewals, the last node
// leaving takes the room's keys with it, and a node joining a room late gets
// the live producers and then every later announcement, including after the
// stream was trimmed past what it had read.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { keys } from '../../server/cluster/keys.ts';
import { ProducerAnnouncements, STREAM_START } from '../../server/cluster/ProducerAnnouncements.ts';
import type { ProducerAnnouncement } from '../../server/cluster/records.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { connectedStore, directory, LEASE_MS } from './clusterParts.ts';

let redis: RedisServer;

before(async () => {
	redis = await RedisServer.start();
});

after(() => redis.close());

test('a room lists the nodes renewing its membership; one that stops renewing drops out within the lease', async () => {
	const a = directory(await connectedStore(redis.url, 'dir-a'));
	const b = directory(await connectedStore(redis.url, 'dir-b'));
	await a.renewMembership('standup', 'dir-a');
	await b.renewMembership('standup', 'dir-b');
	await b.renewMembership('retro', 'dir-b');
	assert.deepEqual((await a.members('standup')).map((member) => member.nodeId).sort(), ['dir-a', 'dir-b']);
	assert.deepEqual(await a.roomsOf('dir-b'), ['retro', 'standup']);
	assert.deepEqual(
		(await a.rooms()).map((room) => [room.roomId, room.nodes.map((node) => node.nodeId).sort()]),
		[
			['retro', ['dir-b']],
			['standup', ['dir-a', 'dir-b']],
		],
	);

	// A keeps renewing, B stops (as if it died).
	const renewing = setInterval(() => void a.renewMembership('standup', 'dir-a'), LEASE_MS / 4);
	try {
		await waitFor('B dropped out', async () => (await a.members('standup')).length === 1, { timeoutMs: LEASE_MS * 3 });
		assert.deepEqual(
			(await a.members('standup')).map((member) => member.nodeId),
			['dir-a'],
		);
		assert.deepEqual(await a.roomsOf('dir-b'), []);
		assert.deepEqual(
			(await a.rooms()).map((room) => room.roomId),
			['standup'],
			'retro went with its only node',
		);
	} finally {
		clearInterval(renewing);
	}
	assert.equal(await a.releaseMembership('standup', 'dir-a'), true, 'the last node leaving ends the room');
	assert.deepEqual(await a.rooms(), []);
	const store = await connectedStore(redis.url, 'dir-check');
	assert.deepEqual(await store.redis.keys('mc:room:*'), [], 'no key of the rooms left');
});

function producer(producerId: string, nodeId = 'ann-a'): ProducerAnnouncement {
	return { producerId, nodeId, peerId: `peer-of-${producerId}`, kind: 'video', paused: false };
}

test('a late joiner gets the live producers as a snapshot and follows the announcements from there', async () => {
	const store = await connectedStore(redis.url, 'ann-a');
	const early = new ProducerAnnouncements(store, { leaseMs: LEASE_MS * 10 });
	await directory(store).renewMembership('town-hall', 'ann-a');
	await early.added('town-hall', producer('cam-1'));
	await early.added('town-hall', producer('mic-1'));
	await early.closed('town-hall', 'cam-1', 'ann-a');

	const late = new ProducerAnnouncements(await connectedStore(redis.url, 'ann-b'), { leaseMs: LEASE_MS * 10 });
	const snapshot = await late.snapshot('town-hall');
	assert.deepEqual(snapshot.producers, [producer('mic-1')]);
	const all = await late.read('town-hall', STREAM_START);
	assert.deepEqual(
		all.events.map((event) => `${event.type} ${event.type === 'add' ? event.producer.producerId : event.producerId}`),
		['add cam-1', 'add mic-1', 'close cam-1'],
		'the whole history from the start',
	);
	assert.equal(all.events.at(-1)?.id, snapshot.lastId);
	assert.deepEqual((await late.read('town-hall', snapshot.lastId)).events, [], 'nothing after the snapshot yet');

	await early.added('town-hall', producer('screen-1'));
	const next = await late.read('town-hall', snapshot.lastId);
	assert.equal(next.gap, false);
	assert.deepEqual(
		next.events.map((event) => event.type === 'add' && event.producer),
		[producer('screen-1')],
	);
});

test('a reader behind the trimmed stream is told to take a new snapshot', async () => {
	const store = await connectedStore(redis.url, 'trim-a');
	const announcements = new ProducerAnnouncements(store, { leaseMs: LEASE_MS * 10, maxLength: 10 });
	const first = await announcements.added('busy', producer('p-0'));
	for (let i = 1; i < 300; i++) await announcements.added('busy', producer(`p-${i}`));
	const length = await store.redis.xlen(keys.roomProducers('busy'));
	assert.ok(length < 300, `trimmed to ${length}`);
	assert.equal((await announcements.read('busy', first)).gap, true);
	const snapshot = await announcements.snapshot('busy');
	assert.equal(snapshot.producers.length, 300, 'the snapshot still has every live producer');
	assert.equal((await announcements.read('busy', snapshot.lastId)).gap, false);
});
