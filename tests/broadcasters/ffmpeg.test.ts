// broadcasters/ffmpeg.sh against the real server: a peer in the room sees the
// broadcaster and is offered its audio and video, the server receives RTP,
// ffmpeg-receiver.sh records it to a WebM that decodes (for a set time, or
// until Ctrl+C), and Ctrl+C (SIGINT to the script's process group, as a
// terminal sends it) removes it all. The tests share one ingest, in order.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { recordAndCheck, startIngest, stopAndCheckGone } from '../helpers/broadcasterIngest.ts';
import { lightSender, probe, runScript, waitForExit } from '../helpers/broadcasterScripts.ts';
import { IngestRoom } from '../helpers/IngestRoom.ts';
import { waitFor } from '../helpers/waitFor.ts';

const room = new IngestRoom(`ffmpeg-${process.pid}`);
const broadcasterId = 'ffmpeg-test';

test('ffmpeg.sh ingests a looped file; ffmpeg-receiver.sh records 4 s of it', async () => {
	room.ingest = await startIngest({
		server: room.server,
		viewer: room.viewer,
		scriptName: 'ffmpeg.sh',
		roomId: room.roomId,
		broadcasterId,
		env: { ...room.env, ...lightSender, MEDIA_FILE: room.media },
	});
	await recordAndCheck({
		viewer: room.viewer,
		roomId: room.roomId,
		peerId: broadcasterId,
		env: room.env,
		output: path.join(room.dir, 'ffmpeg.webm'),
		seconds: 4,
		fps: 15,
	});
});

test('ffmpeg-receiver.sh without DURATION records until Ctrl+C, and the file is complete', async () => {
	room.running('ffmpeg.sh');
	const output = path.join(room.dir, 'until-stopped.webm');
	const receiver = runScript('ffmpeg-receiver.sh', {
		...room.env,
		ROOM_ID: room.roomId,
		PEER_ID: broadcasterId,
		BROADCASTER_ID: 'stopped-receiver',
		OUTPUT: output,
	});
	await waitFor('the receiver recording', () => receiver.output().includes('Ctrl+C to stop'), { timeoutMs: 25_000 });
	await setTimeout(3000);
	receiver.signal('SIGINT', 'group');
	const exit = await waitForExit(receiver, 15_000);
	assert.equal(exit.code, 130, receiver.output());
	await room.viewer.waitForNotification('peerClosed', (data) => data.peerId === 'stopped-receiver');
	// ffmpeg got one signal and wrote the file's index (a second one makes it
	// abandon the file, which ffprobe would refuse).
	const { streams, duration } = await probe(output);
	assert.deepEqual(streams.map((stream) => stream.codec).sort(), ['opus', 'vp8']);
	assert.ok(duration > 1.5 && duration < 8, `duration ${duration} s\n${receiver.output()}`);
});

test('Ctrl+C on ffmpeg.sh removes the broadcaster and everything it had', async () => {
	await stopAndCheckGone({ ingest: room.running('ffmpeg.sh'), viewer: room.viewer, signal: 'SIGINT', target: 'group' });
});
