// A network that really goes away: each browser runs in a network namespace
// of its own, and the test takes Bob's link down (packets dropped, nobody
// told: no close, no reset) and brings it back. Alice watches.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { E2eEnvironment, launchChromium, uniqueRoomId } from '../helpers/browserSession.ts';
import { NetworkNamespace, ServerAddress } from '../helpers/NetworkNamespace.ts';

describe('network loss', { timeout: 300_000 }, () => {
	let server: ServerAddress;
	let aliceNetwork: NetworkNamespace;
	let bobNetwork: NetworkNamespace;
	let env: E2eEnvironment;
	let aliceBrowser: Browser;
	let bobBrowser: Browser;
	before(async () => {
		server = new ServerAddress();
		const index = (process.pid % 125) * 2;
		aliceNetwork = new NetworkNamespace(index, server);
		bobNetwork = new NetworkNamespace(index + 1, server);
		env = await E2eEnvironment.start({
			host: server.address,
			env: {
				HTTPS_LISTEN_IP: '0.0.0.0',
				MEDIASOUP_LISTEN_IP: '0.0.0.0',
				MEDIASOUP_ANNOUNCED_ADDRESS: server.address,
			},
		});
		aliceBrowser = await launchChromium(aliceNetwork.chromiumExecutable());
		bobBrowser = await launchChromium(bobNetwork.chromiumExecutable());
	});
	after(async () => {
		await aliceBrowser?.close();
		await bobBrowser?.close();
		await env?.close();
		aliceNetwork?.close();
		bobNetwork?.close();
		server?.close();
	});

	test('the network goes away for longer than the server waits: the peer is back by itself, still muted', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('netloss');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', browser: aliceBrowser });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', browser: bobBrowser });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);
			await bob.page.getByTestId('mic-button').click();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();

			bobNetwork.down();
			await bob.page.getByTestId('reconnect-banner').waitFor({ timeout: 20_000 });
			await sleep(OUTAGE_MS);
			bobNetwork.up();

			await bob.page.locator('[data-testid="room-state"][data-state="connected"]').waitFor({ timeout: 40_000 });
			await alice.tile('bob').waitFor();
			await alice.expectVideoFrom('bob', { timeoutMs: 20_000 });
			await bob.expectVideoFrom('alice', { timeoutMs: 20_000 });
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			await bob.page.getByTestId('my-mic-muted').waitFor();
			assert.equal(await bob.page.getByTestId('rejoin-button').count(), 0, 'nobody clicked');
		});
	});
});

/** Longer than the server's grace period (reconnect.graceMs, 15 s by default) and its ping timeout. */
const OUTAGE_MS = 20_000;
