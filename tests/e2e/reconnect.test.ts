// Calls that survive the network, as the people in them see it: the server
// restarts under a call, and both pages are back in the room by themselves,
// with what they sent before (a muted microphone stays muted, a camera turned
// off stays off) and the chat history still on the page; a peer a moderator
// removed stays out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { types } from 'mediasoup';
import { type BrowserPeer, E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { expectCleanRoom } from '../helpers/cleanRoom.ts';

describe('reconnection', { timeout: 240_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('the server restarts: both pages are back with media and their mute state, without a click', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('restart');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);

			// Bob mutes his microphone; Alice turns her camera off and writes in the chat.
			await bob.page.getByTestId('mic-button').click();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			await alice.page.getByTestId('webcam-button').click();
			await bob.tile('alice').getByTestId('peer-video').waitFor({ state: 'detached' });
			await alice.page.getByTestId('chat-button').click();
			const input = alice.page.getByTestId('chat-input');
			await input.and(alice.page.locator(':enabled')).waitFor();
			await input.fill('before the restart');
			await input.press('Enter');
			await alice.page.getByTestId('chat-message').filter({ hasText: 'before the restart' }).waitFor();

			await env.server.restart();

			for (const peer of [alice, bob]) {
				await peer.page.getByTestId('reconnect-banner').waitFor();
			}
			for (const peer of [alice, bob]) {
				await peer.page.locator('[data-testid="room-state"][data-state="connected"]').waitFor({ timeout: 30_000 });
				await peer.page.getByTestId('reconnect-banner').waitFor({ state: 'detached' });
			}
			// Both in the room again, nobody clicked: Alice sees and hears nothing
			// from Bob's muted microphone, but his camera; Bob sees Alice's camera
			// still off and hears her.
			await alice.tile('bob').waitFor();
			await alice.expectVideoFrom('bob');
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			await bob.page.getByTestId('my-mic-muted').waitFor();
			await bob.tile('alice').waitFor();
			await bob.expectAudioFrom('alice');
			assert.equal(await bob.tile('alice').getByTestId('peer-video').count(), 0, "Alice's camera stays off");
			assert.equal(await alice.page.getByTestId('webcam-button').getAttribute('aria-pressed'), 'false');
			// The chat history stayed on the page.
			assert.equal(await alice.page.getByTestId('chat-message').filter({ hasText: 'before the restart' }).count(), 1);
			assert.equal(await bob.page.getByTestId('rejoin-button').count(), 0);
			await expectCleanRoom(env.server, roomId, ['alice', 'bob']);
		});
	});

	test('screen sharing lost in a rejoin is offered again, and one click shares again', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('share-again');
			const light = { webcam: 'false' };
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: light });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: light });
			await bob.page.getByTestId('share-button').click();
			await alice.page.getByTestId('share-bob').waitFor();

			await env.server.restart();

			await bob.page.getByTestId('share-again-banner').waitFor({ timeout: 30_000 });
			await alice.tile('bob').waitFor();
			assert.equal(await alice.page.getByTestId('share-bob').count(), 0, 'a browser shares a screen only on a click');
			await bob.page.getByTestId('share-again-button').click();
			await alice.page.getByTestId('share-bob').waitFor();
			await bob.page.getByTestId('share-again-banner').waitFor({ state: 'detached' });
			await expectCleanRoom(env.server, roomId, ['alice', 'bob']);
		});
	});

	test("the room's media worker is killed: both pages are back with media, without a click", async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('worker');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);
			await bob.page.getByTestId('mic-button').click();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			const [worker] = env.server.server.pool.workers;
			assert.ok(worker);

			process.kill(worker.pid, 'SIGKILL');

			for (const peer of [alice, bob]) {
				await peer.page.getByTestId('reconnect-banner').waitFor();
			}
			for (const peer of [alice, bob]) {
				await peer.page.locator('[data-testid="room-state"][data-state="connected"]').waitFor({ timeout: 30_000 });
			}
			await Promise.all([alice.expectVideoFrom('bob'), bob.expectVideoFrom('alice'), bob.expectAudioFrom('alice')]);
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			assert.equal(await bob.page.getByTestId('rejoin-button').count(), 0);
			await expectCleanRoom(env.server, roomId, ['alice', 'bob']);
		});
	});

	test('media loses its path while signaling stays up: ICE restarts by itself, without a rejoin', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('ice');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);
			const aliceConsumers = await consumerIdsOf(alice);

			// The server takes new ICE credentials for Bob's transports without telling
			// him: his connectivity checks go unanswered, as over a path that went away.
			// (Twice: mediasoup still answers the credentials before the last change.)
			const room = await env.server.server.rooms.find(roomId);
			const bobOnServer = room?.peers.get('bob');
			assert.ok(bobOnServer);
			for (const transport of bobOnServer.transports.values()) {
				const webRtc = transport as types.WebRtcTransport;
				await webRtc.restartIce();
				await webRtc.restartIce();
			}

			const frozen = await bob.page.evaluate(() => window.store?.getState().room.state);
			assert.equal(frozen, 'connected', 'the signaling is fine');
			// Bob's page notices, restarts ICE, and media flows again both ways.
			await bob.page
				.getByTestId('toast')
				.filter({ hasText: 'The media connection dropped: restarting it' })
				.first()
				.waitFor({ timeout: 40_000 });
			await Promise.all([
				alice.expectVideoFrom('bob', { timeoutMs: 20_000 }),
				bob.expectVideoFrom('alice', { timeoutMs: 20_000 }),
			]);
			assert.deepEqual(await consumerIdsOf(alice), aliceConsumers, 'no rejoin: the same consumers');
			assert.equal(await bob.page.getByTestId('rejoin-button').count(), 0);
			await expectCleanRoom(env.server, roomId, ['alice', 'bob']);
		});
	});
});

/** The ids of the consumers a page has, in order. */
function consumerIdsOf(peer: BrowserPeer): Promise<string[]> {
	return peer.page.evaluate(() => [...(window.store?.getState().consumers.ids ?? [])].map(String).sort());
}
