// How the broadcaster scripts fail: a missing tool is named with the Debian
// package that has it, an unreachable server or an untrusted certificate is
// said so, the server's own error is printed, and none of it leaves a
// broadcaster in a room. Also the receiver's help when it is not told what to
// record, and the test media made only once.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
	closedPort,
	killScripts,
	pathWithout,
	probe,
	runScript,
	scriptFixture,
	testMedia,
	waitForExit,
} from '../helpers/broadcasterScripts.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let fixture: ReturnType<typeof scriptFixture>;
let media: string;
const peers: TestPeer[] = [];

before(async () => {
	[server, media] = await Promise.all([startTestServer(), testMedia()]);
	fixture = scriptFixture(server);
});

after(async () => {
	await killScripts();
	for (const peer of peers) peer.close();
	await server.close();
	fixture.cleanup();
});

/** Runs a script to its end; returns its exit code and output. */
async function runToEnd(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
	const scriptRun = runScript(script, env);
	const { code } = await waitForExit(scriptRun, 20_000);
	return { code, output: scriptRun.output() };
}

test('a missing tool is named with its Debian package, before anything joins a room', async () => {
	const roomId = `missing-tools-${process.pid}`;
	const cases: { script: string; missing: string[]; message: RegExp }[] = [
		{
			script: 'ffmpeg.sh',
			missing: ['ffmpeg', 'ffprobe'],
			message: /'ffmpeg' is not installed.*apt-get install ffmpeg/,
		},
		{
			script: 'gstreamer.sh',
			missing: ['gst-launch-1.0'],
			message: /'gst-launch-1.0' is not installed.*apt-get install gstreamer1.0-tools/,
		},
		{ script: 'ffmpeg-receiver.sh', missing: ['ffmpeg'], message: /'ffmpeg' is not installed.*apt-get install ffmpeg/ },
		{ script: 'ffmpeg.sh', missing: ['curl'], message: /'curl' is not installed.*apt-get install curl/ },
		{ script: 'gstreamer.sh', missing: ['jq'], message: /'jq' is not installed.*apt-get install jq/ },
		{
			script: 'make-test-media.sh',
			missing: ['ffmpeg'],
			message: /'ffmpeg' is not installed.*apt-get install ffmpeg/,
		},
	];
	for (const { script, missing, message } of cases) {
		const { code, output } = await runToEnd(script, {
			...fixture.env,
			PATH: pathWithout(fixture.dir, missing),
			ROOM_ID: roomId,
			PEER_ID: 'anyone',
			// For make-test-media.sh: a file that does not exist yet.
			MEDIA_FILE: script === 'make-test-media.sh' ? path.join(fixture.dir, 'never.webm') : media,
		});
		assert.equal(code, 1, `${script} without ${missing.join(', ')}:\n${output}`);
		assert.match(output, message, `${script} without ${missing.join(', ')}`);
	}
	assert.equal(await server.server.rooms.find(roomId), undefined, 'no script reached the server');
});

test('a media file without video is refused before joining', async () => {
	const roomId = `no-video-${process.pid}`;
	const audioOnly = path.join(fixture.dir, 'audio-only.ogg');
	await promisify(execFile)('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', audioOnly]);
	for (const script of ['ffmpeg.sh', 'gstreamer.sh']) {
		const { code, output } = await runToEnd(script, { ...fixture.env, ROOM_ID: roomId, MEDIA_FILE: audioOnly });
		assert.equal(code, 1, output);
		assert.match(output, /audio-only\.ogg has no video stream/, script);
	}
	assert.equal(await server.server.rooms.find(roomId), undefined);
});

test('an unreachable server is reported with its URL, for every script', async () => {
	const port = await closedPort();
	for (const script of ['ffmpeg.sh', 'gstreamer.sh', 'ffmpeg-receiver.sh']) {
		const { code, output } = await runToEnd(script, {
			...fixture.env,
			SERVER_URL: `https://127.0.0.1:${port}`,
			MEDIA_FILE: media,
			PEER_ID: 'anyone',
		});
		assert.equal(code, 1, `${script}:\n${output}`);
		assert.match(
			output,
			new RegExp(`cannot reach the server at https://127\\.0\\.0\\.1:${port} .*is it running\\?`),
			script,
		);
		// Nothing was created, so no clean-up to report.
		assert.doesNotMatch(output, /removed|warning/, script);
	}
});

test('an untrusted certificate says how to trust it; CURL_INSECURE=1 skips the check', async () => {
	const { code, output } = await runToEnd('ffmpeg.sh', {
		...fixture.env,
		// Real CAs only: the test server's self-signed certificate is not among them.
		CA_FILE: '/etc/ssl/certs/ca-certificates.crt',
		MEDIA_FILE: media,
	});
	assert.equal(code, 1, output);
	assert.match(output, /TLS with https:\/\/127\.0\.0\.1:\d+ failed/);
	assert.match(output, /set CA_FILE to its certificate[\s\S]*or CURL_INSECURE=1 to skip the check/);

	const insecure = await runToEnd('ffmpeg-receiver.sh', {
		SERVER_URL: fixture.env.SERVER_URL ?? '',
		CA_FILE: '',
		CURL_INSECURE: '1',
		ROOM_ID: `insecure-${process.pid}`,
	});
	// It got through to the server: the next complaint is about what to record.
	assert.match(insecure.output, /set PEER_ID or PRODUCER_ID/, insecure.output);
});

test("the server's error is printed, and a refused id does not remove whoever has it", async () => {
	const roomId = `refused-${process.pid}`;
	const taken = await server.connect(roomId, 'taken');
	peers.push(taken);
	await taken.join({ displayName: 'Taken' });
	const { code, output } = await runToEnd('ffmpeg.sh', {
		...fixture.env,
		MEDIA_FILE: media,
		ROOM_ID: roomId,
		BROADCASTER_ID: 'taken',
	});
	assert.equal(code, 1, output);
	assert.match(
		output,
		/POST \/rooms\/refused-\d+\/broadcasters: the server answered 409: a member with id "taken" already exists/,
	);
	assert.doesNotMatch(output, /removed/);
	const room = await server.server.rooms.find(roomId);
	assert.ok(room?.peers.get('taken')?.joined, 'the peer is still in the room');
	assert.equal(taken.closed, false);
});

test('ffmpeg-receiver.sh lists who produces what when not told what to record, and leaves', async () => {
	const roomId = `receiver-help-${process.pid}`;
	const speaker = await server.connect(roomId, 'speaker');
	peers.push(speaker);
	await speaker.join({ displayName: 'Speaker' });
	const producer = await speaker.produce('audio');

	const help = await runToEnd('ffmpeg-receiver.sh', { ...fixture.env, ROOM_ID: roomId });
	assert.equal(help.code, 1, help.output);
	assert.match(help.output, /set PEER_ID or PRODUCER_ID; in room 'receiver-help-\d+':/);
	assert.match(help.output, new RegExp(`speaker \\(Speaker\\): audio ${producer.id}`));
	assert.match(help.output, /broadcaster receiver-\w+ removed from room/);

	const unknown = await runToEnd('ffmpeg-receiver.sh', { ...fixture.env, ROOM_ID: roomId, PEER_ID: 'nobody' });
	assert.equal(unknown.code, 1, unknown.output);
	assert.match(unknown.output, /peer 'nobody' is not in room 'receiver-help-\d+' or produces nothing/);

	const badDuration = await runToEnd('ffmpeg-receiver.sh', { ...fixture.env, PEER_ID: 'speaker', DURATION: 'soon' });
	assert.equal(badDuration.code, 1, badDuration.output);
	assert.match(badDuration.output, /DURATION must be a positive number \(got 'soon'\)/);

	const room = await server.server.rooms.find(roomId);
	assert.equal(room?.broadcasters.size, 0, 'every receiver left the room');
});

test('make-test-media.sh makes VP8 + opus WebM once, then reuses it', async () => {
	const file = path.join(fixture.dir, 'made.webm');
	const env = { MEDIA_FILE: file, MEDIA_SIZE: '160x90', MEDIA_FPS: '10', MEDIA_DURATION: '1' };
	const first = await runToEnd('make-test-media.sh', env);
	assert.equal(first.code, 0, first.output);
	assert.match(first.output, /generating .*made\.webm \(160x90, 10 fps, 1 s, VP8 \+ opus\)/);
	const { streams, duration } = await probe(file);
	assert.deepEqual(streams.map((stream) => stream.codec).sort(), ['opus', 'vp8']);
	assert.ok(Math.abs(duration - 1) < 0.2, `duration ${duration}`);
	const made = statSync(file).mtimeMs;

	const second = await runToEnd('make-test-media.sh', env);
	assert.equal(second.code, 0, second.output);
	assert.equal(second.output.trim(), file, 'only the path, nothing generated');
	assert.equal(statSync(file).mtimeMs, made);

	const bad = await runToEnd('make-test-media.sh', { ...env, MEDIA_SIZE: 'big' });
	assert.equal(bad.code, 1);
	assert.match(bad.output, /MEDIA_SIZE must look like 640x360 \(got 'big'\)/);
});
