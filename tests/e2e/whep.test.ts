// WHEP playback seen from the browser: a Chromium page running a WHEP player
// written by others (the npm package @eyevinn/webrtc-player, bundled here
// with esbuild) plays a peer of a room, a page of our app with the fake
// camera and microphone: its <video> shows the peer's camera (frames
// presented, at the camera's size) and gets its audio, while the room does
// not count the player as a peer. The player's unload() (DELETE on the
// session URL) takes the viewer's transport and consumers off the router. A
// WHIP sender (an @eyevinn/whip-web-client page, as in
// tests/e2e/whip.test.ts) is played the same way; a player that closes its
// connection without DELETE, and the sender leaving, end their sessions by
// themselves. In token mode, the token given to the player's load() opens
// the POST and the DELETE. The pages are served at the server's own origin
// (Playwright answers those URLs), as pages of the server would be.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { AUTH_KEYS, testToken } from '../helpers/accessTokens.ts';
import { E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { browserBundle, settledNoOrphans, viewerConsumersOf } from '../helpers/webrtcHttp.ts';

const SLOW = { timeoutMs: 30_000, intervalMs: 200 };

/** What the player page reports of its <video>. */
interface Playback {
	/** Frames presented (requestVideoFrameCallback calls). */
	frames: number;
	width: number;
	height: number;
	audioTracks: number;
	videoTracks: number;
	/** Audio packets the player's connection received (its inbound-rtp stats). */
	audioPackets: number;
}

/** A page at the server's origin with `script` loaded, and its console. */
async function openScriptPage(env: E2eEnvironment, name: string, script: string) {
	const context = await env.browser.newContext({ ignoreHTTPSErrors: true });
	const page = await context.newPage();
	const console: string[] = [];
	page.on('console', (message) => console.push(`[${message.type()}] ${message.text()}`));
	page.on('pageerror', (error) => console.push(`[pageerror] ${error.message}`));
	const html = `<!doctype html><html><body><video id="player" autoplay muted playsinline></video><script>${script.replaceAll('</script', '<\\/script')}</script></body></html>`;
	await page.route(`${env.baseUrl}/${name}.html`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
	await page.goto(`${env.baseUrl}/${name}.html`);
	return { context, page, console };
}

/**
 * A player page playing `endpoint` (the WHEP URL), with `authorization` the
 * player's authKey (its Authorization header); it counts the frames its
 * <video> presents.
 */
async function openPlayer(env: E2eEnvironment, script: string, endpoint: string, authorization?: string) {
	const player = await openScriptPage(env, 'whep-player-test', script);
	await player.page.evaluate(
		async ({ url, authKey }) => {
			const video = document.getElementById('player') as HTMLVideoElement;
			const counter = { frames: 0 };
			const count = () => {
				counter.frames++;
				video.requestVideoFrameCallback(count);
			};
			video.requestVideoFrameCallback(count);
			const { WebRTCPlayer } = window as unknown as {
				WebRTCPlayer: new (options: object) => { load(url: URL, authKey?: string): Promise<void> };
			};
			// No STUN server: there is no internet; the server's candidate is all ICE needs.
			const player = new WebRTCPlayer({ video, type: 'whep', iceServers: [], debug: true });
			Object.assign(window, { whepPlayer: player, frameCounter: counter });
			await player.load(new URL(url), authKey);
		},
		{ url: endpoint, authKey: authorization },
	);
	return player;
}

async function playback(page: Page): Promise<Playback> {
	return page.evaluate(async () => {
		const video = document.getElementById('player') as HTMLVideoElement;
		const { whepPlayer, frameCounter } = window as unknown as {
			whepPlayer: { peer?: RTCPeerConnection };
			frameCounter: { frames: number };
		};
		const stream = video.srcObject as MediaStream | null;
		let audioPackets = 0;
		const peer = whepPlayer.peer;
		if (peer && typeof peer.getStats === 'function') {
			(await peer.getStats()).forEach((stats: { type: string; kind?: string; packetsReceived?: number }) => {
				if (stats.type === 'inbound-rtp' && stats.kind === 'audio') audioPackets += stats.packetsReceived ?? 0;
			});
		}
		return {
			frames: frameCounter.frames,
			width: video.videoWidth,
			height: video.videoHeight,
			audioTracks: stream?.getAudioTracks().length ?? 0,
			videoTracks: stream?.getVideoTracks().length ?? 0,
			audioPackets,
		};
	});
}

/** Waits until the player has presented `frames` more frames and received audio; the playback then. */
async function expectPlaying(page: Page, consoleLines: string[], frames = 30): Promise<Playback> {
	const start = (await playback(page)).frames;
	return waitFor(
		`${frames} frames presented and audio received by the player`,
		async () => {
			const now = await playback(page);
			return now.frames >= start + frames && now.audioPackets > 20 ? now : false;
		},
		SLOW,
	).catch(async (error: unknown) => {
		throw new Error(
			`${(error as Error).message}: ${JSON.stringify(await playback(page))}\nplayer console:\n${consoleLines.join('\n')}`,
		);
	});
}

describe('WHEP playback with a browser WHEP player', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	let playerScript: string;
	let whipScript: string;
	before(async () => {
		[env, playerScript, whipScript] = await Promise.all([
			E2eEnvironment.start(),
			browserBundle('@eyevinn/webrtc-player', 'WebRTCPlayer'),
			browserBundle('@eyevinn/whip-web-client', 'WHIPClient'),
		]);
	});
	after(async () => {
		await env?.close();
	});

	test("the player plays a peer's camera and microphone; the room does not count it; unload() (DELETE) leaves nothing", async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('whep');
			const alicePage = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			const room = await env.server.server.rooms.existing(roomId);
			const alice = await waitFor(
				'alice sends audio and video',
				() => (room.peers.get('alice')?.producers.size === 2 ? room.peers.get('alice') : false),
				SLOW,
			);
			const player = await openPlayer(env, playerScript, `${env.baseUrl}/whep/${roomId}/alice`);
			try {
				const playing = await expectPlaying(player.page, player.console);
				assert.equal(playing.videoTracks, 1);
				assert.equal(playing.audioTracks, 1, 'one stream of both tracks (a=msid)');
				// The app sends its camera in simulcast; the player gets the largest picture alice sends.
				const largestSent = async () => {
					const sent = await alicePage.outbound('video');
					return Math.max(0, ...sent.map((stats) => Number(stats.frameWidth ?? 0)));
				};
				await waitFor(
					'the player shows the largest layer alice sends',
					async () => {
						const [{ width }, largest] = await Promise.all([playback(player.page), largestSent()]);
						return width > 0 && width === largest;
					},
					SLOW,
				).catch(async (error: unknown) => {
					const sent = (await alicePage.outbound('video')).map((stats) => [stats.rid, stats.frameWidth]);
					throw new Error(
						`${(error as Error).message}: player ${JSON.stringify(await playback(player.page))}, alice sends ${JSON.stringify(sent)}`,
					);
				});

				assert.deepEqual([...room.peers.keys()], ['alice'], 'the player is not a peer of the room');
				assert.equal(room.broadcasters.size, 0, 'nor a broadcaster');
				assert.equal(room.viewers.size, 1);
				const consumers = viewerConsumersOf([...room.viewers.values()][0], alice.producers);
				// The app sends its camera as simulcast: the player got the top layer of a simulcast consumer.
				assert.equal(consumers.find((consumer) => consumer.kind === 'video')?.type, 'simulcast');

				// The session's own router, beside the room's on the worker (what DELETE must take away).
				const worker = room.routers.home.worker;
				const routerIds = async () => (await worker.dump()).routerIds.sort();
				const whilePlaying = await routerIds();
				const roomRouters = new Set(room.routers.all.map(({ id }) => id));
				const sessionRouter = whilePlaying.find((id) => !roomRouters.has(id));
				assert.ok(sessionRouter, 'the session has a router of its own on the worker');
				await player.page.evaluate(async () => {
					const { whepPlayer } = window as unknown as { whepPlayer: { unload(): Promise<void> } };
					await whepPlayer.unload();
				});
				await waitFor('the viewer is gone', () => room.viewers.size === 0, SLOW);
				for (const consumer of consumers) assert.ok(consumer.closed, `the ${consumer.kind} consumer closed`);
				assert.ok(
					player.console.some((line) => line.includes('Successfully removed resource')),
					`the player's DELETE was answered 2xx:\n${player.console.join('\n')}`,
				);
				await settledNoOrphans(env.server.server, roomId);
				const after = await routerIds();
				assert.deepEqual(
					after,
					whilePlaying.filter((id) => id !== sessionRouter),
					"the session's router is gone from the worker, with its transport and consumers",
				);
			} finally {
				await player.context.close();
			}
		});
	});

	test('a WHIP sender is played the same way; a player that closes without DELETE, and a sender that leaves, end their sessions', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('whep-whip');
			// Someone in the room, so that the room stays when the sender leaves.
			await env.openPeer({ roomId, peerId: 'host', flags: { produce: 'false' } });
			const sender = await openScriptPage(env, 'whip-publisher-test', whipScript);
			const players: Awaited<ReturnType<typeof openPlayer>>[] = [];
			try {
				await sender.page.evaluate(
					async (endpoint) => {
						const stream = await navigator.mediaDevices.getUserMedia({
							audio: true,
							video: { width: 320, height: 240 },
						});
						const { WHIPClient } = window as unknown as {
							WHIPClient: new (options: object) => { ingest(stream: MediaStream): Promise<void> };
						};
						const client = new WHIPClient({ endpoint, opts: { iceServers: [] } });
						Object.assign(window, { whipClient: client });
						await client.ingest(stream);
					},
					`${env.baseUrl}/whip/${encodeURIComponent(roomId)}`,
				);
				const room = await env.server.server.rooms.existing(roomId);
				const member = await waitFor(
					'a WHIP member with audio and video producers',
					() => [...room.broadcasters.values()].find((candidate) => candidate.producers.size === 2) ?? false,
					SLOW,
				);
				const endpoint = `${env.baseUrl}/whep/${roomId}/${member.id}`;

				const first = await openPlayer(env, playerScript, endpoint);
				players.push(first);
				const playing = await expectPlaying(first.page, first.console);
				assert.deepEqual([playing.width, playing.height], [320, 240], "the WHIP sender's camera");
				viewerConsumersOf([...room.viewers.values()][0], member.producers);
				// destroy() closes the player's connection and sends no DELETE: DTLS closes, and the session ends.
				await first.page.evaluate(() => {
					(window as unknown as { whepPlayer: { destroy(): void } }).whepPlayer.destroy();
				});
				await waitFor('the session of the closed player ends', () => room.viewers.size === 0, SLOW);
				await settledNoOrphans(env.server.server, roomId);

				const second = await openPlayer(env, playerScript, endpoint);
				players.push(second);
				await expectPlaying(second.page, second.console);
				assert.equal(room.viewers.size, 1);
				// The sender stops (DELETE of its WHIP session): the WHEP session has nothing left to play.
				await sender.page.evaluate(async () => {
					const { whipClient } = window as unknown as { whipClient: { destroy(): Promise<void> } };
					await whipClient.destroy();
				});
				await waitFor('the WHEP session ends with its member', () => room.viewers.size === 0, SLOW);
				await settledNoOrphans(env.server.server, roomId);
			} finally {
				for (const player of players) await player.context.close();
				await sender.context.close();
			}
		});
	});
});

describe('WHEP playback in token mode', { timeout: 120_000 }, () => {
	let env: E2eEnvironment;
	let playerScript: string;
	before(async () => {
		[env, playerScript] = await Promise.all([
			E2eEnvironment.start({ env: { AUTH_KEYS } }),
			browserBundle('@eyevinn/webrtc-player', 'WebRTCPlayer'),
		]);
	});
	after(async () => {
		await env?.close();
	});

	test('the player sends the token given to load() as its Authorization, on POST and on DELETE; a token with only subscribe is enough', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('whep-token');
			await env.openPeer({
				roomId,
				peerId: 'alice',
				flags: { token: await testToken('alice', { room: roomId }) },
			});
			const room = await env.server.server.rooms.existing(roomId);
			await waitFor('alice sends audio and video', () => room.peers.get('alice')?.producers.size === 2, SLOW);
			const endpoint = `${env.baseUrl}/whep/${roomId}/alice`;
			// A viewer's token: subscribe, and nothing it would need to join (a player does not).
			const token = await testToken('viewer', { room: roomId, join: false, publish: false, data: false });
			const player = await openPlayer(env, playerScript, endpoint, `Bearer ${token}`);
			try {
				await expectPlaying(player.page, player.console);
				assert.equal(room.viewers.size, 1);
				await player.page.evaluate(async () => {
					const { whepPlayer } = window as unknown as { whepPlayer: { unload(): Promise<void> } };
					await whepPlayer.unload();
				});
				assert.ok(
					player.console.some((line) => line.includes('Successfully removed resource')),
					`the player's DELETE, with the token, was answered 2xx:\n${player.console.join('\n')}`,
				);
				await waitFor('the viewer is gone', () => room.viewers.size === 0, SLOW);
				await settledNoOrphans(env.server.server, roomId);
			} finally {
				await player.context.close();
			}
			// Without a token the server answers 401, and the player gets nothing.
			const refused = await openPlayer(env, playerScript, endpoint);
			try {
				await waitFor(
					'the refusal in the console',
					() => refused.console.some((line) => line.includes('sendAnswer response: 401')),
					SLOW,
				).catch((error: unknown) => {
					throw new Error(`${(error as Error).message}\n${refused.console.join('\n')}`);
				});
				assert.equal(room.viewers.size, 0);
			} finally {
				await refused.context.close();
			}
		});
	});
});
