// Video controls: choosing a remote video's spatial layer changes the
// received resolution, screen sharing reaches the others, and restarting ICE
// keeps media flowing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

describe('video controls', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('switching a remote video spatial layer changes the received resolution', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('layers');
			// 1280x720 in three simulcast streams: 320x180, 640x360, 1280x720.
			const alice = await env.openPeer({
				roomId,
				peerId: 'alice',
				displayName: 'Alice',
				flags: { resolution: 'hd', mic: 'false' },
			});
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { produce: 'false' } });
			await bob.expectVideoFrom('alice');
			const width = async () => (await bob.inboundFrom('alice', 'video'))?.frameWidth ?? 0;
			const select = bob.tile('alice').getByTestId('layer-select');

			await select.selectOption('0');
			await waitFor('the lowest layer (320 wide)', async () => (await width()) === 320, {
				timeoutMs: 20_000,
				intervalMs: 250,
			});
			await bob.tile('alice').getByTestId('current-layer').filter({ hasText: 'S0/' }).waitFor();

			await select.selectOption('1');
			await waitFor('the middle layer (640 wide)', async () => (await width()) === 640, {
				timeoutMs: 20_000,
				intervalMs: 250,
			});
			await bob.tile('alice').getByTestId('current-layer').filter({ hasText: 'S1/' }).waitFor();
			// What the video element shows follows.
			const shown = await bob
				.tile('alice')
				.getByTestId('peer-video')
				.evaluate((video: HTMLVideoElement) => video.videoWidth);
			assert.equal(shown, 640);

			// Alice caps what she sends at the lowest layer: bob gets 320 wide again.
			await alice.page.getByTestId('more-button').click();
			await alice.page.getByTestId('max-layer-select').selectOption('0');
			await waitFor('the sender capped at the lowest layer', async () => (await width()) === 320, {
				timeoutMs: 20_000,
				intervalMs: 250,
			});
		});
	});

	test('screen sharing shows the screen on the other side', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('share');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { mic: 'false' } });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { produce: 'false' } });
			await bob.expectVideoFrom('alice');

			await alice.page.getByTestId('share-button').click();
			await alice.page.getByTestId('share-button').and(alice.page.locator('[aria-pressed="true"]')).waitFor();
			const shareTile = bob.page.getByTestId('share-alice');
			await shareTile.getByTestId('share-video').waitFor();
			await bob.waitForGrowth(
				'screen frames decoded',
				async () => (await bob.inboundFrom('alice', 'video', 'share'))?.framesDecoded,
				{
					by: 5,
				},
			);
			// The camera keeps going next to the screen.
			await bob.expectVideoFrom('alice', { frames: 5 });

			await alice.page.getByTestId('share-button').click();
			await shareTile.waitFor({ state: 'detached' });
		});
	});

	test('restarting ICE keeps media flowing', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('ice');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			await Promise.all([alice.expectVideoFrom('bob'), bob.expectVideoFrom('alice')]);
			const ufrag = async () =>
				(await alice.transportStats('recv')).find((entry) => entry.type === 'transport')?.iceLocalUsernameFragment;
			const before = await ufrag();

			await alice.page.getByTestId('more-button').click();
			await alice.page.getByTestId('restart-ice-button').click();
			await alice.page.getByTestId('toast').filter({ hasText: 'ICE restarted' }).waitFor();
			await waitFor('new ICE credentials', async () => (await ufrag()) !== before, { timeoutMs: 10_000 });

			await Promise.all([
				alice.expectVideoFrom('bob'),
				alice.expectAudioFrom('bob'),
				bob.expectVideoFrom('alice'),
				bob.expectAudioFrom('alice'),
			]);
		});
	});

	test('a key frame request brings a fresh key frame', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('keyframe');
			await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { mic: 'false' } });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { produce: 'false' } });
			await bob.expectVideoFrom('alice', { frames: 5 });
			const keyFrames = async () => (await bob.inboundFrom('alice', 'video'))?.keyFramesDecoded as number | undefined;
			const before = (await keyFrames()) ?? 0;

			await bob.tile('alice').locator('.consumer-menu summary').click();
			await bob.page.getByTestId('keyframe-button').click();
			await bob.page.getByTestId('toast').filter({ hasText: 'Key frame requested' }).waitFor();
			await waitFor('one more key frame decoded', async () => ((await keyFrames()) ?? 0) > before, {
				timeoutMs: 10_000,
			});
		});
	});
});
