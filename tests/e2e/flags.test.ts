// URL flags that change what a peer sends and receives: produce=false,
// consume=false, forceTcp=true, and forceRelay=true on a server without TURN
// (with TURN: tests/e2e/turn.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';

describe('URL flags', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('produce=false: the peer only watches, and sends nothing', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('produce');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const viewer = await env.openPeer({
				roomId,
				peerId: 'viewer',
				displayName: 'Viewer',
				flags: { produce: 'false' },
			});

			await viewer.expectVideoFrom('alice');
			await viewer.expectAudioFrom('alice');
			// Alice sees the viewer, without media.
			await alice.tile('viewer').getByTestId('peer-name').filter({ hasText: 'Viewer' }).waitFor();
			assert.equal(await alice.tile('viewer').getByTestId('peer-video').count(), 0, 'no video tile content');
			assert.equal(await alice.tile('viewer').getByTestId('mic-muted').textContent(), 'no mic');
			assert.equal((await alice.inbound('video')).length, 0, 'alice receives no video');
			assert.equal((await alice.inbound('audio')).length, 0, 'alice receives no audio');
			// The viewer's controls say it cannot send.
			assert.equal(await viewer.page.getByTestId('mic-button').isDisabled(), true);
			assert.equal(await viewer.page.getByTestId('webcam-button').isDisabled(), true);
		});
	});

	test('consume=false: the peer only sends, and receives nothing', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('consume');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const sender = await env.openPeer({
				roomId,
				peerId: 'sender',
				displayName: 'Sender',
				flags: { consume: 'false' },
			});

			await alice.expectVideoFrom('sender');
			await alice.expectAudioFrom('sender');
			// The sender knows alice is there but gets none of her media.
			await sender.tile('alice').getByTestId('peer-name').filter({ hasText: 'Alice' }).waitFor();
			await sleep(1000);
			assert.equal(await sender.tile('alice').getByTestId('peer-video').count(), 0);
			assert.deepEqual(await sender.transportStats('recv'), [], 'no receiving transport at all');
		});
	});

	test('forceTcp=true: media flows over a TCP candidate pair', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('tcp');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { forceTcp: 'true' } });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { forceTcp: 'true' } });

			await Promise.all([alice.expectVideoFrom('bob'), bob.expectAudioFrom('alice')]);
			for (const peer of [alice, bob]) {
				for (const direction of ['send', 'recv'] as const) {
					const candidate = await peer.selectedCandidate(direction);
					assert.equal(candidate?.protocol, 'tcp', `${peer.peerId}'s ${direction} transport uses TCP`);
				}
			}
		});
	});

	test('forceRelay=true on a server without TURN: the page says that no media can flow', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('norelay');
			const alice = await env.openPeer({
				roomId,
				peerId: 'alice',
				displayName: 'Alice',
				flags: { forceRelay: 'true' },
			});
			await alice.page.getByTestId('toast').filter({ hasText: 'this server offers no TURN relay' }).waitFor();
		});
	});

	test('datachannel=false: no chat channels, media still flows', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('nodc');
			const alice = await env.openPeer({
				roomId,
				peerId: 'alice',
				displayName: 'Alice',
				flags: { datachannel: 'false' },
			});
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { webcam: 'false' } });
			await alice.expectAudioFrom('bob');

			await alice.page.getByTestId('chat-button').click();
			const input = alice.page.getByTestId('chat-input');
			assert.equal(await input.isDisabled(), true, 'alice cannot chat');
			assert.equal(await input.getAttribute('placeholder'), 'This page only reads the chat');
			// Bob chats; nothing reaches alice, who has no data channel at all.
			await bob.page.getByTestId('chat-button').click();
			await bob.page.getByTestId('chat-input').and(bob.page.locator(':enabled')).waitFor();
			await bob.page.getByTestId('chat-input').fill('anyone there?');
			await bob.page.getByTestId('chat-input').press('Enter');
			await bob.page.getByTestId('chat-message').filter({ hasText: 'anyone there?' }).waitFor();
			await sleep(1000);
			assert.equal(await alice.page.getByTestId('chat-message').count(), 0);
			for (const direction of ['send', 'recv'] as const) {
				const channels = (await alice.transportStats(direction)).filter((entry) => entry.type === 'data-channel');
				assert.equal(channels.length, 0, `no data channel on alice's ${direction} transport`);
			}
		});
	});
});
