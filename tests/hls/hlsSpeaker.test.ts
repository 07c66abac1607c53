// The speaker layout of live HLS (HLS_LAYOUT=speaker): three ffmpeg senders,
// two gray pictures and a white one; when the room names the white one's
// sender its active speaker, the stream's picture (the last frame of the
// newest segment, fetched over HTTPS and decoded by ffmpeg) shows it large on
// the left and the two others in a column on the right, where the grid would
// have put them in two rows of two. The test names the speaker as the room's
// audio level observer does (RoomHls.speaker): ffmpeg's RTP carries no audio
// level, so the observer would never name an ffmpeg sender.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createBroadcaster, producePlain } from '../helpers/restBroadcaster.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const run = promisify(execFile);
const WIDTH = 320;
const HEIGHT = 180;
let server: TestServer;
let hlsDir: string;
let scratch: string;
const senders: ChildProcess[] = [];

before(async () => {
	hlsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-hls-speaker-'));
	scratch = mkdtempSync(path.join(os.tmpdir(), 'conference-hls-speaker-frames-'));
	server = await startTestServer({
		env: {
			HLS_DIR: hlsDir,
			HLS_WIDTH: String(WIDTH),
			HLS_HEIGHT: String(HEIGHT),
			HLS_FRAMERATE: '15',
			HLS_LAYOUT: 'speaker',
		},
	});
});

after(async () => {
	for (const sender of senders) sender.kill('SIGKILL');
	await server.close();
	rmSync(hlsDir, { recursive: true, force: true });
	rmSync(scratch, { recursive: true, force: true });
});

const VP8 = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };

/** A broadcaster sending a plain picture of `color` (VP8). */
async function startSender(roomId: string, id: string, color: string): Promise<void> {
	await createBroadcaster(server, roomId, id, { name: 'ffmpeg' });
	const { transport } = await producePlain(server, roomId, id, {
		kind: 'video',
		rtpParameters: { codecs: [VP8], encodings: [{ ssrc: 22222222 }] },
	});
	const args = [
		...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=${color}:size=320x240:rate=15`],
		...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '100k', '-g', '15'],
		...['-payload_type', String(VP8.payloadType), '-ssrc', '22222222', '-f', 'rtp'],
		`rtp://${transport.ip}:${transport.port}?rtcpport=${transport.rtcpPort}&pkt_size=1200`,
	];
	senders.push(spawn('ffmpeg', args, { stdio: 'ignore' }));
}

function download(urlPath: string): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const req = request(`https://127.0.0.1:${server.port}${urlPath}`, { ca: server.ca }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve(Buffer.concat(chunks)));
		});
		req.on('error', reject);
		req.end();
	});
}

/** The brightness (luma) at spots of the newest segment's last frame, as fractions of the picture. */
async function lumaAt(roomId: string, spots: [number, number][]): Promise<number[]> {
	const playlist = (await download(`/hls/${roomId}/index.m3u8`)).toString();
	const segment = playlist
		.split('\n')
		.filter((line) => line.endsWith('.ts'))
		.at(-1);
	assert.ok(segment, playlist);
	const file = path.join(scratch, segment);
	writeFileSync(file, await download(`/hls/${roomId}/${segment}`));
	// Every frame, as bytes of luma: the last WIDTH x HEIGHT of them are the last frame.
	const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
		encoding: 'buffer',
		maxBuffer: 64 * 1024 * 1024,
	});
	const frame = stdout.subarray(stdout.length - WIDTH * HEIGHT);
	return spots.map(([x, y]) => frame[Math.round(y * HEIGHT) * WIDTH + Math.round(x * WIDTH)] ?? 0);
}

test('the speaker layout: the one speaking large on the left, the others in a column beside', async () => {
	const roomId = `hls-speaker-${process.pid}`;
	await startSender(roomId, 'first', 'gray');
	await startSender(roomId, 'second', 'gray');
	await startSender(roomId, 'talker', 'white');
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	const started = await server.rest('POST', `/rooms/${roomId}/hls`);
	assert.equal(started.status, 200, JSON.stringify(started.body));
	const stream = room.hls.stream;
	assert.ok(stream);
	await waitFor('three inputs', () => stream.inputs.size === 3, { timeoutMs: 20_000 });

	// The middle of the left three quarters (white: the talker), the right column's two tiles (gray).
	const spots: [number, number][] = [
		[0.375, 0.5],
		[0.875, 0.25],
		[0.875, 0.75],
	];
	const luma = await waitFor(
		'the talker large, the others beside',
		async () => {
			// As the room's speaker observer does, at every reading of the levels.
			room.hls.speaker('talker');
			const [big = 0, upper = 0, lower = 0] = await lumaAt(roomId, spots);
			return big > 200 && upper > 80 && upper < 180 && lower > 80 && lower < 180 && [big, upper, lower];
		},
		{ timeoutMs: 30_000, intervalMs: 1000 },
	).catch(async (error: unknown) => {
		throw new Error(`${(error as Error).message}: luma ${await lumaAt(roomId, spots)}`);
	});
	assert.ok(luma);
	assert.equal((await server.rest('DELETE', `/rooms/${roomId}/hls`)).status, 200);
});
