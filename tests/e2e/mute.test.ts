// Muting: the other side shows it, and audio packets stop arriving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';

describe('mute', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('mute shows on the other side and stops audio packets; unmute brings them back', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('mute');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { webcam: 'false' } });
			await alice.expectAudioFrom('bob');
			assert.equal(await alice.tile('bob').getByTestId('mic-muted').count(), 0);

			await bob.page.getByTestId('mic-button').click();
			await bob.page.getByTestId('my-mic-muted').waitFor();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();

			// Let packets in flight arrive, then the count must stand still.
			await sleep(500);
			const before = (await alice.inboundFrom('bob', 'audio'))?.packetsReceived ?? 0;
			await sleep(1500);
			const afterMute = (await alice.inboundFrom('bob', 'audio'))?.packetsReceived ?? 0;
			assert.ok(afterMute - before <= 2, `audio packets stopped while muted (${before} -> ${afterMute})`);

			await bob.page.getByTestId('mic-button').click();
			await alice.tile('bob').getByTestId('mic-muted').waitFor({ state: 'detached' });
			await alice.expectAudioFrom('bob');
		});
	});

	test('the active speaker gets a ring that goes when they mute', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('speaker');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { webcam: 'false' } });
			const bob = await env.openPeer({
				roomId,
				peerId: 'bob',
				displayName: 'Bob',
				flags: { webcam: 'false', mic: 'false' },
			});
			const ring = bob.page.locator('[data-testid="peer-alice"][data-active-speaker="true"]');
			await ring.waitFor({ timeout: 15_000 });
			assert.match((await ring.getAttribute('class')) ?? '', /\bspeaking\b/);

			await alice.page.getByTestId('mic-button').click();
			await bob.page.locator('[data-testid="peer-alice"][data-active-speaker="false"]').waitFor({ timeout: 15_000 });
		});
	});
});
