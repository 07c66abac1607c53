// End-to-end encryption (e2eKey): peers with the same passphrase see each
// other through a server that only relays ciphertext; a peer with another
// passphrase receives the packets but cannot decode a single frame.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';

describe('end-to-end encryption', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('e2eKey: the same key decodes, another key does not', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('e2ee');
			const alice = await env.openPeer({
				roomId,
				peerId: 'alice',
				displayName: 'Alice',
				flags: { e2eKey: 'open sesame' },
			});
			// The badge stays as long as encryption is on (the toast goes after a few seconds).
			await alice.page.getByTestId('e2ee-badge').waitFor();
			const bob = await env.openPeer({
				roomId,
				peerId: 'bob',
				displayName: 'Bob',
				flags: { e2eKey: 'open sesame', produce: 'false' },
			});
			await bob.page.getByTestId('e2ee-badge').waitFor();
			await bob.expectVideoFrom('alice');
			await bob.expectAudioFrom('alice');
			// Both ends used the transform: the sender's codec is VP8 as e2eKey requires.
			const sent = await alice.transportStats('send');
			const codecIds = new Set(sent.filter((entry) => entry.type === 'outbound-rtp').map((entry) => entry.codecId));
			const mimeTypes = sent.filter((entry) => codecIds.has(entry.id)).map((entry) => entry.mimeType);
			assert.ok(mimeTypes.includes('video/VP8'), `alice sends VP8 (${mimeTypes.join(', ')})`);

			const eve = await env.openPeer({
				roomId,
				peerId: 'eve',
				displayName: 'Eve',
				flags: { e2eKey: 'wrong guess', produce: 'false' },
			});
			await eve.waitForGrowth(
				'video packets from alice',
				async () => (await eve.inboundFrom('alice', 'video'))?.packetsReceived,
				{
					by: 20,
				},
			);
			await eve.page.getByTestId('toast').filter({ hasText: 'Cannot decrypt' }).first().waitFor();
			await sleep(1000);
			assert.equal((await eve.inboundFrom('alice', 'video'))?.framesDecoded ?? 0, 0, 'eve decodes nothing');
		});
	});
});
