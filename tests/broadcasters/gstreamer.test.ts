// broadcasters/gstreamer.sh against the real server, as ffmpeg.test.ts does
// for ffmpeg.sh: offered to a peer, RTP received, recorded by
// ffmpeg-receiver.sh into a WebM that decodes; `kill` (SIGTERM to the script
// alone) removes the broadcaster, and so does the stream ending by itself.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Ingest, recordAndCheck, startIngest, stopAndCheckGone } from '../helpers/broadcasterIngest.ts';
import {
	killScripts,
	lightSender,
	runScript,
	scriptFixture,
	testMedia,
	waitForExit,
} from '../helpers/broadcasterScripts.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const roomId = `gstreamer-${process.pid}`;
const broadcasterId = 'gstreamer-test';
let server: TestServer;
let fixture: ReturnType<typeof scriptFixture>;
let media: string;
let viewer: TestPeer;
let ingest: Ingest | undefined;

before(async () => {
	[server, media] = await Promise.all([startTestServer(), testMedia()]);
	fixture = scriptFixture(server);
	viewer = await server.connect(roomId, 'viewer');
	await viewer.join({ displayName: 'Viewer' });
});

after(async () => {
	await killScripts();
	viewer.close();
	await server.close();
	fixture.cleanup();
});

test('gstreamer.sh ingests a looped file; ffmpeg-receiver.sh records 4 s of it', async () => {
	ingest = await startIngest({
		server,
		viewer,
		scriptName: 'gstreamer.sh',
		roomId,
		broadcasterId,
		// Several passes of the 4 s file: the recording spans a wrap.
		env: { ...fixture.env, ...lightSender, MEDIA_FILE: media, LOOPS: '20' },
	});
	await recordAndCheck({
		viewer,
		roomId,
		peerId: broadcasterId,
		env: fixture.env,
		output: path.join(fixture.dir, 'gstreamer.webm'),
		seconds: 4,
		fps: 15,
	});
});

test('SIGTERM to gstreamer.sh removes the broadcaster and everything it had', async () => {
	assert.ok(ingest, 'gstreamer.sh did not start (see the first test)');
	await stopAndCheckGone({ ingest, viewer, signal: 'SIGTERM', target: 'script' });
});

test('gstreamer.sh leaves the room when the stream ends', async () => {
	const script = runScript('gstreamer.sh', {
		...fixture.env,
		...lightSender,
		MEDIA_FILE: media,
		LOOPS: '1',
		ROOM_ID: roomId,
		BROADCASTER_ID: 'once',
	});
	const exit = await waitForExit(script, 25_000);
	const context = `\noutput:\n${script.output()}`;
	assert.deepEqual(exit, { code: 0, signal: null }, context);
	assert.match(script.output(), /the stream ended after playing the file 1 time\(s\)/, context);
	assert.match(script.output(), /broadcaster once removed from room/, context);
	assert.ok(viewer.notificationsOf('newPeer').some((data) => data.id === 'once'));
	await viewer.waitForNotification('peerClosed', (data) => data.peerId === 'once');
	assert.equal(script.groupAlive(), false);
});
