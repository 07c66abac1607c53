// Recording a room from the page, as a person does it: "Record the room" in
// the More menu, the REC badge on every page in the room while it records,
// "Stop recording", and a toast saying how many files were written. The
// files themselves are checked with ffprobe (decoding every frame): one per
// producer of the browser's camera and microphone, in the codecs the browser
// sent, as long as the recording lasted, with frames that decode.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordingList } from '../../protocol/recording.ts';
import { type ProbedStream, probe } from '../helpers/broadcasterScripts.ts';
import { type BrowserPeer, E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';

/** How long the test records. */
const RECORD_SECONDS = 4;
/** opus in WebRTC: one frame per 20 ms. */
const OPUS_FRAMES_PER_SECOND = 50;
/**
 * What the recording loses at its start and keeps at its end
 * (server/recording/ProducerRecording.ts): the badge shows once GStreamer
 * listens and media flows to it; video is written from the next key frame on
 * (asked for at once); at the stop, GStreamer gets end-of-stream and writes
 * what it has.
 */
const START_LOSS_SECONDS = 1.5;
const END_SLACK_SECONDS = 0.5;

describe('recording from the page', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	let recordingsDir: string;
	before(async () => {
		recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-e2e-recordings-'));
		env = await E2eEnvironment.start({ env: { RECORDINGS_DIR: recordingsDir } });
	});
	after(async () => {
		await env?.close();
		rmSync(recordingsDir, { recursive: true, force: true });
	});

	test('"Record the room" records the camera and microphone to one decodable file each', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('recording');
			const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
			// Bob only watches: what is recorded is alice's camera and microphone.
			const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags: { produce: 'false' } });
			await Promise.all([bob.expectVideoFrom('alice'), bob.expectAudioFrom('alice')]);
			const room = await env.server.server.rooms.find(roomId);
			assert.ok(room, 'the room exists on the server');
			const producers = [...(room.peers.get('alice')?.producers.values() ?? [])];
			assert.deepEqual(producers.map((producer) => producer.kind).sort(), ['audio', 'video']);
			const [videoCodec, fps] = await Promise.all([sentVideoCodec(alice), cameraFrameRate(alice)]);

			// Start from alice's More menu; the badge shows on both pages.
			const recordButton = alice.page.getByTestId('recording-button');
			await alice.page.getByTestId('more-button').click();
			assert.equal(await recordButton.textContent(), 'Record the room');
			const clickedStart = Date.now();
			await recordButton.click();
			await alice.page.getByTestId('recording-badge').waitFor();
			const badgeShown = Date.now();
			await bob.page.getByTestId('recording-badge').waitFor();
			await recordButton.filter({ hasText: 'Stop recording' }).waitFor();

			await sleep(Math.max(0, badgeShown + RECORD_SECONDS * 1000 - Date.now()));
			const clickedStop = Date.now();
			await recordButton.click();
			await alice.page.getByTestId('recording-badge').waitFor({ state: 'detached' });
			const badgeGone = Date.now();
			await bob.page.getByTestId('recording-badge').waitFor({ state: 'detached' });
			await recordButton.filter({ hasText: 'Record the room' }).waitFor();
			// Both are told, in a toast that goes away by itself: looked for on both pages at once.
			await Promise.all(
				[alice, bob].map((peer) =>
					peer.page.getByTestId('toast').filter({ hasText: 'Recording stopped (2 files)' }).waitFor(),
				),
			);

			// The server recorded at least from the badge showing to the stop
			// click, at most from the start click to the badge going away.
			const seconds = {
				min: (clickedStop - badgeShown) / 1000 - START_LOSS_SECONDS,
				max: (badgeGone - clickedStart) / 1000 + END_SLACK_SECONDS,
			};

			// One file per producer, listed for download, finalised when the badge went.
			const folder = path.basename(room.recorder.directory);
			const listed = ((await env.server.rest('GET', '/recordings')).body as RecordingList).filter(
				(entry) => entry.folder === folder,
			);
			const fileOf = (producerId: string) => {
				const matching = listed.filter((entry) => entry.name.includes(`-${producerId}.`));
				assert.equal(matching.length, 1, `one file for producer ${producerId}: ${JSON.stringify(listed)}`);
				const [entry] = matching;
				assert.ok(entry);
				const file = path.join(room.recorder.directory, entry.name);
				assert.equal(statSync(file).size, entry.bytes, `${entry.name}: the listed size is the file's`);
				return file;
			};
			assert.equal(listed.length, producers.length, `one file per producer: ${JSON.stringify(listed)}`);
			for (const producer of producers) {
				const file = fileOf(producer.id);
				if (producer.kind === 'video') {
					const stream = await probeOne(file, 'video', videoCodec, seconds);
					// Every frame decodes (the recording starts at a key frame), at least half the camera's rate.
					assert.ok(stream.frames >= stream.packets - 1, `undecodable video frames: ${JSON.stringify(stream)}`);
					assert.ok(
						stream.frames >= (RECORD_SECONDS * fps) / 2,
						`${stream.frames} video frames for ${RECORD_SECONDS} s of a ${fps} fps camera`,
					);
				} else {
					const stream = await probeOne(file, 'audio', 'opus', seconds);
					assert.ok(stream.frames >= stream.packets - 1, `undecodable opus frames: ${JSON.stringify(stream)}`);
					assert.ok(
						stream.frames >= (RECORD_SECONDS * OPUS_FRAMES_PER_SECOND) / 2,
						`${stream.frames} opus frames for ${RECORD_SECONDS} s`,
					);
				}
			}
		});
	});
});

/**
 * ffprobe of a recorded file: its one stream has the codec, and the file
 * lasts as long as the recording did (within what the recorder loses).
 */
async function probeOne(
	file: string,
	type: 'audio' | 'video',
	codec: string,
	seconds: { min: number; max: number },
): Promise<ProbedStream> {
	const { streams, duration } = await probe(file);
	const details = `${path.basename(file)}: duration ${duration} s, streams ${JSON.stringify(streams)}`;
	assert.equal(streams.length, 1, details);
	const [stream] = streams;
	assert.ok(stream, details);
	assert.equal(stream.type, type, details);
	assert.equal(stream.codec, codec, details);
	assert.ok(
		duration >= seconds.min && duration <= seconds.max,
		`${details}; expected ${seconds.min.toFixed(2)} .. ${seconds.max.toFixed(2)} s`,
	);
	return stream;
}

/** The codec of the camera as the browser sends it, in ffprobe's words (video/VP8 -> vp8). */
async function sentVideoCodec(peer: BrowserPeer): Promise<string> {
	const all = await peer.transportStats('send');
	const stream = all.find((entry) => entry.type === 'outbound-rtp' && entry.kind === 'video');
	const codec = all.find((entry) => entry.type === 'codec' && entry.id === stream?.codecId);
	const mimeType = String(codec?.mimeType ?? '');
	assert.match(mimeType, /^video\//, 'the browser sends its camera');
	return mimeType.slice('video/'.length).toLowerCase();
}

/** The frame rate the (fake) camera delivers, as the page's own preview track reports it. */
async function cameraFrameRate(peer: BrowserPeer): Promise<number> {
	const rate = await peer.page
		.getByTestId('me-video')
		.evaluate((video: HTMLVideoElement) =>
			video.srcObject instanceof MediaStream ? video.srcObject.getVideoTracks()[0]?.getSettings().frameRate : undefined,
		);
	assert.ok(typeof rate === 'number' && rate > 0, `the camera reports a frame rate (${rate})`);
	return rate;
}
