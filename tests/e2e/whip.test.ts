// WHIP ingest seen from the browser: a Chromium page running a WHIP client
// written by others (the npm package @eyevinn/whip-web-client, bundled here
// with esbuild) publishes its fake camera and microphone to
// /whip/:roomId; a page of our app in the room shows the sender's tile,
// decodes its video and plays its audio. The client's destroy() (DELETE on
// the session URL) takes the tile off the page and leaves nothing of the
// session on the server. Recording the room meanwhile records the sender. The client page is served at the server's own
// origin (Playwright answers that one URL), as a WHIP page would be.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { probe } from '../helpers/broadcasterScripts.ts';
import { type BrowserPeer, E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { waitFor } from '../helpers/waitFor.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');
const SLOW = { timeoutMs: 30_000, intervalMs: 200 };

/** The client library as a script that sets window.WHIPClient. */
async function whipClientScript(): Promise<string> {
	const result = await build({
		stdin: {
			contents: "import { WHIPClient } from '@eyevinn/whip-web-client'; window.WHIPClient = WHIPClient;",
			resolveDir: rootDir,
			loader: 'js',
		},
		bundle: true,
		format: 'iife',
		platform: 'browser',
		write: false,
		logLevel: 'silent',
	});
	const [file] = result.outputFiles;
	assert.ok(file, 'esbuild bundled the client');
	return file.text;
}

describe('WHIP ingest from a browser WHIP client', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	let script: string;
	let recordingsDir: string;
	before(async () => {
		recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-e2e-whip-'));
		[env, script] = await Promise.all([
			E2eEnvironment.start({ env: { RECORDINGS_DIR: recordingsDir } }),
			whipClientScript(),
		]);
	});
	after(async () => {
		await env?.close();
		rmSync(recordingsDir, { recursive: true, force: true });
	});

	/** A page at the server's origin that publishes camera and microphone with the WHIP client. */
	async function openPublisher(roomId: string) {
		const context = await env.browser.newContext({ ignoreHTTPSErrors: true });
		const page = await context.newPage();
		const console: string[] = [];
		page.on('console', (message) => console.push(`[${message.type()}] ${message.text()}`));
		page.on('pageerror', (error) => console.push(`[pageerror] ${error.message}`));
		const pageUrl = `${env.baseUrl}/whip-publisher-test.html`;
		await page.route(pageUrl, (route) =>
			route.fulfill({
				contentType: 'text/html',
				body: `<!doctype html><html><body><script>${script.replaceAll('</script', '<\\/script')}</script></body></html>`,
			}),
		);
		await page.goto(pageUrl);
		await page.evaluate(
			async (endpoint) => {
				const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
				const { WHIPClient } = window as unknown as {
					WHIPClient: new (options: object) => { ingest(stream: MediaStream): Promise<void> };
				};
				// No STUN server: there is no internet; the server's candidate is all ICE needs.
				const client = new WHIPClient({ endpoint, opts: { debug: true, iceServers: [] } });
				Object.assign(window, { whipClient: client });
				await client.ingest(stream);
			},
			`${env.baseUrl}/whip/${encodeURIComponent(roomId)}`,
		);
		return { context, page, console };
	}

	test('a viewer sees and hears the WHIP sender; destroy() (DELETE) takes it out of the room', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('whip');
			const viewer: BrowserPeer = await env.openPeer({
				roomId,
				peerId: 'viewer',
				displayName: 'Viewer',
				flags: { produce: 'false' },
			});
			const publisher = await openPublisher(roomId);
			try {
				const room = await env.server.server.rooms.existing(roomId);
				const member = await waitFor(
					'a WHIP member with audio and video producers',
					() =>
						[...room.broadcasters.values()].find(
							(candidate) => candidate.info.device.flag === 'whip' && candidate.producers.size === 2,
						) ?? false,
					SLOW,
				).catch((error: unknown) => {
					throw new Error(`${(error as Error).message}\npublisher console:\n${publisher.console.join('\n')}`);
				});

				const tile = viewer.tile(member.id);
				await tile.getByTestId('peer-name').filter({ hasText: 'WHIP' }).waitFor({ timeout: SLOW.timeoutMs });
				await tile.getByTestId('peer-video').waitFor({ timeout: SLOW.timeoutMs });
				await Promise.all([
					viewer.expectVideoFrom(member.id, { frames: 15, timeoutMs: SLOW.timeoutMs }),
					expectAudioDecodedFrom(viewer, member.id),
				]);
				const size = await tile
					.getByTestId('peer-video')
					.evaluate((video: HTMLVideoElement) => ({ width: video.videoWidth, height: video.videoHeight }));
				assert.deepEqual(size, { width: 320, height: 240 }, "the viewer's video element shows the sender's camera");
				await assertNoOrphans(env.server.server, roomId);
				// The client read PATCH in the OPTIONS answer and trickled its candidates with it.
				assert.ok(
					publisher.console.some((line) => line.includes('supports Trickle ICE')),
					`the client uses trickle ICE:\n${publisher.console.join('\n')}`,
				);
				assert.ok(
					!publisher.console.some((line) => line.includes('Trickle ICE not supported')),
					'every PATCH was answered 2xx',
				);

				// Recorded like any member: one decodable file per producer.
				const started = await env.server.rest('POST', `/rooms/${roomId}/recording`);
				assert.equal(started.status, 200, JSON.stringify(started.body));
				await sleep(3000);
				const stopped = await env.server.rest('DELETE', `/rooms/${roomId}/recording`);
				assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
				const { files } = stopped.body as { files: { name: string; peerId: string; kind: string; bytes: number }[] };
				const mine = files.filter((file) => file.peerId === member.id);
				assert.deepEqual(mine.map((file) => file.kind).sort(), ['audio', 'video'], JSON.stringify(files));
				for (const file of mine) {
					const { streams } = await probe(path.join(room.recorder.directory, file.name));
					assert.ok((streams[0]?.frames ?? 0) > 10, `${file.kind} file ${file.name} has decodable frames`);
				}

				const transports = [...member.transports.values()];
				const producers = [...member.producers.values()];
				await publisher.page.evaluate(async () => {
					const { whipClient } = window as unknown as { whipClient: { destroy(): Promise<void> } };
					await whipClient.destroy();
				});
				await tile.waitFor({ state: 'detached', timeout: SLOW.timeoutMs });
				await viewer.expectNoVideo();
				assert.equal(room.broadcasters.has(member.id), false, 'the room no longer lists the WHIP sender');
				for (const transport of transports) assert.ok(transport.closed, `transport ${transport.id} closed`);
				for (const producer of producers) assert.ok(producer.closed, `${producer.kind} producer closed`);
				await assertNoOrphans(env.server.server, roomId);
			} finally {
				await publisher.context.close();
			}
		});
	});
});

/** Audio is decoded, not only received: samples that are not concealment, with energy (the fake mic's beep). */
async function expectAudioDecodedFrom(viewer: BrowserPeer, peerId: string): Promise<void> {
	await viewer.expectAudioFrom(peerId, { timeoutMs: SLOW.timeoutMs });
	await viewer.waitForGrowth(
		`audio samples decoded from ${peerId}`,
		async () => {
			const stats = await viewer.inboundFrom(peerId, 'audio');
			if (stats?.totalSamplesReceived === undefined) return undefined;
			return stats.totalSamplesReceived - Number(stats.concealedSamples ?? 0);
		},
		{ by: 24_000, timeoutMs: SLOW.timeoutMs },
	);
	await viewer.waitForGrowth(
		`audio energy from ${peerId}`,
		async () => {
			const energy = (await viewer.inboundFrom(peerId, 'audio'))?.totalAudioEnergy;
			return typeof energy === 'number' ? energy * 1000 : undefined;
		},
		{ by: 1, timeoutMs: SLOW.timeoutMs },
	);
}
