// broadcasters/ffmpeg.sh against the real server: a peer in the room sees the
// broadcaster and is offered its audio and video, the server receives RTP,
// ffmpeg-receiver.sh records it to a WebM that decodes (for a set time, or
// until Ctrl+C), and Ctrl+C (SIGINT to the script's process group, as a
// terminal sends it) removes it all. The tests share one ingest, in order.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { type Ingest, recordAndCheck, startIngest, stopAndCheckGone } from '../helpers/broadcasterIngest.ts';
import {
	killScripts,
	lightSender,
	probe,
	runScript,
	scriptFixture,
	testMedia,
	waitForExit,
} from '../helpers/broadcasterScripts.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const roomId = `ffmpeg-${process.pid}`;
const broadcasterId = 'ffmpeg-test';
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

function running(): Ingest {
	assert.ok(ingest, 'ffmpeg.sh did not start (see the first test)');
	return ingest;
}

test('ffmpeg.sh ingests a looped file; ffmpeg-receiver.sh records 4 s of it', async () => {
	ingest = await startIngest({
		server,
		viewer,
		scriptName: 'ffmpeg.sh',
		roomId,
		broadcasterId,
		env: { ...fixture.env, ...lightSender, MEDIA_FILE: media },
	});
	await recordAndCheck({
		viewer,
		roomId,
		peerId: broadcasterId,
		env: fixture.env,
		output: path.join(fixture.dir, 'ffmpeg.webm'),
		seconds: 4,
		fps: 15,
	});
});

test('ffmpeg-receiver.sh without DURATION records until Ctrl+C, and the file is complete', async () => {
	running();
	const output = path.join(fixture.dir, 'until-stopped.webm');
	const receiver = runScript('ffmpeg-receiver.sh', {
		...fixture.env,
		ROOM_ID: roomId,
		PEER_ID: broadcasterId,
		BROADCASTER_ID: 'stopped-receiver',
		OUTPUT: output,
	});
	await waitFor('the receiver recording', () => receiver.output().includes('Ctrl+C to stop'), { timeoutMs: 25_000 });
	await setTimeout(3000);
	receiver.signal('SIGINT', 'group');
	const exit = await waitForExit(receiver, 15_000);
	assert.equal(exit.code, 130, receiver.output());
	await viewer.waitForNotification('peerClosed', (data) => data.peerId === 'stopped-receiver');
	// ffmpeg got one signal and wrote the file's index (a second one makes it
	// abandon the file, which ffprobe would refuse).
	const { streams, duration } = await probe(output);
	assert.deepEqual(streams.map((stream) => stream.codec).sort(), ['opus', 'vp8']);
	assert.ok(duration > 1.5 && duration < 8, `duration ${duration} s\n${receiver.output()}`);
});

test('Ctrl+C on ffmpeg.sh removes the broadcaster and everything it had', async () => {
	await stopAndCheckGone({ ingest: running(), viewer, signal: 'SIGINT', target: 'group' });
});
