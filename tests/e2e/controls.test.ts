// Everyday controls as the other side sees them: a name change, the camera
// going off and on, audio-only mode, muting everyone locally, and the
// invitation link of a room opened without a roomId.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

describe('controls', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('a display name change shows on the other side', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('name');
			const flags = { mic: 'false', webcam: 'false' };
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags });
			await bob.tile('alice').getByTestId('peer-name').filter({ hasText: 'Alice' }).waitFor();

			await alice.page.getByTestId('my-name').click();
			await alice.page.getByTestId('name-input').fill('Alice Liddell');
			await alice.page.getByTestId('name-input').press('Enter');
			await alice.page.getByTestId('my-name').filter({ hasText: 'Alice Liddell' }).waitFor();
			await bob.tile('alice').getByTestId('peer-name').filter({ hasText: 'Alice Liddell' }).waitFor();
			await bob.page.getByTestId('toast').filter({ hasText: 'Alice is now Alice Liddell' }).waitFor();
		});
	});

	test('turning the camera off and on shows on the other side', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('camera');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { mic: 'false' } });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { produce: 'false' } });
			await bob.expectVideoFrom('alice', { frames: 3 });

			await alice.page.getByTestId('webcam-button').click();
			await alice.page.getByTestId('me-video').waitFor({ state: 'detached' });
			await bob.tile('alice').getByTestId('peer-video').waitFor({ state: 'detached' });
			await bob.expectNoVideo();

			await alice.page.getByTestId('webcam-button').click();
			await bob.tile('alice').getByTestId('peer-video').waitFor();
			await bob.expectVideoFrom('alice', { frames: 5 });
		});
	});

	test('audio-only mode stops video both ways and keeps the voice', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('audio-only');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);

			await alice.page.getByTestId('more-button').click();
			await alice.page.getByTestId('audio-only-button').click();
			// Alice's camera is off for bob, and bob's video is paused for alice.
			await bob.tile('alice').getByTestId('peer-video').waitFor({ state: 'detached' });
			await alice.tile('bob').getByTestId('peer-video').waitFor({ state: 'detached' });
			await Promise.all([alice.expectNoVideo(), bob.expectNoVideo()]);
			await alice.expectAudioFrom('bob');

			await alice.page.getByTestId('audio-only-button').click();
			await alice.expectVideoFrom('bob', { frames: 5 });
			await bob.expectVideoFrom('alice', { frames: 5 });
		});
	});

	test('"mute everyone" silences the remote voices on this page only', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('mute-all');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { webcam: 'false' } });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { webcam: 'false' } });
			const audio = alice.page.getByTestId('remote-audio');
			await audio.waitFor({ state: 'attached' });
			assert.equal(await audio.evaluate((element: HTMLAudioElement) => element.muted), false);

			await alice.page.getByTestId('more-button').click();
			await alice.page.getByTestId('mute-all-button').click();
			assert.equal(await audio.evaluate((element: HTMLAudioElement) => element.muted), true);
			// Bob's microphone is untouched: he is not shown muted.
			assert.equal(await alice.tile('bob').getByTestId('mic-muted').count(), 0);
			await bob.expectAudioFrom('alice');
		});
	});

	test('a page opened without roomId gets one in its address and an invitation link', async (t) => {
		await env.run(t, async () => {
			const host = await env.openPeer({
				roomId: '',
				peerId: 'host',
				displayName: 'Host',
				flags: { mic: 'false', webcam: 'false' },
			});
			const address = new URL(host.page.url());
			const roomId = address.searchParams.get('roomId') ?? '';
			assert.match(roomId, /^[a-z0-9]{8}$/, `a random roomId was written back (${address.search})`);
			const invitation = await host.page.getByTestId('invite-link').inputValue();
			assert.equal(new URL(invitation).searchParams.get('roomId'), roomId);
			assert.equal(new URL(invitation).searchParams.get('peerId'), null, 'the invitation has no peerId');

			// Whoever opens the invitation is in the same room.
			const guestPage = await host.context.browser()?.newContext({ ignoreHTTPSErrors: true });
			assert.ok(guestPage);
			try {
				const page = await guestPage.newPage();
				await page.goto(invitation);
				await page.getByTestId('peer-host').waitFor();
				await host.page.getByTestId('people-count').filter({ hasText: '2 people' }).waitFor();
			} finally {
				await guestPage.close();
			}
		});
	});

	test('the throttle widget appears with throttleSecret and shows the server refusing a wrong secret', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('throttle');
			const flags = { mic: 'false', webcam: 'false' };
			const plain = await env.openPeer({ roomId, peerId: 'plain', displayName: 'Plain', flags });
			assert.equal(await plain.page.getByTestId('throttle-widget').count(), 0, 'hidden without throttleSecret');

			// The test server has no throttle secret configured, so any secret is refused (403).
			const tester = await env.openPeer({
				roomId,
				peerId: 'tester',
				displayName: 'Tester',
				flags: { ...flags, throttleSecret: 'not-the-secret' },
			});
			await tester.page.getByTestId('throttle-widget').locator('summary').click();
			await tester.page.getByLabel('RTT (ms)').fill('200');
			await tester.page.getByRole('button', { name: 'Apply' }).click();
			await tester.page
				.getByTestId('toast')
				.filter({ hasText: /Throttle: .*throttle/ })
				.waitFor();
		});
	});

	test('changing the camera resolution changes what the others receive', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('resolution');
			// One plain stream (no simulcast), so what bob gets is what alice sends.
			const flags = { mic: 'false', resolution: 'qvga', enableWebcamLayers: 'false' };
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { produce: 'false' } });
			const width = async () => (await bob.inboundFrom('alice', 'video'))?.frameWidth ?? 0;
			await waitFor('320 wide video', async () => (await width()) === 320, { timeoutMs: 15_000, intervalMs: 250 });

			await alice.page.getByTestId('more-button').click();
			await alice.page.getByTestId('resolution-button').filter({ hasText: '320×240' }).click();
			await alice.page.getByTestId('resolution-button').filter({ hasText: '640×480' }).waitFor();
			await waitFor('640 wide video', async () => (await width()) === 640, { timeoutMs: 15_000, intervalMs: 250 });
			const preview = await alice.page.getByTestId('me-video').evaluate((video: HTMLVideoElement) => video.videoWidth);
			assert.equal(preview, 640, 'my own preview follows');
		});
	});
});
