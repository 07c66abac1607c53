// Access control as people see it, on a server in token mode: each page
// opens with its own token (?token=, the peerId is the token's sub). A
// viewer's token lets it see and hear but not send; a refused or expired token
// is said plainly; moderators mute and remove people, lock the room, let
// newcomers in from the lobby or turn them away, and end the meeting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenGrants } from '../../protocol/access.ts';
import { type MintOptions, mintToken } from '../../server/auth/tokens.ts';
import { type BrowserPeer, E2eEnvironment, type PeerOptions, uniqueRoomId } from '../helpers/browserSession.ts';

const apiKey = { key: 'e2e', secret: 'the-end-to-end-access-secret-32-chars' };

/** What a moderator's token holds besides the room. */
const MODERATOR: TokenGrants = { roomAdmin: true };
/** Sees and hears; sends nothing, not even chat. */
const VIEWER: TokenGrants = { publish: false, data: false };

describe('access control in the app', { timeout: 300_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start({ env: { AUTH_KEYS: `${apiKey.key}:${apiKey.secret}` } });
	});
	after(async () => {
		await env?.close();
	});

	/** A person with a token for the room minted for them, as an application backend would. */
	async function open(
		roomId: string,
		peerId: string,
		grants: TokenGrants = {},
		{
			flags = {},
			waitConnected,
			mint = {},
		}: Pick<PeerOptions, 'flags' | 'waitConnected'> & { mint?: Partial<MintOptions> } = {},
	): Promise<BrowserPeer> {
		const minted = await mintToken({ apiKey, identity: peerId, grants: { room: roomId, ...grants }, ...mint });
		return env.openPeer({
			roomId,
			peerId,
			displayName: peerId[0]?.toUpperCase() + peerId.slice(1),
			flags: { token: minted, ...flags },
			...(waitConnected === undefined ? {} : { waitConnected }),
		});
	}

	/** The error toasts a page shows. */
	async function errors(peer: BrowserPeer): Promise<string[]> {
		return peer.page.getByTestId('toast').and(peer.page.locator('[data-type="error"]')).allTextContents();
	}

	/** The audio packets from a peer stand still (after those in flight arrived). */
	async function expectNoAudioFrom(listener: BrowserPeer, peerId: string): Promise<void> {
		await sleep(500);
		const before = (await listener.inboundFrom(peerId, 'audio'))?.packetsReceived ?? 0;
		await sleep(1500);
		const after = (await listener.inboundFrom(peerId, 'audio'))?.packetsReceived ?? 0;
		assert.ok(
			after - before <= 2,
			`audio packets from ${peerId} stopped on ${listener.peerId} (${before} -> ${after})`,
		);
	}

	test('a viewer token joins, sees and hears, and has no controls to send', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('viewer');
			const alice = await open(roomId, 'alice');
			const viewer = await open(roomId, 'viewer', VIEWER);
			await viewer.tile('alice').getByTestId('peer-video').waitFor();
			await Promise.all([viewer.expectVideoFrom('alice'), viewer.expectAudioFrom('alice')]);

			for (const control of ['mic-button', 'webcam-button', 'share-button', 'chat-button', 'moderate-button']) {
				assert.equal(await viewer.page.getByTestId(control).count(), 0, `no ${control} for a viewer`);
			}
			await viewer.page.getByTestId('more-button').click();
			assert.equal(await viewer.page.getByTestId('recording-button').count(), 0, 'no recording for a viewer');
			assert.deepEqual(await errors(viewer), [], 'nothing was tried that the server refuses');
			// The others see the viewer, with nothing to hear from it.
			await alice.tile('viewer').getByTestId('mic-muted').filter({ hasText: 'no mic' }).waitFor();
			// The invitation names the room, never the page's token.
			const invitation = new URL(await viewer.page.getByTestId('invite-link').inputValue());
			assert.deepEqual([...invitation.searchParams.keys()], ['roomId']);
			await viewer.page.getByTestId('invite-note').filter({ hasText: 'their own access token' }).waitFor();
		});
	});

	test('an expired token, or one for another room, is refused in plain words', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('refused');
			const late = await open(roomId, 'late', {}, { waitConnected: false, mint: { ttlSeconds: -120 } });
			await late.page
				.getByTestId('closed-reason')
				.filter({ hasText: /token expired/i })
				.waitFor();

			const stray = await env.openPeer({
				roomId,
				peerId: 'stray',
				flags: { token: await mintToken({ apiKey, identity: 'stray', grants: { room: 'elsewhere' } }) },
				waitConnected: false,
			});
			await stray.page
				.getByTestId('closed-reason')
				.filter({ hasText: `Not allowed: token is for room "elsewhere", not "${roomId}"` })
				.waitFor();
		});
	});

	test('a moderator mutes a person: nobody hears them, and their page says who muted them', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('mute');
			const alice = await open(roomId, 'alice', MODERATOR, { flags: { webcam: 'false' } });
			const bob = await open(roomId, 'bob', {}, { flags: { webcam: 'false' } });
			const carol = await open(roomId, 'carol', VIEWER);
			await Promise.all([alice.expectAudioFrom('bob'), carol.expectAudioFrom('bob')]);
			// Only moderators get the menu.
			assert.equal(await bob.tile('alice').getByTestId('peer-menu').count(), 0);

			await alice.tile('bob').getByTestId('peer-menu').locator('summary').click();
			await alice.tile('bob').getByTestId('mute-peer-button').click();

			await bob.page.getByTestId('my-mic-muted').filter({ hasText: 'muted by a moderator' }).waitFor();
			await bob.page.getByTestId('mic-button').filter({ hasText: 'Unmute' }).waitFor();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			await Promise.all([expectNoAudioFrom(alice, 'bob'), expectNoAudioFrom(carol, 'bob')]);

			// Bob may still publish his microphone: unmuting brings his voice back.
			await bob.page.getByTestId('mic-button').click();
			await bob.page.getByTestId('my-mic-muted').waitFor({ state: 'detached' });
			await carol.expectAudioFrom('bob');
		});
	});

	test('a moderator removes a person: their page says so and they stay out', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('remove');
			const flags = { webcam: 'false' };
			const alice = await open(roomId, 'alice', MODERATOR, { flags });
			const bob = await open(roomId, 'bob', {}, { flags });
			await alice.tile('bob').waitFor();

			await alice.tile('bob').getByTestId('peer-menu').locator('summary').click();
			await alice.tile('bob').getByTestId('remove-peer-button').click();

			await bob.page.getByTestId('closed-reason').filter({ hasText: 'You were removed by a moderator' }).waitFor();
			await alice.tile('bob').waitFor({ state: 'detached' });
			// Out for good: no way back offered, and nothing reconnects by itself.
			assert.equal(await bob.page.getByTestId('rejoin-button').count(), 0);
			await sleep(4000);
			assert.equal(await alice.tile('bob').count(), 0, 'bob did not come back');
			await alice.page.getByTestId('people-count').filter({ hasText: '1 person' }).waitFor();
			const room = await env.server.server.rooms.find(roomId);
			assert.deepEqual([...(room?.peers.keys() ?? [])], ['alice'], 'the server has only alice in the room');
			await bob.page.getByTestId('closed-reason').filter({ hasText: 'You were removed by a moderator' }).waitFor();
			// Reloading the page does not undo the moderator: the server refuses, and the page says so.
			await bob.page.reload();
			await bob.page
				.getByTestId('closed-reason')
				.filter({ hasText: 'Not allowed: removed from this room by a moderator' })
				.waitFor();
			assert.equal(await alice.tile('bob').count(), 0);
		});
	});

	test('a locked room: a newcomer waits in the lobby, is let in and sees the others', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('lobby');
			const alice = await open(roomId, 'alice', MODERATOR);
			await alice.page.getByTestId('moderate-button').click();
			await alice.page.getByTestId('lock-button').filter({ hasText: 'Lock the room' }).click();
			await alice.page.getByTestId('locked-badge').waitFor();

			const carol = await open(roomId, 'carol', {}, { flags: { webcam: 'false' }, waitConnected: false });
			await carol.page.getByTestId('lobby-screen').filter({ hasText: 'Waiting in the lobby' }).waitFor();
			assert.equal(await carol.page.getByTestId('peer-alice').count(), 0, 'the lobby shows nobody in the room');
			await alice.page.getByTestId('moderate-button').filter({ hasText: '1' }).waitFor();

			await alice.page.getByTestId('lobby-carol').getByTestId('admit-button').click();
			await carol.page.getByTestId('room-state').and(carol.page.locator('[data-state="connected"]')).waitFor();
			await carol.tile('alice').getByTestId('peer-video').waitFor();
			await Promise.all([
				carol.expectVideoFrom('alice'),
				carol.expectAudioFrom('alice'),
				alice.expectAudioFrom('carol'),
			]);
			await alice.page.getByTestId('lobby-empty').waitFor();
		});
	});

	test('a moderator turns a newcomer away, then ends the meeting for everyone', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('end');
			const flags = { webcam: 'false', mic: 'false' };
			const alice = await open(roomId, 'alice', MODERATOR, { flags });
			const bob = await open(roomId, 'bob', {}, { flags });
			await alice.page.getByTestId('moderate-button').click();
			await alice.page.getByTestId('lock-button').click();
			await alice.page.getByTestId('locked-badge').waitFor();

			const dave = await open(roomId, 'dave', {}, { flags, waitConnected: false });
			await dave.page.getByTestId('lobby-screen').waitFor();
			await alice.page.getByTestId('lobby-dave').getByTestId('deny-button').click();
			await dave.page.getByTestId('closed-reason').filter({ hasText: 'A moderator denied your entry' }).waitFor();
			assert.equal(await dave.page.getByTestId('rejoin-button').count(), 0);

			await alice.page.getByTestId('end-meeting-button').click();
			for (const peer of [alice, bob]) {
				await peer.page.getByTestId('closed-reason').filter({ hasText: 'The meeting was ended' }).waitFor();
				assert.equal(await peer.page.getByTestId('rejoin-button').count(), 0);
			}
			assert.deepEqual(await errors(alice), [], 'ending the meeting is not an error for the one who ends it');
		});
	});

	test("a moderator's other client takes away and gives back what a person may send: their controls follow", async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('grants');
			const bob = await open(roomId, 'bob');
			await bob.page.getByTestId('me-video').waitFor();
			// A moderator's dashboard, say: a headless client with its own token.
			const token = await mintToken({ apiKey, identity: 'admin', grants: { room: roomId, roomAdmin: true } });
			const admin = await env.server.connect(roomId, 'admin', { query: `&token=${token}` });
			try {
				await admin.join({ produce: false });
				await admin.request('setPeerGrants', { peerId: 'bob', grants: { publish: false } });
				await bob.page.getByTestId('toast').filter({ hasText: 'A moderator changed what you may do' }).waitFor();
				for (const control of ['mic-button', 'webcam-button', 'share-button']) {
					await bob.page.getByTestId(control).waitFor({ state: 'detached' });
				}
				await bob.page.getByTestId('me-video').waitFor({ state: 'detached' });
				assert.deepEqual(await errors(bob), [], 'what the server closed is closed here too, without an error');

				await admin.request('setPeerGrants', { peerId: 'bob', grants: { publish: ['microphone'] } });
				await bob.page.getByTestId('mic-button').filter({ hasText: 'Start mic' }).click();
				await bob.page
					.getByTestId('mic-button')
					.filter({ hasText: /^Mute$/ })
					.waitFor();
				assert.equal(await bob.page.getByTestId('webcam-button').count(), 0, 'the camera stays forbidden');
				assert.deepEqual(await errors(bob), []);
			} finally {
				admin.close();
			}
		});
	});
});
