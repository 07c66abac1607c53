// One room over two workers, as people in it see it: with
// MEDIASOUP_ROOM_SPREAD=always, two browsers land on routers on different
// workers (joined by pipe transports), and still see and hear each other,
// chat, and get the bot's answers. When one leaves, its router goes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Room } from '../../server/room/Room.ts';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

describe('a room spread over two workers', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start({ numWorkers: 2, env: { MEDIASOUP_ROOM_SPREAD: 'always' } });
	});
	after(async () => {
		await env?.close();
	});

	function workerOf(room: Room, peerId: string): number | undefined {
		const peer = room.peers.get(peerId);
		return peer && room.routers.memberRouter(peer)?.workerIndex;
	}

	test('browsers on different workers see, hear and chat with each other', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('spread');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			const room = await env.server.server.rooms.find(roomId);
			assert.ok(room);
			const workers = [workerOf(room, 'alice'), workerOf(room, 'bob')];
			assert.ok(workers.every((worker) => worker !== undefined));
			assert.notEqual(workers[0], workers[1], 'alice and bob are on different workers');

			await Promise.all([
				alice.expectVideoFrom('bob'),
				alice.expectAudioFrom('bob'),
				bob.expectVideoFrom('alice'),
				bob.expectAudioFrom('alice'),
			]);

			// Chat from bob's router to alice's, and the bot (on the first router) for bob.
			await bob.page.getByTestId('chat-button').click();
			const input = bob.page.getByTestId('chat-input');
			await input.and(bob.page.locator(':enabled')).waitFor();
			await input.fill('Hi from the other core');
			await input.press('Enter');
			await alice.page.getByTestId('chat-button').click();
			await alice.page.getByTestId('chat-message').filter({ hasText: 'Hi from the other core' }).waitFor();
			await input.fill('@bot are you there?');
			await input.press('Enter');
			const answer = bob.page.getByTestId('chat-message').and(bob.page.locator('[data-from="bot"]'));
			await answer.waitFor();
			assert.match((await answer.textContent()) ?? '', /Bob said me: "are you there\?"/);

			// Bob leaves: alice's page drops his tile, his router closes.
			const bobRouter = room.routers.all.find((r) => r.workerIndex === workers[1]);
			assert.ok(bobRouter);
			await bob.close();
			await alice.tile('bob').waitFor({ state: 'detached' });
			await waitFor("bob's router closed", () => bobRouter.closed && room.routers.all.length === 1);
		});
	});
});
