// Live HLS in token mode: starting, stopping and loading the stream need
// what recordings need, `record` or `roomAdmin` for the room. Every wrong
// token (none, forged, unknown key, expired, not yet valid, another room, no
// such grant) is refused with the status and reason of the REST API, and a
// refused start starts nothing; the right tokens work.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
	AUTH_KEYS,
	bearer,
	NEW_KEY,
	OLD_KEY,
	type RightToken,
	rightToken,
	wrongTokens,
} from '../helpers/accessTokens.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import { type RestAnswer, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const roomId = `hls-access-${process.pid}`;
let server: TestServer;
let hlsDir: string;

before(async () => {
	hlsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-hls-access-'));
	server = await startTestServer({
		env: { AUTH_KEYS, HLS_DIR: hlsDir, HLS_WIDTH: '320', HLS_HEIGHT: '180', HLS_FRAMERATE: '15' },
	});
});

after(async () => {
	await server.close();
	rmSync(hlsDir, { recursive: true, force: true });
});

const recorder: RightToken = { apiKey: NEW_KEY, identity: 'recorder', grants: { room: roomId, record: true } };
const moderator: RightToken = { apiKey: OLD_KEY, identity: 'moderator', grants: { room: roomId, roomAdmin: true } };
const ingest: RightToken = { apiKey: OLD_KEY, identity: 'cam', grants: { room: roomId, ingest: true } };
const needs = /live HLS needs the record or roomAdmin grant/;

function reasonOf(answer: RestAnswer): string {
	return (answer.body as { error?: string } | undefined)?.error ?? JSON.stringify(answer.body);
}

/** Each wrong token of `right` is refused with its status and reason. */
async function refused(
	right: RightToken,
	missingGrant: 'record' | 'roomAdmin',
	send: (headers: Record<string, string>) => Promise<RestAnswer>,
) {
	for (const wrong of await wrongTokens(right, { roomId, missingGrant, needs })) {
		const answer = await send(bearer(wrong.token));
		assert.equal(answer.status, wrong.status, `${wrong.name}: ${reasonOf(answer)}`);
		assert.match(reasonOf(answer), wrong.reason, wrong.name);
		if (wrong.status === 401) assert.match(String(answer.headers['www-authenticate']), /^Bearer/, wrong.name);
	}
}

test('start, play and stop need record or roomAdmin for the room; refusals start nothing', async () => {
	// A broadcaster opens the room (its ingest token may not start HLS).
	const created = await server.rest(
		'POST',
		`/rooms/${roomId}/broadcasters`,
		{ id: 'cam', displayName: 'Cam', device: { name: 'test' } },
		bearer(await rightToken(ingest)),
	);
	assert.equal(created.status, 200, reasonOf(created));
	const room = await server.server.rooms.find(roomId);
	assert.ok(room);
	const ingestStart = await server.rest('POST', `/rooms/${roomId}/hls`, undefined, bearer(await rightToken(ingest)));
	assert.equal(ingestStart.status, 403);
	assert.match(reasonOf(ingestStart), needs);

	await refused(recorder, 'record', (headers) => server.rest('POST', `/rooms/${roomId}/hls`, undefined, headers));
	assert.equal(room.hls.stream, undefined, 'no refused start started the stream');
	await assertNoOrphans(server.server, roomId);
	// 401 and 403 before 404: a refusal tells nothing of which rooms exist.
	const unknownRoom = await server.rest('POST', '/rooms/no-such-room/hls');
	assert.equal(unknownRoom.status, 401);

	const started = await server.rest('POST', `/rooms/${roomId}/hls`, undefined, bearer(await rightToken(recorder)));
	assert.equal(started.status, 200, reasonOf(started));

	const playlistPath = `/hls/${roomId}/index.m3u8`;
	await refused(moderator, 'roomAdmin', (headers) => server.rest('GET', playlistPath, undefined, headers));
	const played = await server.rest('GET', playlistPath, undefined, bearer(await rightToken(moderator)));
	assert.equal(played.status, 200, reasonOf(played));
	assert.match(String(played.body), /^#EXTM3U/);

	await refused(moderator, 'roomAdmin', (headers) => server.rest('DELETE', `/rooms/${roomId}/hls`, undefined, headers));
	assert.ok(room.hls.stream, 'no refused stop stopped the stream');
	const stopped = await server.rest('DELETE', `/rooms/${roomId}/hls`, undefined, bearer(await rightToken(moderator)));
	assert.equal(stopped.status, 200, reasonOf(stopped));
	await waitFor('the router holds only what the members own', () =>
		assertNoOrphans(server.server, roomId).then(
			() => true,
			() => false,
		),
	);
});
