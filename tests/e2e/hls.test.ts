// Live HLS seen from the browser: two people of our app in a room (Chromium,
// fake camera and microphone), the stream started over REST, and a Chromium
// page running a player written by others (the npm package hls.js, bundled
// here with esbuild) playing /hls/:roomId/index.m3u8: its currentTime
// advances for more than 10 s, it decodes audio, and the picture (read back
// from the video element through a canvas, and saved as screenshots in
// test-results/hls/) shows a tile per person: two side by side, then a third
// person joins (sending H.264, the others VP8) and the grid becomes two rows
// with the third tile in the bottom row, while the player plays on without a
// fatal error. ffprobe reads a segment as H.264 + AAC. Stopping leaves nothing
// on the router. The player page is served at the server's own origin
// (Playwright answers that one URL). In token mode, hls.js on a page of
// another site (CORS) sending the token from its xhrSetup plays, and a player
// without one gets a fatal 401 on the playlist.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { AUTH_KEYS, bearer, testToken } from '../helpers/accessTokens.ts';
import { probe } from '../helpers/broadcasterScripts.ts';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { browserBundle } from '../helpers/webrtcHttp.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');
const outputDir = path.join(rootDir, 'test-results', 'hls');
const SLOW = { timeoutMs: 40_000, intervalMs: 500 };
/**
 * Brightness of a spot (its pixels' strongest channel, 0-255, averaged) above
 * which it shows a tile (the fake camera's greens are 128 and more), and
 * below which it is black.
 */
const TILE = 60;
const BLACK = 24;

/**
 * What the page does with hls.js, as a site embedding the stream would:
 * load the playlist, attach it to a <video>, play; every error hls.js
 * reports is kept. `sample` reads the brightness (strongest channel) of spots of the picture
 * (fractions of its width and height) from the decoded frame.
 */
const PLAYER_SCRIPT = `
window.startPlayer = (src, token) => {
	const video = document.querySelector('video');
	const state = { errors: [], fatal: [] };
	// Token mode: every request of the player carries the token.
	const hls = new Hls(token ? { xhrSetup: (xhr) => xhr.setRequestHeader('Authorization', 'Bearer ' + token) } : {});
	hls.on(Hls.Events.ERROR, (_event, data) => {
		state.errors.push(data.details);
		if (data.fatal) state.fatal.push(data.type + ' ' + data.details);
	});
	hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
	hls.loadSource(src);
	hls.attachMedia(video);
	window.player = { hls, video, state };
};
window.playerState = () => ({
	currentTime: player.video.currentTime,
	paused: player.video.paused,
	width: player.video.videoWidth,
	height: player.video.videoHeight,
	audioBytes: player.video.webkitAudioDecodedByteCount,
	fatal: player.state.fatal,
	errors: player.state.errors,
});
window.sample = (spots) => {
	const video = player.video;
	const canvas = document.createElement('canvas');
	canvas.width = video.videoWidth;
	canvas.height = video.videoHeight;
	const context = canvas.getContext('2d');
	context.drawImage(video, 0, 0);
	return spots.map(([x, y]) => {
		const size = 8;
		const left = Math.min(canvas.width - size, Math.max(0, Math.round(x * canvas.width) - size / 2));
		const top = Math.min(canvas.height - size, Math.max(0, Math.round(y * canvas.height) - size / 2));
		const data = context.getImageData(left, top, size, size).data;
		let sum = 0;
		for (let i = 0; i < data.length; i += 4) sum += Math.max(data[i], data[i + 1], data[i + 2]);
		return Math.round(sum / (data.length / 4));
	});
};
`;

function startPlayer(page: Page, url: string, token?: string): Promise<void> {
	return page.evaluate(
		([src, bearer]) =>
			(window as unknown as { startPlayer(src: string, token?: string): void }).startPlayer(src, bearer),
		[url, token] as const,
	);
}

function playerState(page: Page): Promise<PlayerState> {
	return page.evaluate(() => (window as unknown as { playerState(): PlayerState }).playerState());
}

interface PlayerState {
	currentTime: number;
	paused: boolean;
	width: number;
	height: number;
	audioBytes: number;
	fatal: string[];
	errors: string[];
}

type Spot = [x: number, y: number];
/** Two people: two tiles side by side, each in the middle of its half. */
const TWO_TILES: Spot[] = [
	[0.25, 0.5],
	[0.75, 0.5],
];
/**
 * Three: two rows; the third tile is in the middle of the bottom row. With
 * two people that spot is black: below the tiles, whatever the cameras'
 * shape between 4:3 and 16:9.
 */
const THIRD_TILE: Spot = [0.5, 0.92];
const TOP_ROW: Spot[] = [
	[0.25, 0.25],
	[0.75, 0.25],
];

interface Player {
	page: Page;
	console: string[];
	close(): Promise<void>;
}

/** The player page's HTML: hls.js and the player script inline. */
function playerHtml(): string {
	return (
		'<!doctype html><html><body style="margin:0;background:#333">' +
		'<video style="width:640px;height:360px;display:block" playsinline></video>' +
		`<script>${script.replaceAll('</script', '<\\/script')}</script>` +
		`<script>${PLAYER_SCRIPT}</script></body></html>`
	);
}

/**
 * A player page in a browser context of its own: at the server's origin
 * (Playwright answers that one URL), or at `pageUrl` (a site of its own).
 */
async function openPlayerPage(env: E2eEnvironment, pageUrl?: string): Promise<Player> {
	const context = await env.browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 800, height: 500 } });
	const page = await context.newPage();
	const console: string[] = [];
	page.on('console', (message) => console.push(`[${message.type()}] ${message.text()}`));
	page.on('pageerror', (error) => console.push(`[pageerror] ${error.message}`));
	if (pageUrl) {
		await page.goto(pageUrl);
	} else {
		await page.route(`${env.baseUrl}/hls-player-test.html`, (route) =>
			route.fulfill({ contentType: 'text/html', body: playerHtml() }),
		);
		await page.goto(`${env.baseUrl}/hls-player-test.html`);
	}
	return { page, console, close: () => context.close() };
}

let script: string;
before(async () => {
	mkdirSync(outputDir, { recursive: true });
	script = await browserBundle('hls.js', 'Hls', { from: 'default' });
});

describe('live HLS of a room, played by hls.js', { timeout: 300_000 }, () => {
	let env: E2eEnvironment;
	let hlsDir: string;
	before(async () => {
		hlsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-e2e-hls-'));
		// A smaller picture than the default 1280x720 at 25 fps: three browsers share two cores.
		env = await E2eEnvironment.start({
			env: { HLS_DIR: hlsDir, HLS_WIDTH: '640', HLS_HEIGHT: '360', HLS_FRAMERATE: '15' },
		});
	});
	after(async () => {
		await env?.close();
		rmSync(hlsDir, { recursive: true, force: true });
	});

	const openPlayer = () => openPlayerPage(env);

	test('two people, then a third: the player plays on and the grid follows', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('hls');
			await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });
			const room = await env.server.server.rooms.existing(roomId);
			const videoProducers = () =>
				[...room.peers.values()].flatMap((peer) => [...peer.producers.values()]).filter((p) => p.kind === 'video');
			await waitFor('both cameras on the server', () => videoProducers().length === 2, SLOW);

			const started = await env.server.rest('POST', `/rooms/${roomId}/hls`);
			assert.equal(started.status, 200, JSON.stringify(started.body));
			const { url } = started.body as { url: string };
			const stream = room.hls.stream;
			assert.ok(stream);

			const player = await openPlayer();
			try {
				const state = () => playerState(player.page);
				const sample = (spots: Spot[]) =>
					player.page.evaluate((s) => (window as unknown as { sample(s: Spot[]): number[] }).sample(s), spots);
				const screenshot = (name: string) =>
					player.page.locator('video').screenshot({ path: path.join(outputDir, name) });
				await startPlayer(player.page, url);

				const playing = await waitFor(
					'the player to start',
					async () => {
						const now = await state();
						return now.currentTime > 0 && now;
					},
					SLOW,
				).catch(async (error: unknown) => {
					throw new Error(
						`${(error as Error).message}: ${JSON.stringify(await state())}\n${player.console.join('\n')}`,
					);
				});
				assert.deepEqual([playing.width, playing.height], [640, 360], 'the stream has the configured size');

				// Two tiles side by side; below them, black.
				await waitFor(
					'two tiles in the picture',
					async () => (await sample(TWO_TILES)).every((v) => v > TILE),
					SLOW,
				).catch(async (error: unknown) => {
					await screenshot('two-people-failed.png');
					throw new Error(`${(error as Error).message}: brightness ${await sample(TWO_TILES)}`);
				});
				const [belowTwo] = await sample([THIRD_TILE]);
				assert.ok((belowTwo ?? 255) < BLACK, `below two tiles is black (brightness ${belowTwo})`);
				await screenshot('two-people.png');

				// currentTime advances for more than 10 s, audio is decoded, nothing fatal.
				const start = await state();
				const tenSeconds = await waitFor(
					'currentTime to advance by 10 s',
					async () => {
						const now = await state();
						return now.currentTime >= start.currentTime + 10 && now;
					},
					SLOW,
				);
				assert.deepEqual(tenSeconds.fatal, [], 'no fatal hls.js error');
				assert.equal(tenSeconds.paused, false);
				assert.ok(
					tenSeconds.audioBytes > start.audioBytes,
					`audio decoded (${start.audioBytes} -> ${tenSeconds.audioBytes} bytes)`,
				);

				// A segment, as ffprobe reads it over HTTPS.
				const listed = await env.server.rest('GET', url);
				const segment = String(listed.body)
					.split('\n')
					.filter((line) => line.endsWith('.ts'))
					.at(-1);
				assert.ok(segment, String(listed.body));
				const { streams } = await probe(`https://127.0.0.1:${env.server.port}${path.posix.dirname(url)}/${segment}`);
				assert.deepEqual(streams.map((s) => `${s.type} ${s.codec}`).sort(), ['audio aac', 'video h264']);
				assert.ok(
					streams.every((s) => s.frames > 0),
					JSON.stringify(streams),
				);

				// A third person joins, sending H.264: a third tile, the stream goes on.
				const beforeJoin = await state();
				await env.openPeer({ roomId, peerId: 'carol', displayName: 'Carol', flags: { forceH264: 'true' } });
				await waitFor(
					'three video inputs in the stream',
					() => [...stream.inputs.values()].filter((input) => input.kind === 'video').length === 3,
					SLOW,
				);
				await waitFor(
					'a third tile in the picture',
					async () => {
						const [third, ...top] = await sample([THIRD_TILE, ...TOP_ROW]);
						return (third ?? 0) > TILE && top.every((v) => v > TILE);
					},
					SLOW,
				).catch(async (error: unknown) => {
					await screenshot('three-people-failed.png');
					throw new Error(`${(error as Error).message}: brightness ${await sample([THIRD_TILE, ...TOP_ROW])}`);
				});
				await screenshot('three-people.png');
				const afterJoin = await state();
				assert.ok(
					afterJoin.currentTime > beforeJoin.currentTime + 2,
					`played on across the join (${beforeJoin.currentTime} -> ${afterJoin.currentTime} s)`,
				);
				assert.deepEqual(afterJoin.fatal, [], 'no fatal hls.js error across the join');
				assert.equal(afterJoin.paused, false);
			} finally {
				await player.close();
			}

			assert.equal((await env.server.rest('DELETE', `/rooms/${roomId}/hls`)).status, 200);
			await waitFor('the router holds only what the members own', () =>
				assertNoOrphans(env.server.server, roomId).then(
					() => true,
					() => false,
				),
			).catch(() => {});
			await assertNoOrphans(env.server.server, roomId);
		});
	});
});

describe('live HLS in token mode: hls.js sends the token', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	let hlsDir: string;
	const roomId = uniqueRoomId('hls-token');
	before(async () => {
		hlsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-e2e-hls-token-'));
		env = await E2eEnvironment.start({
			env: { AUTH_KEYS, HLS_DIR: hlsDir, HLS_WIDTH: '320', HLS_HEIGHT: '180', HLS_FRAMERATE: '15' },
		});
	});
	after(async () => {
		await env?.close();
		rmSync(hlsDir, { recursive: true, force: true });
	});

	test('hls.js on a page of another site: with xhrSetup sending the record token it plays; without a token, 401', async (t) => {
		await env.run(t, async () => {
			// A member opens the room: a broadcaster with its ingest token.
			const ingest = bearer(await testToken('cam', { room: roomId, ingest: true }));
			const created = await env.server.rest(
				'POST',
				`/rooms/${roomId}/broadcasters`,
				{ id: 'cam', displayName: 'Cam', device: { name: 'test' } },
				ingest,
			);
			assert.equal(created.status, 200, JSON.stringify(created.body));
			const token = await testToken('viewer', { room: roomId, record: true });
			const started = await env.server.rest('POST', `/rooms/${roomId}/hls`, undefined, bearer(token));
			assert.equal(started.status, 200, JSON.stringify(started.body));
			const { url } = started.body as { url: string };

			// The player on a site of its own (Chromium lets only a loopback page
			// reach a loopback server), http://localhost: a secure context like https.
			const site = createServer((_req, res) => {
				res.setHeader('content-type', 'text/html');
				res.end(playerHtml());
			});
			await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
			t.after(() => site.close());
			const pageUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
			const streamUrl = `${env.baseUrl}${url}`;
			const withToken = await openPlayerPage(env, pageUrl);
			const withoutToken = await openPlayerPage(env, pageUrl);
			try {
				await startPlayer(withToken.page, streamUrl, token);
				await startPlayer(withoutToken.page, streamUrl);
				const playing = await waitFor(
					'the player with the token to play 4 s',
					async () => {
						const now = await playerState(withToken.page);
						return now.currentTime > 4 && now;
					},
					SLOW,
				);
				assert.deepEqual(playing.fatal, []);
				const refused = await waitFor(
					'the player without a token to give up',
					async () => {
						const now = await playerState(withoutToken.page);
						return now.fatal.length > 0 && now;
					},
					SLOW,
				);
				assert.deepEqual(refused.fatal, ['networkError manifestLoadError']);
				assert.equal(refused.currentTime, 0);
			} finally {
				await withToken.close();
				await withoutToken.close();
			}
			assert.equal((await env.server.rest('DELETE', `/rooms/${roomId}/hls`, undefined, bearer(token))).status, 200);
		});
	});
});
