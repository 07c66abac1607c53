// Recording a room end to end: ffmpeg sends real VP8 and opus RTP into the
// room as a broadcaster, a peer starts recording over protoo, the files are
// finalised on stop and on room close, and ffprobe finds valid files with
// the expected codecs, a duration close to the recorded time, and decodable
// frames. Listed and downloadable over HTTPS.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { RecordedFile, RecordingList } from '../../protocol/recording.ts';
import { createBroadcaster, producePlain } from '../helpers/restBroadcaster.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const run = promisify(execFile);
let server: TestServer;
let recordingsDir: string;
const senders: ChildProcess[] = [];

before(async () => {
	recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-recordings-'));
	server = await startTestServer({ env: { RECORDINGS_DIR: recordingsDir } });
});

after(async () => {
	for (const sender of senders) sender.kill('SIGKILL');
	await server.close();
	rmSync(recordingsDir, { recursive: true, force: true });
});

const VP8 = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const OPUS = { mimeType: 'audio/opus', payloadType: 101, clockRate: 48000, channels: 2 };

/** A broadcaster whose ffmpeg sends a test pattern (VP8) and a tone (opus) to the room. */
async function startBroadcaster(roomId: string, id: string, kinds: ('audio' | 'video')[]) {
	await createBroadcaster(server, roomId, id, { name: 'ffmpeg' });
	const outputs: string[] = [];
	for (const kind of kinds) {
		const codec = kind === 'video' ? VP8 : OPUS;
		const ssrc = kind === 'video' ? 22222222 : 11111111;
		const { transport } = await producePlain(server, roomId, id, {
			kind,
			rtpParameters: { codecs: [codec], encodings: [{ ssrc }] },
		});
		const url = `rtp://${transport.ip}:${transport.port}?rtcpport=${transport.rtcpPort}&pkt_size=1200`;
		outputs.push(
			...(kind === 'video'
				? ['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '20']
				: ['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '48k']),
			...['-payload_type', String(codec.payloadType), '-ssrc', String(ssrc), '-f', 'rtp', url],
		);
	}
	const sender = spawn(
		'ffmpeg',
		// biome-ignore format: option/value pairs read better on one line.
		['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=20',
			'-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', ...outputs],
		{ stdio: 'ignore' },
	);
	senders.push(sender);
	return sender;
}

async function probe(file: string) {
	const { stdout } = await run('ffprobe', [
		...['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames:format=duration'],
		...['-of', 'json', file],
	]);
	const info = JSON.parse(stdout) as {
		streams: { codec_name: string; nb_read_frames?: string }[];
		format: { duration?: string };
	};
	const stream = info.streams[0];
	assert.ok(stream, `${file} has a stream`);
	return {
		codec: stream.codec_name,
		frames: Number(stream.nb_read_frames ?? 0),
		duration: Number(info.format.duration),
	};
}

const fileIn = (folder: string, file: RecordedFile) => path.join(recordingsDir, folder, file.name);

test('a peer records a room: every producer, also a later one; files are valid and downloadable', async () => {
	const roomId = `rec-${process.pid}`;
	const peer = await server.connect(roomId, 'alice');
	try {
		await peer.join({ displayName: 'Alice' });
		await startBroadcaster(roomId, 'cam', ['video']);
		const room = await server.server.rooms.find(roomId);
		assert.ok(room);
		const videoProducer = [...(room.broadcasters.get('cam')?.producers.values() ?? [])][0];
		assert.ok(videoProducer);
		await waitFor('video RTP arriving', async () => ((await videoProducer.getStats())[0]?.packetCount ?? 0) > 20);

		const { startedAt } = await peer.request('startRecording');
		assert.ok(Math.abs(startedAt - Date.now()) < 5000);
		await peer.waitForNotification('recordingStarted');
		assert.equal((await peer.requestError('startRecording')).code, 409);

		// A producer that appears while recording is recorded too.
		await startBroadcaster(roomId, 'mic', ['audio']);
		await sleep(2000);
		// Recording survives a pause and resume of the producer.
		await videoProducer.pause();
		await sleep(500);
		await videoProducer.resume();
		await sleep(2500);

		const { files } = await peer.request('stopRecording');
		const stopped = await peer.waitForNotification('recordingStopped');
		assert.deepEqual(stopped.files, files);
		assert.deepEqual(files.map((f) => `${f.peerId}/${f.kind}`).sort(), ['cam/video', 'mic/audio']);

		const folder = path.basename(room.recorder.directory);
		const video = files.find((f) => f.kind === 'video');
		const audio = files.find((f) => f.kind === 'audio');
		assert.ok(video && audio);
		const videoInfo = await probe(fileIn(folder, video));
		assert.equal(videoInfo.codec, 'vp8');
		assert.ok(
			videoInfo.duration > 3.5 && videoInfo.duration < 7,
			`video lasted ${videoInfo.duration} s, recorded ~5 s`,
		);
		assert.ok(videoInfo.frames >= 40, `${videoInfo.frames} video frames decoded`);
		const audioInfo = await probe(fileIn(folder, audio));
		assert.equal(audioInfo.codec, 'opus');
		assert.ok(audioInfo.duration > 2 && audioInfo.duration < 6, `audio lasted ${audioInfo.duration} s`);

		const listed = (await server.rest('GET', '/recordings')).body as RecordingList;
		const entry = listed.find((item) => item.name === video.name);
		assert.ok(entry, 'the video file is listed');
		assert.equal(entry.roomId, roomId, 'the listing names the room by its id');
		assert.equal(entry.folder, folder, 'and names the folder the file is in');
		const download = await server.rest('GET', entry.url);
		assert.equal(download.status, 200);
		assert.equal((await server.rest('GET', '/recordings/..%2F..%2Fetc/passwd')).status, 400);
		assert.equal((await server.rest('GET', `/recordings/${folder}/nope.webm`)).status, 404);
	} finally {
		peer.close();
	}
});

test('REST start/stop, and closing the room finalises the files', async () => {
	const roomId = `rec-rest-${process.pid}`;
	const sender = await startBroadcaster(roomId, 'cam', ['video', 'audio']);
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	assert.equal((await server.rest('POST', '/rooms/nope/recording')).status, 404);
	assert.equal((await server.rest('POST', `/rooms/${roomId}/recording`)).status, 200);
	await sleep(3000);

	// The room closes when its last member leaves: recording ends with it.
	sender.kill('SIGKILL');
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/broadcasters/cam`)).status, 200);
	await waitFor('room closed', () => room.closed);
	const directory = room.recorder.directory;
	const listed = await waitFor('two finalised files', async () => {
		const all = (await server.rest('GET', '/recordings')).body as RecordingList;
		const mine = all.filter((item) => item.folder === path.basename(directory));
		return mine.length === 2 && mine.every((item) => item.bytes > 0 && item.roomId === roomId) && mine;
	});
	for (const item of listed) {
		const info = await waitFor(`${item.name} readable`, () =>
			probe(path.join(directory, item.name)).catch(() => undefined),
		);
		assert.ok(['vp8', 'opus'].includes(info.codec));
		assert.ok(info.duration > 1.5 && info.duration < 6, `${item.name} lasted ${info.duration} s, recorded ~3 s`);
	}
});

test('GStreamer failing for one producer: recording does not start, says why, and leaves nothing', async () => {
	const roomId = `rec-fail-${process.pid}`;
	const peer = await server.connect(roomId, 'alice');
	// A gst-launch-1.0 first on PATH that runs the real one, except for VP8,
	// where it fails like a GStreamer missing a plugin. The server spawns with
	// this process's environment.
	const fakeDir = mkdtempSync(path.join(os.tmpdir(), 'conference-fake-gst-'));
	const realGst = (await run('sh', ['-c', 'command -v gst-launch-1.0'])).stdout.trim();
	writeFileSync(
		path.join(fakeDir, 'gst-launch-1.0'),
		[
			'#!/bin/sh',
			'case "$*" in *rtpvp8depay*)',
			`  echo 'WARNING: erroneous pipeline: no element "rtpvp8depay"' >&2; exit 1;;`,
			'esac',
			`exec ${realGst} "$@"`,
		].join('\n'),
		{ mode: 0o755 },
	);
	const realPath = process.env.PATH;
	try {
		await peer.join({ displayName: 'Alice' });
		await startBroadcaster(roomId, 'cam', ['video', 'audio']);
		const room = await server.server.rooms.find(roomId);
		assert.ok(room);
		const transportsBefore = (await room.router.dump()).transportIds.length;

		process.env.PATH = `${fakeDir}:${realPath}`;
		const refused = await peer.requestError('startRecording');
		assert.equal(refused.code, 500);
		assert.match(refused.reason, /recording could not start/);
		assert.match(refused.reason, /the video of cam: GStreamer exited with code 1 before recording/);
		assert.match(refused.reason, /no element "rtpvp8depay"/);
		assert.doesNotMatch(refused.reason, /audio/);
		assert.equal(room.recorder.active, false);
		assert.deepEqual(peer.notificationsOf('recordingStarted'), []);
		// The audio recording that did start was stopped: no recording transport or
		// consumer is left on the router, and no file.
		const dump = await room.router.dump();
		assert.equal(dump.transportIds.length, transportsBefore);
		assert.ok(
			dump.mapProducerIdConsumerIds.every((entry) => entry.values.length === 1),
			'only alice consumes',
		);
		const folder = room.recorder.directory;
		assert.deepEqual(existsSync(folder) ? readdirSync(folder) : [], []);

		// With GStreamer working again, the same room records.
		process.env.PATH = realPath;
		await peer.request('startRecording');
		await peer.waitForNotification('recordingStarted');
		const { files } = await peer.request('stopRecording');
		assert.deepEqual(files.map((f) => f.kind).sort(), ['audio', 'video']);
	} finally {
		process.env.PATH = realPath;
		peer.close();
		rmSync(fakeDir, { recursive: true, force: true });
	}
});
