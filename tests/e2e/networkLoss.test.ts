// A network that really goes away: each browser runs in a network namespace
// of its own, and the test takes Bob's link down (packets dropped, nobody
// told: no close, no reset) and brings it back. Alice watches.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { type BrowserPeer, E2eEnvironment, launchChromium, uniqueRoomId } from '../helpers/browserSession.ts';
import { expectCleanRoom } from '../helpers/cleanRoom.ts';
import { NetworkNamespace, ServerAddress } from '../helpers/NetworkNamespace.ts';

describe('network loss', { timeout: 300_000 }, () => {
	let server: ServerAddress;
	let aliceNetwork: NetworkNamespace;
	let bobNetwork: NetworkNamespace;
	let env: E2eEnvironment;
	/** A server with the default pings (every 10 s): a page finds a dead connection before it does. */
	let slowPingEnv: E2eEnvironment;
	let aliceBrowser: Browser;
	let bobBrowser: Browser;
	before(async () => {
		server = new ServerAddress();
		const index = (process.pid % 125) * 2;
		aliceNetwork = new NetworkNamespace(index, server);
		bobNetwork = new NetworkNamespace(index + 1, server);
		env = await E2eEnvironment.start({
			host: server.address,
			// The server finds a dead connection within 4 s (instead of 20 s), and keeps its peer 15 s.
			env: server.serverEnv({ pingIntervalMs: PING_INTERVAL_MS, graceMs: GRACE_MS }),
		});
		slowPingEnv = await E2eEnvironment.start({
			host: server.address,
			env: {
				HTTPS_LISTEN_IP: '0.0.0.0',
				MEDIASOUP_LISTEN_IP: server.address,
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
		await slowPingEnv?.close();
		aliceNetwork?.close();
		bobNetwork?.close();
		server?.close();
	});

	test('the network goes away for a few seconds: the session resumes, and the others never see the peer leave', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('blip');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', browser: aliceBrowser });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', browser: bobBrowser });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);
			await bob.page.getByTestId('mic-button').click();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			const consumersBefore = await consumerIdsOf(alice);
			await watchForTileGone(alice, 'bob');

			bobNetwork.down();
			// The server found the dead connection: Alice sees Bob reconnecting, his tile in place.
			await alice.tile('bob').getByTestId('peer-reconnecting').waitFor({ timeout: 15_000 });
			await bob.page.getByTestId('reconnect-banner').waitFor({ timeout: 15_000 });
			bobNetwork.up();

			await bob.page.locator('[data-testid="room-state"][data-state="connected"]').waitFor({ timeout: GRACE_MS });
			await alice.tile('bob').getByTestId('peer-reconnecting').waitFor({ state: 'detached', timeout: 10_000 });
			await Promise.all([
				alice.expectVideoFrom('bob', { timeoutMs: 20_000 }),
				bob.expectVideoFrom('alice', { timeoutMs: 20_000 }),
				bob.expectAudioFrom('alice', { timeoutMs: 20_000 }),
			]);
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			await bob.page.getByTestId('my-mic-muted').waitFor();
			assert.equal(await tileWasGone(alice), false, "Bob's tile never left Alice's page");
			assert.equal(await alice.page.getByTestId('toast').filter({ hasText: 'Bob left' }).count(), 0);
			assert.deepEqual(await consumerIdsOf(alice), consumersBefore, 'the same consumers: a resumed session, no rejoin');
			await expectCleanRoom(env.server, roomId, ['alice', 'bob']);
		});
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
			await expectCleanRoom(env.server, roomId, ['alice', 'bob']);
		});
	});

	test('a peer removed by a moderator while its network was away stays out when the network is back', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('removed-away');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', browser: aliceBrowser });
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', browser: bobBrowser });
			await alice.expectVideoFrom('bob', { frames: 3 });

			bobNetwork.down();
			await alice.tile('bob').getByTestId('peer-reconnecting').waitFor({ timeout: 15_000 });
			await alice.tile('bob').getByTestId('peer-menu').locator('summary').click();
			await alice.tile('bob').getByTestId('remove-peer-button').click();
			await alice.tile('bob').waitFor({ state: 'detached' });
			bobNetwork.up();

			await bob.page.getByTestId('closed-screen').waitFor({ timeout: 30_000 });
			assert.match((await bob.page.getByTestId('closed-reason').textContent()) ?? '', /removed/i);
			await sleep(4000);
			assert.equal(await alice.tile('bob').count(), 0, 'Bob did not come back');
			const room = await env.server.server.rooms.find(roomId);
			assert.deepEqual([...(room?.peers.keys() ?? [])], ['alice']);
		});
	});

	test('the page finds its dead connection before the server does: it resumes over a new one, the others never see it leave', async (t) => {
		await slowPingEnv.run(t, async () => {
			const roomId = uniqueRoomId('first');
			const alice = await slowPingEnv.openPeer({
				roomId,
				peerId: 'alice',
				displayName: 'Alice',
				browser: aliceBrowser,
			});
			const bob = await slowPingEnv.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', browser: bobBrowser });
			await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);
			await bob.page.getByTestId('mic-button').click();
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			const consumersBefore = await consumerIdsOf(alice);
			await watchForTileGone(alice, 'bob');

			const cut = Date.now();
			bobNetwork.down();
			await bob.page.getByTestId('reconnect-banner').waitFor({ timeout: 15_000 });
			bobNetwork.up();
			const outageMs = Date.now() - cut;

			await bob.page.locator('[data-testid="room-state"][data-state="connected"]').waitFor({ timeout: 20_000 });
			await Promise.all([
				alice.expectVideoFrom('bob', { timeoutMs: 20_000 }),
				bob.expectVideoFrom('alice', { timeoutMs: 20_000 }),
			]);
			await alice.tile('bob').getByTestId('mic-muted').filter({ hasText: 'muted' }).waitFor();
			assert.equal(await tileWasGone(alice), false, `Bob's tile never left Alice's page (outage ${outageMs} ms)`);
			assert.deepEqual(await consumerIdsOf(alice), consumersBefore, 'the same consumers: a resumed session');
			await expectCleanRoom(slowPingEnv.server, roomId, ['alice', 'bob']);
		});
	});
});

const PING_INTERVAL_MS = 2000;
const GRACE_MS = 15_000;

/** Longer than the server takes to find the dead connection (two ping intervals) and its grace period. */
const OUTAGE_MS = 2 * PING_INTERVAL_MS + GRACE_MS + 3000;

/** The ids of the consumers a page has, in order. */
function consumerIdsOf(peer: BrowserPeer): Promise<string[]> {
	return peer.page.evaluate(() => [...(window.store?.getState().consumers.ids ?? [])].map(String).sort());
}

/** From now on the page notes if the tile of `peerId` is ever missing, even for a moment. */
async function watchForTileGone(peer: BrowserPeer, peerId: string): Promise<void> {
	await peer.page.evaluate((id) => {
		const state = window as unknown as { __tileGone?: boolean };
		state.__tileGone = false;
		const check = () => {
			if (!document.querySelector(`[data-testid="peer-${id}"]`)) state.__tileGone = true;
		};
		new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
	}, peerId);
}

function tileWasGone(peer: BrowserPeer): Promise<boolean> {
	return peer.page.evaluate(() => (window as unknown as { __tileGone?: boolean }).__tileGone === true);
}
