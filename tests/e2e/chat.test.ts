// Chat over the "chat" data channel, and the room's bot answering "@bot".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';

describe('chat', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('a chat message reaches the other peer and the bot answers @bot', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('chat');
			// Chat needs no media: keep the browsers light.
			const noMedia = { mic: 'false', webcam: 'false' };
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: noMedia });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: noMedia });
			await alice.tile('bob').waitFor();

			await alice.page.getByTestId('chat-button').click();
			const input = alice.page.getByTestId('chat-input');
			await input.and(alice.page.locator(':enabled')).waitFor();
			await input.fill('Hello Bob!');
			await input.press('Enter');

			// Bob sees the unread badge, opens the chat and reads it.
			const bobMessage = bob.page.getByTestId('chat-message').filter({ hasText: 'Hello Bob!' });
			await bob.page.getByTestId('chat-button').filter({ hasText: '1' }).waitFor();
			await bob.page.getByTestId('chat-button').click();
			await bobMessage.waitFor();
			assert.equal(await bobMessage.getAttribute('data-from'), 'peer');
			assert.match((await bobMessage.textContent()) ?? '', /Alice/);

			// Alice asks the bot; the bot answers her only through its own channel.
			await input.fill('@bot what time is it?');
			await alice.page.getByTestId('chat-send').click();
			const answer = alice.page.getByTestId('chat-message').and(alice.page.locator('[data-from="bot"]'));
			await answer.waitFor();
			assert.match((await answer.textContent()) ?? '', /Alice said me: "what time is it\?"/);
			// The bot's data producer is consumed by everyone, so bob sees the answer too.
			await bob.page.getByTestId('chat-message').and(bob.page.locator('[data-from="bot"]')).waitFor();
			// The question itself went to the bot, not into bob's chat.
			assert.equal(await bob.page.getByTestId('chat-message').filter({ hasText: '@bot' }).count(), 0);
		});
	});
});
