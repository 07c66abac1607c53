// Broadcasters as a person in the room sees them: broadcasters/ffmpeg.sh and
// broadcasters/gstreamer.sh stream a looped file into the room, a browser
// peer that only watches gets a tile with the broadcaster's name, decodes its
// video and plays its audio; stopping the script as a person would (`kill`,
// Ctrl+C: a signal to the script's whole process group) takes the tile off
// the page and leaves nothing of the broadcaster on the server.
//
// One test opens the page before the script starts (the viewer is told of a
// new peer), the other after (the broadcaster is listed when the page joins).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Room } from '../../server/room/Room.ts';
import {
	killScripts,
	lightSender,
	runScript,
	type ScriptRun,
	scriptFixture,
	testMedia,
	waitForExit,
} from '../helpers/broadcasterScripts.ts';
import { type BrowserPeer, E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

// Generous: the CI machine has two busy cores, and the encoders share them with Chromium.
const SLOW = { timeoutMs: 30_000, intervalMs: 200 };
/** make-test-media.sh's picture, as testMedia() asks for it. */
const MEDIA_SIZE = { width: 320, height: 180 };

describe('broadcasters seen from the browser', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	let fixture: ReturnType<typeof scriptFixture>;
	let media: string;
	before(async () => {
		[env, media] = await Promise.all([E2eEnvironment.start(), testMedia()]);
		fixture = scriptFixture(env.server);
	});
	after(async () => {
		await killScripts();
		await env?.close();
		fixture?.cleanup();
	});

	/** Runs an ingest script into a room with the light settings the other broadcaster tests use. */
	function startScript(script: string, roomId: string, broadcasterId: string, more: Record<string, string> = {}) {
		return runScript(script, {
			...fixture.env,
			...lightSender,
			MEDIA_FILE: media,
			ROOM_ID: roomId,
			BROADCASTER_ID: broadcasterId,
			...more,
		});
	}

	/** The room once the broadcaster is in it with its audio and video producers. */
	async function roomWithBroadcaster(roomId: string, broadcasterId: string, script: ScriptRun): Promise<Room> {
		try {
			return await waitFor(
				`broadcaster ${broadcasterId} with two producers on the server`,
				async () => {
					const room = await env.server.server.rooms.find(roomId);
					return room?.broadcasters.get(broadcasterId)?.producers.size === 2 ? room : undefined;
				},
				SLOW,
			);
		} catch (error) {
			throw new Error(`${(error as Error).message}\nscript output:\n${script.output()}`);
		}
	}

	/** What the viewer sees and hears of the broadcaster: its tile and name, moving pictures of the file's size, sound. */
	async function expectWatching(viewer: BrowserPeer, broadcasterId: string, displayName: string): Promise<void> {
		const tile = viewer.tile(broadcasterId);
		await tile.getByTestId('peer-name').filter({ hasText: displayName }).waitFor({ timeout: SLOW.timeoutMs });
		await tile.getByTestId('peer-video').waitFor({ timeout: SLOW.timeoutMs });
		await Promise.all([
			viewer.expectVideoFrom(broadcasterId, { frames: 15, timeoutMs: SLOW.timeoutMs }),
			expectAudioDecodedFrom(viewer, broadcasterId),
		]);
		const size = await tile
			.getByTestId('peer-video')
			.evaluate((video: HTMLVideoElement) => ({ width: video.videoWidth, height: video.videoHeight }));
		assert.deepEqual(size, MEDIA_SIZE, "the video element shows the file's picture");
	}

	/**
	 * Stops the script with a signal to its process group and checks what
	 * follows: it exits as bash does on that signal after its clean-up
	 * removed the broadcaster, the tile leaves the page, and the server holds
	 * nothing of the broadcaster any more.
	 */
	async function stopAndExpectGone(
		viewer: BrowserPeer,
		script: ScriptRun,
		room: Room,
		broadcasterId: string,
		signal: 'SIGINT' | 'SIGTERM',
	): Promise<void> {
		const broadcaster = room.broadcasters.get(broadcasterId);
		assert.ok(broadcaster, 'the broadcaster is still in the room before the signal');
		const transports = [...broadcaster.transports.values()];
		const producers = [...broadcaster.producers.values()];
		assert.equal(producers.length, 2, 'audio and video producers before the signal');

		script.signal(signal, 'group');
		const exit = await waitForExit(script, 20_000);
		const context = `\nscript output:\n${script.output()}`;
		assert.deepEqual(exit, { code: signal === 'SIGINT' ? 130 : 143, signal: null }, context);
		assert.match(script.output(), new RegExp(`broadcaster ${broadcasterId} removed from room`), context);

		await viewer.tile(broadcasterId).waitFor({ state: 'detached', timeout: SLOW.timeoutMs });
		await viewer.expectNoVideo();

		// The viewer keeps the room open; the broadcaster is gone from it, with
		// everything it had in mediasoup (whichever router of the room that
		// lived on), and the page holds no consumer of it any more.
		assert.equal(await env.server.server.rooms.find(room.id), room, 'the room is still there for the viewer');
		assert.equal(room.broadcasters.has(broadcasterId), false, 'the room no longer lists the broadcaster');
		for (const transport of transports) assert.ok(transport.closed, `transport ${transport.id} still open`);
		for (const producer of producers) assert.ok(producer.closed, `${producer.kind} producer ${producer.id} still open`);
		const consumersLeft = await viewer.page.evaluate(
			(peerId) =>
				Object.values(window.store?.getState().consumers.entities ?? {}).filter((c) => c.peerId === peerId).length,
			broadcasterId,
		);
		assert.equal(consumersLeft, 0, "the page still consumes the broadcaster's media");
		await waitFor('no process of the script left', () => !script.groupAlive(), { timeoutMs: 5_000 });
	}

	test('ffmpeg.sh: a viewer already in the room sees and hears it; `kill` takes it away', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('ffmpeg');
			const broadcasterId = 'ffmpeg-e2e';
			const viewer = await env.openPeer({
				roomId,
				peerId: 'viewer',
				displayName: 'Viewer',
				flags: { produce: 'false' },
			});

			const script = startScript('ffmpeg.sh', roomId, broadcasterId);
			const room = await roomWithBroadcaster(roomId, broadcasterId, script);
			await expectWatching(viewer, broadcasterId, 'FFmpeg');

			await stopAndExpectGone(viewer, script, room, broadcasterId, 'SIGTERM');
		});
	});

	test('gstreamer.sh: a viewer joining later sees and hears it; Ctrl+C takes it away', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('gstreamer');
			const broadcasterId = 'gstreamer-e2e';
			// 30 passes of the 4 s file: far longer than the test, so the stream
			// cannot end by itself (and the script leave) before Ctrl+C.
			const script = startScript('gstreamer.sh', roomId, broadcasterId, { LOOPS: '30' });
			const room = await roomWithBroadcaster(roomId, broadcasterId, script);

			const viewer = await env.openPeer({
				roomId,
				peerId: 'viewer',
				displayName: 'Viewer',
				flags: { produce: 'false' },
			});
			await expectWatching(viewer, broadcasterId, 'GStreamer');

			await stopAndExpectGone(viewer, script, room, broadcasterId, 'SIGINT');
		});
	});
});

/**
 * Audio from a peer is decoded and played, not only received: the samples
 * the browser decoded from packets (concealed ones, made up for missing
 * packets, left out) grow by half a second's worth, and they carry sound
 * (the file beeps), so the audio energy grows too.
 */
async function expectAudioDecodedFrom(viewer: BrowserPeer, peerId: string): Promise<void> {
	const halfSecondAt48k = 24_000;
	await viewer.expectAudioFrom(peerId, { timeoutMs: SLOW.timeoutMs });
	await viewer.waitForGrowth(
		`audio samples decoded from ${peerId}`,
		async () => {
			const stats = await viewer.inboundFrom(peerId, 'audio');
			if (stats?.totalSamplesReceived === undefined) return undefined;
			return stats.totalSamplesReceived - Number(stats.concealedSamples ?? 0);
		},
		{ by: halfSecondAt48k, timeoutMs: SLOW.timeoutMs },
	);
	await viewer.waitForGrowth(
		`audio energy from ${peerId}`,
		async () => {
			const energy = (await viewer.inboundFrom(peerId, 'audio'))?.totalAudioEnergy;
			// Scaled: waitForGrowth compares to `by`, and the energy of a beep is a small fraction.
			return typeof energy === 'number' ? energy * 1000 : undefined;
		},
		{ by: 1, timeoutMs: SLOW.timeoutMs },
	);
}
