// broadcasters/gstreamer.sh against the real server, as ffmpeg.test.ts does
// for ffmpeg.sh: offered to a peer, RTP received, recorded by
// ffmpeg-receiver.sh into a WebM that decodes; `kill` (SIGTERM to the script
// alone) removes the broadcaster, and so does the stream ending by itself.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { recordAndCheck, startIngest, stopAndCheckGone } from '../helpers/broadcasterIngest.ts';
import { lightSender, runScript, waitForExit } from '../helpers/broadcasterScripts.ts';
import { IngestRoom } from '../helpers/IngestRoom.ts';

const room = new IngestRoom(`gstreamer-${process.pid}`);
const broadcasterId = 'gstreamer-test';

test('gstreamer.sh ingests a looped file; ffmpeg-receiver.sh records 4 s of it', async () => {
	room.ingest = await startIngest({
		server: room.server,
		viewer: room.viewer,
		scriptName: 'gstreamer.sh',
		roomId: room.roomId,
		broadcasterId,
		// Several passes of the 4 s file: the recording spans a wrap.
		env: { ...room.env, ...lightSender, MEDIA_FILE: room.media, LOOPS: '20' },
	});
	await recordAndCheck({
		viewer: room.viewer,
		roomId: room.roomId,
		peerId: broadcasterId,
		env: room.env,
		output: path.join(room.dir, 'gstreamer.webm'),
		seconds: 4,
		fps: 15,
	});
});

test('SIGTERM to gstreamer.sh removes the broadcaster and everything it had', async () => {
	await stopAndCheckGone({
		ingest: room.running('gstreamer.sh'),
		viewer: room.viewer,
		signal: 'SIGTERM',
		target: 'script',
	});
});

test('gstreamer.sh leaves the room when the stream ends', async () => {
	const script = runScript('gstreamer.sh', {
		...room.env,
		...lightSender,
		MEDIA_FILE: room.media,
		LOOPS: '1',
		ROOM_ID: room.roomId,
		BROADCASTER_ID: 'once',
	});
	const exit = await waitForExit(script, 25_000);
	const context = `\noutput:\n${script.output()}`;
	assert.deepEqual(exit, { code: 0, signal: null }, context);
	assert.match(script.output(), /the stream ended after playing the file 1 time\(s\)/, context);
	assert.match(script.output(), /broadcaster once removed from room/, context);
	assert.ok(room.viewer.notificationsOf('newPeer').some((data) => data.id === 'once'));
	await room.viewer.waitForNotification('peerClosed', (data) => data.peerId === 'once');
	assert.equal(script.groupAlive(), false);
});
