// Live HLS of a room over the REST API, with real parts: ffmpeg senders in
// the room (a VP8 test pattern with an opus tone, an H.264 test pattern), the
// real composer process, its playlist and segments fetched over HTTPS and read
// by ffprobe. Errors: an unknown room, a second start, a stop of a stream that
// is not running, file names outside the stream's folder. Nothing is left
// behind: after a stop, a producer leaving, the composer dying or the room
// closing, the router holds only what the members own, the process is gone
// and so is the folder. (tests/e2e/hls.test.ts plays the stream in Chromium
// with hls.js; tests/hls/hlsAccess.test.ts checks the tokens.)
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { hlsStartedSchema } from '../../protocol/hls.ts';
import type { Room } from '../../server/room/Room.ts';
import { probe } from '../helpers/broadcasterScripts.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { createBroadcaster, producePlain } from '../helpers/restBroadcaster.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

let server: TestServer;
let hlsDir: string;
let scratch: string;
const senders: ChildProcess[] = [];
const SLOW = { timeoutMs: 30_000, intervalMs: 200 };

before(async () => {
	hlsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-hls-'));
	scratch = mkdtempSync(path.join(os.tmpdir(), 'conference-hls-segments-'));
	// A small picture: the test machine has two cores.
	server = await startTestServer({
		env: { HLS_DIR: hlsDir, HLS_WIDTH: '320', HLS_HEIGHT: '180', HLS_FRAMERATE: '15' },
	});
});

after(async () => {
	for (const sender of senders) sender.kill('SIGKILL');
	await server.close();
	rmSync(hlsDir, { recursive: true, force: true });
	rmSync(scratch, { recursive: true, force: true });
});

const VP8 = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const H264 = {
	mimeType: 'video/H264',
	payloadType: 102,
	clockRate: 90000,
	parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};
const OPUS = { mimeType: 'audio/opus', payloadType: 101, clockRate: 48000, channels: 2 };

/** A broadcaster whose ffmpeg sends a test pattern (VP8 or H.264) and, with `audio`, a tone (opus). */
async function startSender(roomId: string, id: string, video: 'vp8' | 'h264', audio: boolean): Promise<ChildProcess> {
	await createBroadcaster(server, roomId, id, { name: 'ffmpeg' });
	const outputs: string[] = [];
	const rtp = async (kind: 'audio' | 'video', codec: typeof VP8 | typeof OPUS | typeof H264, ssrc: number) => {
		const { transport } = await producePlain(server, roomId, id, {
			kind,
			rtpParameters: { codecs: [codec], encodings: [{ ssrc }] },
		});
		return [
			...['-payload_type', String(codec.payloadType), '-ssrc', String(ssrc), '-f', 'rtp'],
			`rtp://${transport.ip}:${transport.port}?rtcpport=${transport.rtcpPort}&pkt_size=1200`,
		];
	};
	outputs.push(
		'-map',
		'0:v',
		...(video === 'vp8'
			? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15']
			: ['-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency', '-preset', 'ultrafast']),
		...(video === 'h264' ? ['-pix_fmt', 'yuv420p', '-b:v', '300k', '-g', '15'] : []),
		...(await rtp('video', video === 'vp8' ? VP8 : H264, video === 'vp8' ? 22222222 : 33333333)),
	);
	if (audio) {
		outputs.push(
			...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '32k'],
			...(await rtp('audio', OPUS, 11111111)),
		);
	}
	const sender = spawn(
		'ffmpeg',
		// biome-ignore format: option/value pairs read better on one line.
		['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15',
			'-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', ...outputs],
		{ stdio: 'ignore' },
	);
	senders.push(sender);
	return sender;
}

async function existingRoom(roomId: string): Promise<Room> {
	const room = await server.server.rooms.find(roomId);
	assert.ok(room, `room ${roomId} exists`);
	return room;
}

/** The room's running stream (a call, so that an assertion on it narrows nothing). */
function streamOf(room: Room) {
	return room.hls.stream;
}

/** A GET over HTTPS with the body as bytes (segments are binary). */
function download(urlPath: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
	return new Promise((resolve, reject) => {
		const req = request(`https://127.0.0.1:${server.port}${urlPath}`, { ca: server.ca }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
		});
		req.on('error', reject);
		req.end();
	});
}

/** The live playlist: its media sequence and segment names, loaded as a player does. */
async function playlist(roomId: string): Promise<{ text: string; sequence: number; segments: string[] }> {
	const answer = await download(`/hls/${roomId}/index.m3u8`);
	assert.equal(answer.status, 200, answer.body.toString());
	assert.equal(answer.headers['content-type'], 'application/vnd.apple.mpegurl');
	assert.equal(answer.headers['cache-control'], 'no-cache');
	const text = answer.body.toString();
	assert.match(text, /^#EXTM3U/);
	const sequence = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? Number.NaN);
	const segments = text.split('\n').filter((line) => line.endsWith('.ts'));
	return { text, sequence, segments };
}

/** A segment fetched over HTTPS and read by ffprobe: its streams' codecs and decodable frames. */
async function probeSegment(roomId: string, name: string) {
	const answer = await download(`/hls/${roomId}/${name}`);
	assert.equal(answer.status, 200);
	assert.equal(answer.headers['content-type'], 'video/mp2t');
	const file = path.join(scratch, `${roomId}-${name}`);
	writeFileSync(file, answer.body);
	return probe(file);
}

function processGone(pid: number | undefined): boolean {
	assert.ok(pid, 'the composer had a process');
	try {
		process.kill(pid, 0);
		return false;
	} catch {
		return true;
	}
}

/** Stopped by DELETE (or by itself): process gone, folder gone, nothing on the router but the members' own. */
async function expectNothingLeft(room: Room, pid: number | undefined): Promise<void> {
	await waitFor('the composer process gone', () => processGone(pid));
	await waitFor('the stream folder removed', () => !existsSync(room.hls.directory));
	await waitFor('the router holds only what the members own', () =>
		assertNoOrphans(server.server, room.id).then(
			() => true,
			() => false,
		),
	).catch(() => {});
	await assertNoOrphans(server.server, room.id);
}

test('errors: an unknown room is 404, a room not streamed is 404 to stop and to play', async () => {
	assert.equal((await server.rest('POST', '/rooms/no-such-room/hls')).status, 404);
	assert.equal((await server.rest('DELETE', '/rooms/no-such-room/hls')).status, 404);
	assert.equal((await server.rest('GET', '/hls/no-such-room/index.m3u8')).status, 404);
	assert.equal(await server.server.rooms.find('no-such-room'), undefined, 'no room was created');

	const roomId = `hls-errors-${process.pid}`;
	await createBroadcaster(server, roomId, 'quiet');
	const stop = await server.rest('DELETE', `/rooms/${roomId}/hls`);
	assert.equal(stop.status, 404);
	assert.match(JSON.stringify(stop.body), /is not streamed/);
	assert.equal((await server.rest('GET', `/hls/${roomId}/index.m3u8`)).status, 404);
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/broadcasters/quiet`)).status, 200);
});

test('a room with nobody sending: a black picture and silence, H.264 + AAC', async () => {
	const roomId = `hls-empty-${process.pid}`;
	await createBroadcaster(server, roomId, 'quiet');
	const room = await existingRoom(roomId);
	const started = await server.rest('POST', `/rooms/${roomId}/hls`);
	assert.equal(started.status, 200, JSON.stringify(started.body));
	const pid = room.hls.stream?.composerPid;
	const { segments } = await playlist(roomId);
	const [first] = segments;
	assert.ok(first, 'the playlist lists a segment once the start is answered');
	const { streams } = await probeSegment(roomId, first);
	assert.deepEqual(streams.map((stream) => `${stream.type} ${stream.codec}`).sort(), ['audio aac', 'video h264']);
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/hls`)).status, 200);
	await expectNothingLeft(room, pid);
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/broadcasters/quiet`)).status, 200);
});

test('VP8 + opus and H.264 senders: H.264 + AAC segments of ~2 s in a sliding window; a sender leaving and DELETE leave nothing', async () => {
	const roomId = `hls-${process.pid}`;
	await startSender(roomId, 'vp8cam', 'vp8', true);
	const h264Sender = await startSender(roomId, 'h264cam', 'h264', false);
	const room = await existingRoom(roomId);
	const producers = [...room.broadcasters.values()].flatMap((member) => [...member.producers.values()]);
	assert.equal(producers.length, 3);
	await waitFor('RTP from both senders', async () => {
		const counts = await Promise.all(producers.map(async (p) => (await p.getStats())[0]?.packetCount ?? 0));
		return counts.every((count) => count > 10);
	});

	const started = await server.rest('POST', `/rooms/${roomId}/hls`);
	assert.equal(started.status, 200, JSON.stringify(started.body));
	const { url, startedAt } = hlsStartedSchema.parse(started.body);
	assert.equal(url, `/hls/${roomId}/index.m3u8`);
	assert.ok(Math.abs(Date.now() - startedAt) < 30_000);
	const again = await server.rest('POST', `/rooms/${roomId}/hls`);
	assert.equal(again.status, 409, 'a second start is refused');
	assert.match(JSON.stringify(again.body), /already streamed/);

	const stream = room.hls.stream;
	assert.ok(stream);
	const pid = stream.composerPid;
	await waitFor('an input per producer', () => stream.inputs.size === 3);
	assert.deepEqual([...stream.inputs.values()].map((input) => `${input.ownerId} ${input.kind}`).sort(), [
		'h264cam video',
		'vp8cam audio',
		'vp8cam video',
	]);

	const first = await playlist(roomId);
	assert.match(first.text, /#EXT-X-TARGETDURATION:2\b/);
	// Segments once the senders' key frames are in the picture: the last one listed.
	const later = await waitFor(
		'three segments listed',
		async () => {
			const now = await playlist(roomId);
			return now.segments.length >= 3 && now;
		},
		SLOW,
	);
	const latest = later.segments.at(-1);
	assert.ok(latest);
	const { streams, duration } = await probeSegment(roomId, latest);
	const video = streams.find((s) => s.type === 'video');
	const audio = streams.find((s) => s.type === 'audio');
	assert.equal(video?.codec, 'h264');
	assert.equal(audio?.codec, 'aac');
	assert.ok((video?.frames ?? 0) >= 15, `${video?.frames} video frames decoded in a segment`);
	assert.ok((audio?.frames ?? 0) >= 40, `${audio?.frames} AAC frames decoded in a segment`);
	assert.ok(duration > 1.5 && duration < 3.5, `a segment lasts ${duration} s, about 2`);

	// Only the stream's own names are served: nothing in or out of its folder else.
	for (const bad of ['..%2F..%2Fetc%2Fpasswd', '.room-id', 'index.m3u8.tmp', 'x.ts', '..%2Findex.m3u8']) {
		assert.equal((await server.rest('GET', `/hls/${roomId}/${bad}`)).status, 400, bad);
	}
	assert.equal((await server.rest('GET', `/hls/${roomId}/zz-99999.ts`)).status, 404);

	// A live window: six segments at most, the oldest leave the list and the disk.
	const slid = await waitFor(
		'the window to slide',
		async () => {
			const now = await playlist(roomId);
			return now.sequence > 0 && now;
		},
		{ timeoutMs: 40_000, intervalMs: 1000 },
	);
	assert.ok(slid.segments.length <= 6, `${slid.segments.length} segments listed`);
	const gone = first.segments[0];
	assert.ok(gone && !slid.segments.includes(gone));
	// Kept on disk a little longer, for players that loaded an older playlist; then deleted.
	await waitFor('the oldest segment deleted', () => !existsSync(path.join(stream.directory, gone)), {
		timeoutMs: 40_000,
		intervalMs: 1000,
	});

	// A sender leaves: its input goes, the stream goes on.
	h264Sender.kill('SIGKILL');
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/broadcasters/h264cam`)).status, 200);
	await waitFor('the input of the sender that left removed', () => stream.inputs.size === 2);
	const after = (await playlist(roomId)).sequence;
	await waitFor('new segments after the sender left', async () => (await playlist(roomId)).sequence > after, SLOW);

	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/hls`)).status, 200);
	assert.equal(stream.closed, true);
	await expectNothingLeft(room, pid);
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/hls`)).status, 404, 'stopped already');
	assert.equal((await server.rest('GET', `/hls/${roomId}/index.m3u8`)).status, 404);
});

test('the composer dying ends the stream and leaves nothing; it starts again; the room closing stops it', async () => {
	const roomId = `hls-die-${process.pid}`;
	const sender = await startSender(roomId, 'cam', 'vp8', true);
	const room = await existingRoom(roomId);
	assert.equal((await server.rest('POST', `/rooms/${roomId}/hls`)).status, 200);
	const stream = room.hls.stream;
	assert.ok(stream);
	await waitFor('two inputs', () => stream.inputs.size === 2);
	const pid = stream.composerPid;
	assert.ok(pid);
	process.kill(pid, 'SIGKILL');
	await waitFor('the stream closed', () => stream.closed);
	assert.equal(streamOf(room), undefined);
	await expectNothingLeft(room, pid);
	assert.equal((await server.rest('GET', `/hls/${roomId}/index.m3u8`)).status, 404);

	assert.equal((await server.rest('POST', `/rooms/${roomId}/hls`)).status, 200, 'started again');
	const again = streamOf(room);
	assert.ok(again);
	const secondPid = again.composerPid;
	await waitFor('two inputs again', () => again.inputs.size === 2);
	// The last member leaves: the room closes, and the stream with it.
	sender.kill('SIGKILL');
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/broadcasters/cam`)).status, 200);
	await waitFor('the room closed', () => room.closed);
	assert.equal(again.closed, true);
	await waitFor('the composer process gone', () => processGone(secondPid));
	await waitFor('the stream folder removed', () => !existsSync(room.hls.directory));
});
