// WHIP ingest seen from the browser: a Chromium page running a WHIP client
// written by others (the npm package @eyevinn/whip-web-client, bundled here
// with esbuild) publishes its fake camera and microphone to /whip/:roomId; a
// page of our app in the room shows the sender's tile, decodes its video and
// plays its audio; recording the room meanwhile records the sender. The
// client's destroy() (DELETE on the session URL) takes the tile off the page
// and leaves nothing of the session on the server. A second sender, a plain
// RTCPeerConnection offering simulcast, gets every layer it sends to
// mediasoup, and closing its connection without a DELETE ends its session.
// The client pages are served at the server's own origin (Playwright answers
// that one URL), as a WHIP page of the server would be.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { probe } from '../helpers/broadcasterScripts.ts';
import { type BrowserPeer, E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { browserBundle, settledNoOrphans } from '../helpers/webrtcHttp.ts';

const SLOW = { timeoutMs: 30_000, intervalMs: 200 };

describe('WHIP ingest from a browser WHIP client', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	let script: string;
	let recordingsDir: string;
	before(async () => {
		recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-e2e-whip-'));
		[env, script] = await Promise.all([
			E2eEnvironment.start({ env: { RECORDINGS_DIR: recordingsDir } }),
			browserBundle('@eyevinn/whip-web-client', 'WHIPClient'),
		]);
	});
	after(async () => {
		await env?.close();
		rmSync(recordingsDir, { recursive: true, force: true });
	});

	/** The client page's HTML: the library inline. */
	const clientPage = () =>
		`<!doctype html><html><body><script>${script.replaceAll('</script', '<\\/script')}</script></body></html>`;

	/** A page with the client library loaded: at the server's origin, or at `origin` (the page server's). */
	async function openClientPage(origin = env.baseUrl) {
		const context = await env.browser.newContext({ ignoreHTTPSErrors: true });
		const page = await context.newPage();
		const console: string[] = [];
		page.on('console', (message) => console.push(`[${message.type()}] ${message.text()}`));
		page.on('pageerror', (error) => console.push(`[pageerror] ${error.message}`));
		const pageUrl = `${origin}/whip-publisher-test.html`;
		await page.route(`${env.baseUrl}/whip-publisher-test.html`, (route) =>
			route.fulfill({ contentType: 'text/html', body: clientPage() }),
		);
		await page.goto(pageUrl);
		return { context, page, console };
	}

	/** A page at the server's origin (or `origin`) that publishes camera and microphone with the WHIP client. */
	async function openPublisher(roomId: string, origin = env.baseUrl) {
		const { context, page, console } = await openClientPage(origin);
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
				await settledNoOrphans(env.server.server, roomId);
			} finally {
				await publisher.context.close();
			}
		});
	});

	test('simulcast: a plain RTCPeerConnection offering three rids; every layer sent reaches the server, the viewer decodes; closing the connection ends the session', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('whip-simulcast');
			const viewer = await env.openPeer({ roomId, peerId: 'viewer', flags: { produce: 'false' } });
			const publisher = await openClientPage();
			try {
				// WHIP by hand, with the offer Chromium makes for three simulcast encodings.
				const status = await publisher.page.evaluate(
					async (endpoint) => {
						const stream = await navigator.mediaDevices.getUserMedia({
							audio: true,
							video: { width: 640, height: 480 },
						});
						const pc = new RTCPeerConnection();
						Object.assign(window, { whipPc: pc });
						const [audio] = stream.getAudioTracks();
						const [video] = stream.getVideoTracks();
						if (!audio || !video) throw new Error('no fake devices');
						pc.addTransceiver(audio, { direction: 'sendonly' });
						pc.addTransceiver(video, {
							direction: 'sendonly',
							sendEncodings: [
								{ rid: 'q', scaleResolutionDownBy: 4 },
								{ rid: 'h', scaleResolutionDownBy: 2 },
								{ rid: 'f' },
							],
						});
						await pc.setLocalDescription(await pc.createOffer());
						const response = await fetch(endpoint, {
							method: 'POST',
							headers: { 'content-type': 'application/sdp' },
							body: pc.localDescription?.sdp ?? '',
						});
						if (response.status !== 201) return `${response.status} ${await response.text()}`;
						await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
						return response.status;
					},
					`${env.baseUrl}/whip/${encodeURIComponent(roomId)}`,
				);
				assert.equal(status, 201);

				const room = await env.server.server.rooms.existing(roomId);
				const member = await waitFor(
					'the WHIP member with its producers',
					() => [...room.broadcasters.values()].find((candidate) => candidate.producers.size === 2) ?? false,
					SLOW,
				);
				const video = [...member.producers.values()].find((producer) => producer.kind === 'video');
				assert.deepEqual(
					video?.rtpParameters.encodings?.map((encoding) => encoding.rid),
					['q', 'h', 'f'],
				);
				// Chromium sends as many layers as its encoder allows for the picture size
				// (two for 640x480): every layer it sends reaches mediasoup, as its rid.
				const sentRids = () =>
					publisher.page.evaluate(async () => {
						const pc = (window as unknown as { whipPc: RTCPeerConnection }).whipPc;
						const rids: string[] = [];
						(await pc.getStats()).forEach(
							(stats: { type: string; kind?: string; rid?: string; framesEncoded?: number }) => {
								if (
									stats.type === 'outbound-rtp' &&
									stats.kind === 'video' &&
									(stats.framesEncoded ?? 0) > 0 &&
									stats.rid
								) {
									rids.push(stats.rid);
								}
							},
						);
						return rids.sort();
					});
				const scored = () =>
					[...new Set(video?.score.filter((layer) => layer.score > 0).map((layer) => layer.rid))].sort();
				await waitFor(
					'every layer the browser sends (at least two) scored on the server',
					async () => {
						const sent = await sentRids();
						return sent.length >= 2 && JSON.stringify(scored()) === JSON.stringify(sent);
					},
					SLOW,
				).catch(async (error: unknown) => {
					throw new Error(
						`${(error as Error).message}: sent ${await sentRids()}, server ${JSON.stringify(video?.score)}`,
					);
				});
				await viewer.tile(member.id).getByTestId('peer-video').waitFor({ timeout: SLOW.timeoutMs });
				await viewer.expectVideoFrom(member.id, { frames: 15, timeoutMs: SLOW.timeoutMs });

				// The sender closes its connection without a DELETE: DTLS closes, and the session ends.
				await publisher.page.evaluate(() => (window as unknown as { whipPc: RTCPeerConnection }).whipPc.close());
				await viewer.tile(member.id).waitFor({ state: 'detached', timeout: SLOW.timeoutMs });
				assert.equal(room.broadcasters.has(member.id), false, 'the sender left the room');
				await settledNoOrphans(env.server.server, roomId);
			} finally {
				await publisher.context.close();
			}
		});
	});

	test('CORS: the WHIP client on a page of another origin publishes and ends its session', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('whip-cors');
			const viewer = await env.openPeer({ roomId, peerId: 'viewer', flags: { produce: 'false' } });
			// A site of its own on loopback (Chromium lets only a loopback page reach a
			// loopback server), http://localhost: a secure context like https.
			const pageServer = createServer((_req, res) => {
				res.setHeader('content-type', 'text/html');
				res.end(clientPage());
			});
			await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
			t.after(() => pageServer.close());
			const otherOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
			const publisher = await openPublisher(roomId, otherOrigin);
			try {
				const room = await env.server.server.rooms.existing(roomId);
				const member = await waitFor(
					'a WHIP member with audio and video producers',
					() => [...room.broadcasters.values()].find((candidate) => candidate.producers.size === 2) ?? false,
					SLOW,
				).catch((error: unknown) => {
					throw new Error(`${(error as Error).message}\npublisher console:\n${publisher.console.join('\n')}`);
				});
				await viewer.tile(member.id).getByTestId('peer-video').waitFor({ timeout: SLOW.timeoutMs });
				await viewer.expectVideoFrom(member.id, { frames: 15, timeoutMs: SLOW.timeoutMs });
				assert.ok(
					publisher.console.some((line) => line.includes('supports Trickle ICE')),
					`the client read Access-Control-Allow-Methods across origins:\n${publisher.console.join('\n')}`,
				);
				await publisher.page.evaluate(async () => {
					const { whipClient } = window as unknown as { whipClient: { destroy(): Promise<void> } };
					await whipClient.destroy();
				});
				await viewer.tile(member.id).waitFor({ state: 'detached', timeout: SLOW.timeoutMs });
				await settledNoOrphans(env.server.server, roomId);
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
