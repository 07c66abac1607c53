// broadcasters/ffmpeg.sh against a server in token mode: without TOKEN it
// stops at the first call with the server's 401 and what to do about it,
// leaving nothing in the room; with an ingest token it joins under the
// token's identity, a WebRTC peer receives its audio and video, and stopping
// it removes the broadcaster (the clean-up's DELETE carries the token too).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AUTH_KEYS, testToken, tokenQuery } from '../helpers/accessTokens.ts';
import { type Ingest, startIngest, stopAndCheckGone } from '../helpers/broadcasterIngest.ts';
import {
	killScripts,
	lightSender,
	runScript,
	scriptFixture,
	testMedia,
	waitForExit,
} from '../helpers/broadcasterScripts.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { WebRtcTestPeer } from '../helpers/WebRtcTestPeer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const roomId = `token-ingest-${process.pid}`;
/** The identity of the ingest token: the broadcaster's id. */
const identity = 'ffmpeg-cam';

let server: TestServer;
let fixture: ReturnType<typeof scriptFixture>;
let media: string;
let viewer: WebRtcTestPeer;
let ingest: Ingest | undefined;

before(async () => {
	[server, media] = await Promise.all([startTestServer({ env: { AUTH_KEYS } }), testMedia()]);
	fixture = scriptFixture(server);
	const viewerToken = await testToken('viewer', { room: roomId });
	viewer = await WebRtcTestPeer.connect({
		url: `wss://127.0.0.1:${server.port}/?roomId=${roomId}&peerId=viewer${tokenQuery(viewerToken)}`,
		ca: server.ca,
	});
	await viewer.join({ displayName: 'Viewer', produce: false });
});

after(async () => {
	await killScripts();
	await viewer?.close();
	await server?.close();
	fixture?.cleanup();
});

const scriptEnv = () => ({ ...fixture.env, ...lightSender, MEDIA_FILE: media, ROOM_ID: roomId });

test('without TOKEN, ffmpeg.sh fails with the 401 and what to do, and nothing joins', async () => {
	const script = runScript('ffmpeg.sh', scriptEnv());
	const exit = await waitForExit(script, 20_000);
	const output = script.output();
	assert.equal(exit.code, 1, output);
	assert.match(output, /the server answered 401: token required: this server runs in token mode/);
	assert.match(output, /set TOKEN to an access token with the ingest grant for this room/);
	const room = await server.server.rooms.find(roomId);
	assert.equal(room?.broadcasters.size, 0, 'no broadcaster in the room');
	assert.deepEqual(viewer.notificationsOf('newPeer'), [], 'the viewer saw nobody come');
});

test("with an ingest token, ffmpeg.sh joins as the token's identity and a peer receives its audio and video", async () => {
	const token = await testToken(identity, { room: roomId, ingest: true });
	// No BROADCASTER_ID: the script takes the token's identity.
	ingest = await startIngest({
		server,
		viewer,
		scriptName: 'ffmpeg.sh',
		roomId,
		broadcasterId: identity,
		env: { ...scriptEnv(), TOKEN: token, BROADCASTER_ID: '' },
	});
	const producerIds = ingest.producerIds;
	// What the viewer's WebRTC stack decrypts from the server, per producer, keeps growing.
	const received = () => producerIds.map((id) => viewer.rtpReceivedFrom(id));
	const first = await waitFor('RTP of both producers at the viewer', () => {
		const counts = received();
		return counts.every((count) => count > 0) ? counts : undefined;
	});
	await waitFor(
		'more RTP of both producers at the viewer',
		() => received().every((count, i) => count > (first[i] ?? 0) + 10),
		{ timeoutMs: 20_000 },
	);
});

test('stopping it removes the broadcaster: the clean-up sends the token too', async () => {
	assert.ok(ingest, 'ffmpeg.sh did not start (see the test before)');
	await stopAndCheckGone({ ingest, viewer, signal: 'SIGTERM', target: 'script' });
});
