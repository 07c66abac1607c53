// The stats panel shows live numbers: browser and server counters that grow.
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

/** A number shown in the panel: section kind + media kind, source (browser/server), stat name. */
async function shownNumber(
	page: Page,
	section: { kind: string; mediaKind?: string },
	source: 'browser' | 'server',
	stat: string,
): Promise<number | undefined> {
	const selector = `[data-testid="stats-section"][data-kind="${section.kind}"]${
		section.mediaKind ? `[data-media-kind="${section.mediaKind}"]` : ''
	} td[data-source="${source}"][data-stat="${stat}"]`;
	const cell = page.locator(selector).first();
	if ((await cell.count()) === 0) return undefined;
	const value = Number(await cell.textContent());
	return Number.isFinite(value) ? value : undefined;
}

async function expectGrowing(
	page: Page,
	section: { kind: string; mediaKind?: string },
	source: 'browser' | 'server',
	stat: string,
): Promise<void> {
	const what = `${source} ${stat} of ${section.kind} ${section.mediaKind ?? ''}`;
	const first = await waitFor(`${what} shown`, async () => (await shownNumber(page, section, source, stat)) ?? false, {
		timeoutMs: 15_000,
		intervalMs: 200,
	});
	await waitFor(
		`${what} to grow from ${first}`,
		async () => ((await shownNumber(page, section, source, stat)) ?? 0) > first,
		{
			timeoutMs: 10_000,
			intervalMs: 200,
		},
	);
}

describe('stats panel', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	test('the stats panel shows live numbers from the browser and the server', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('stats');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags: { stats: 'true' } });
			await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			const page = alice.page;
			await page.getByTestId('stats-panel').waitFor();

			const growing = (section: { kind: string; mediaKind?: string }, source: 'browser' | 'server', stat: string) =>
				expectGrowing(page, section, source, stat);
			await Promise.all([
				// What alice receives from bob, counted by her browser and by the server.
				growing({ kind: 'consumer', mediaKind: 'video' }, 'browser', 'framesDecoded'),
				growing({ kind: 'consumer', mediaKind: 'audio' }, 'browser', 'packetsReceived'),
				growing({ kind: 'consumer', mediaKind: 'video' }, 'server', 'byteCount'),
				// What alice sends.
				growing({ kind: 'producer', mediaKind: 'video' }, 'browser', 'framesEncoded'),
				growing({ kind: 'producer', mediaKind: 'audio' }, 'server', 'byteCount'),
				// Her transports, on both sides.
				growing({ kind: 'transport' }, 'browser', 'bytesSent'),
				growing({ kind: 'transport' }, 'server', 'bytesReceived'),
			]);
			// The chat channels have server stats too.
			await page.locator('[data-testid="stats-section"][data-kind="dataProducer"]').first().waitFor();
			await page.locator('[data-testid="stats-section"][data-kind="dataConsumer"]').first().waitFor();

			// The button closes and reopens it.
			await page.getByTestId('stats-button').click();
			await page.getByTestId('stats-panel').waitFor({ state: 'detached' });
			await page.getByTestId('stats-button').click();
			await page.getByTestId('stats-panel').waitFor();
			// A reopened panel fills its sections at its first refresh, a round trip to the server later.
			await waitFor(
				'the reopened panel to show transports, producers, consumers and channels',
				async () => (await page.getByTestId('stats-section').count()) >= 6,
			);
		});
	});
});
