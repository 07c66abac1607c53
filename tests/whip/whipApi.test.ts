// The WHIP HTTP API (server/api/WhipApi.ts) on a real token-mode server,
// with a real Chromium offer: every wrong token, a wrong Content-Type, bad
// SDP, an offer without a usable codec and an unknown room get RFC 9725's
// (and the issue's) status codes and leave the room's routers and members as
// they were; a good offer is answered 201 with the SDP answer, Location and
// ETag, and the sender is a member the other peers are told of; OPTIONS,
// PATCH (trickle, ICE restart, If-Match) and DELETE do what the RFC says; a
// session whose transport closes leaves the room. (The browser test,
// tests/e2e/whip.test.ts, sends real media.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { types } from 'mediasoup';
import {
	AUTH_KEYS,
	bearer,
	NEW_KEY,
	OLD_KEY,
	type RightToken,
	rightToken,
	testToken,
	tokenQuery,
	wrongTokens,
} from '../helpers/accessTokens.ts';
import { assertNoOrphans } from '../helpers/noOrphans.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { type RestAnswer, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import {
	expectCreated,
	expectEndpointOptions,
	expectPatches,
	expectRefused,
	postOffer,
	reasonOf,
	roomState,
	settledNoOrphans,
} from '../helpers/webrtcHttp.ts';

const roomId = `whip-api-${process.pid}`;
const endpoint = `/whip/${roomId}`;
const chromiumOffer = readFileSync(path.join(import.meta.dirname, 'offers', 'chromium.sdp'), 'utf8');
/** Chromium's offer with only codecs the server lacks: PCMU audio, AV1 video. */
const unusableOffer = chromiumOffer
	.replace('m=audio 51767 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126', 'm=audio 51767 UDP/TLS/RTP/SAVPF 0')
	.replace(/a=rtpmap:111 opus.*\r\n/, '')
	.replace(/m=video 49311 UDP\/TLS\/RTP\/SAVPF .*\r\n/, 'm=video 49311 UDP/TLS/RTP/SAVPF 45 46\r\n')
	.replace(/a=rtpmap:(96|102|104|108|114|116|39|98|100) .*\r\n/g, '');

const ingest: RightToken = { apiKey: OLD_KEY, identity: 'whip-cam', grants: { room: roomId, ingest: true } };
/** Short, so that a sender that never connects is seen to go; long enough for the other cases' sessions to live. */
const ICE_TIMEOUT_MS = 5000;

let server: TestServer;
let viewer: TestPeer;

before(async () => {
	server = await startTestServer({ env: { AUTH_KEYS, WHIP_ICE_TIMEOUT_MS: String(ICE_TIMEOUT_MS) } });
});
after(async () => {
	viewer?.close();
	await server.close();
});

function post(offer: string, headers: Record<string, string>, url = endpoint): Promise<RestAnswer> {
	return postOffer(server, url, offer, headers);
}

describe('WHIP API in token mode', () => {
	let location = '';
	let etag = '';

	test('the room must exist: 404 for an unknown room, and none is made', async () => {
		const everyRoom = bearer(await testToken('whip-cam', { room: '*', ingest: true }));
		const answer = await post(chromiumOffer, everyRoom, '/whip/no-such-room');
		assert.equal(answer.status, 404, reasonOf(answer));
		assert.match(reasonOf(answer), /room with id "no-such-room" not found/);
		assert.equal(await server.server.rooms.find('no-such-room'), undefined);

		// A viewer opens the room and watches what the WHIP sender does.
		const viewerToken = await testToken('viewer', { room: roomId }, { apiKey: NEW_KEY });
		viewer = await server.connect(roomId, 'viewer', { query: tokenQuery(viewerToken) });
		await viewer.join({ displayName: 'Viewer', produce: false });
	});

	test('wrong tokens, Content-Type, SDP, size and codecs: the status codes, and nothing left behind', async () => {
		const before = await roomState(server.server, roomId);
		const wrong = await wrongTokens(ingest, {
			roomId,
			missingGrant: 'ingest',
			needs: /the broadcaster API needs the ingest grant/,
		});
		await expectRefused(wrong, (headers) => post(chromiumOffer, headers));
		const right = bearer(await rightToken(ingest));
		const asJson = await server.rest('POST', endpoint, { sdp: chromiumOffer }, right);
		assert.equal(asJson.status, 415, reasonOf(asJson));
		assert.match(reasonOf(asJson), /Content-Type must be application\/sdp/);
		const notSdp = await post('hello', right);
		assert.equal(notSdp.status, 400, reasonOf(notSdp));
		const noFingerprint = await post(chromiumOffer.replace(/a=fingerprint:.*\r\n/g, ''), right);
		assert.equal(noFingerprint.status, 400, reasonOf(noFingerprint));
		assert.match(reasonOf(noFingerprint), /fingerprint/);
		const huge = await post(`${chromiumOffer}${'a=x-filler:0123456789abcdef\r\n'.repeat(10_000)}`, right);
		assert.equal(huge.status, 413, reasonOf(huge));
		assert.match(reasonOf(huge), /body larger than 262144 bytes/);
		const noCodec = await post(unusableOffer, right);
		assert.equal(noCodec.status, 422, reasonOf(noCodec));
		assert.match(reasonOf(noCodec), /no m-section of the offer can be received/);

		assert.deepEqual(await roomState(server.server, roomId), before, 'the refusals left the room as it was');
		assert.deepEqual(viewer.notificationsOf('newPeer'), [], 'nobody was announced');
	});

	test('OPTIONS says what the endpoint takes; every answer has CORS headers', async () => {
		await expectEndpointOptions(server, endpoint, () => post(chromiumOffer, {}));
	});

	test('a good offer: 201 with the SDP answer, Location and ETag; the sender is a member with two producers', async () => {
		const created = expectCreated(
			await post(chromiumOffer, bearer(await rightToken(ingest))),
			new RegExp(`^/whip/${roomId}/[0-9a-f]{32}$`),
		);
		({ location, etag } = created);
		const { sdp } = created;
		assert.deepEqual(
			sdp.media.map((m) => [m.type, m.direction]),
			[
				['audio', 'recvonly'],
				['video', 'recvonly'],
			],
		);

		await viewer.waitForNotification('newPeer', (data) => data.id === 'whip-cam');
		const room = await server.server.rooms.existing(roomId);
		const member = room.broadcasters.get('whip-cam');
		assert.ok(member, 'the token identity is the member id');
		assert.deepEqual([...member.producers.values()].map((p) => p.kind).sort(), ['audio', 'video']);
		const transport = [...member.transports.values()][0] as types.WebRtcTransport | undefined;
		assert.equal(sdp.media[0]?.iceUfrag, transport?.iceParameters.usernameFragment);
		await assertNoOrphans(server.server, roomId);

		const again = await post(chromiumOffer, bearer(await rightToken(ingest)));
		assert.equal(again.status, 409, `a second session of the same identity: ${reasonOf(again)}`);
		await assertNoOrphans(server.server, roomId);
	});

	test('PATCH: 415, 412 on a stale If-Match, 204 for trickle, 200 with new ICE credentials for an ICE restart', async () => {
		const room = await server.server.rooms.existing(roomId);
		await expectPatches(server, {
			location,
			etag,
			headers: bearer(await rightToken(ingest)),
			offerUfrag: 'gSEl',
			transport: () =>
				[...(room.broadcasters.get('whip-cam')?.transports.values() ?? [])][0] as types.WebRtcTransport | undefined,
		});
	});

	test('DELETE: 404 for an unknown session, 403 for another identity; the right token ends it and it leaves the room', async () => {
		const unknown = await server.rest(
			'DELETE',
			`${endpoint}/0123456789abcdef0123456789abcdef`,
			undefined,
			bearer(await rightToken(ingest)),
		);
		assert.equal(unknown.status, 404, reasonOf(unknown));
		const other = await server.rest(
			'DELETE',
			location,
			undefined,
			bearer(await rightToken({ ...ingest, identity: 'other' })),
		);
		assert.equal(other.status, 403, reasonOf(other));
		const noToken = await server.rest('DELETE', location);
		assert.equal(noToken.status, 401, reasonOf(noToken));

		const done = await server.rest('DELETE', location, undefined, bearer(await rightToken(ingest)));
		assert.equal(done.status, 200, reasonOf(done));
		await viewer.waitForNotification('peerClosed', (data) => data.peerId === 'whip-cam');
		const room = await server.server.rooms.existing(roomId);
		assert.equal(room.broadcasters.has('whip-cam'), false);
		await settledNoOrphans(server.server, roomId);
		const again = await server.rest('DELETE', location, undefined, bearer(await rightToken(ingest)));
		assert.equal(again.status, 404, 'the session is gone');
	});

	test("a session whose transport closes leaves the room, and its URL is gone; the token's name is its display name", async () => {
		const token = bearer(await testToken('whip-fails', ingest.grants, { apiKey: OLD_KEY, name: 'Studio A' }));
		const answer = await post(chromiumOffer, token);
		assert.equal(answer.status, 201, reasonOf(answer));
		const room = await server.server.rooms.existing(roomId);
		const member = await waitFor('the member', () => room.broadcasters.get('whip-fails') ?? false);
		const announced = await viewer.waitForNotification('newPeer', (data) => data.id === 'whip-fails');
		assert.equal(announced.displayName, 'Studio A');
		assert.deepEqual(announced.device, { flag: 'whip', name: 'WHIP' });
		for (const transport of member.transports.values()) transport.close();
		await viewer.waitForNotification('peerClosed', (data) => data.peerId === 'whip-fails');
		await settledNoOrphans(server.server, roomId);
		const gone = await server.rest('DELETE', String(answer.headers.location), undefined, token);
		assert.equal(gone.status, 404, reasonOf(gone));
	});

	test('a sender that never connects ICE leaves the room after whip.iceTimeoutMs', async () => {
		const token = bearer(await rightToken({ ...ingest, identity: 'whip-silent' }));
		const started = Date.now();
		const answer = await post(chromiumOffer, token);
		assert.equal(answer.status, 201, reasonOf(answer));
		await viewer.waitForNotification('newPeer', (data) => data.id === 'whip-silent');
		await waitFor(
			'the silent sender to leave',
			() => viewer.notificationsOf('peerClosed').some((data) => data.peerId === 'whip-silent'),
			{ timeoutMs: ICE_TIMEOUT_MS + 5000 },
		);
		const elapsed = Date.now() - started;
		assert.ok(elapsed >= ICE_TIMEOUT_MS - 100, `it stayed for the timeout (left after ${elapsed} ms)`);
		await settledNoOrphans(server.server, roomId);
	});

	test('when the room closes, its WHIP sessions end with it (last: it closes the room)', async () => {
		const token = bearer(await rightToken({ ...ingest, identity: 'whip-last' }));
		const answer = await post(chromiumOffer, token);
		assert.equal(answer.status, 201, reasonOf(answer));
		const room = await server.server.rooms.existing(roomId);
		const member = room.broadcasters.get('whip-last');
		assert.ok(member);
		const transports = [...member.transports.values()];
		room.close();
		assert.ok(member.closed, 'the member closed with the room');
		for (const transport of transports) assert.ok(transport.closed, 'its transport closed');
		const gone = await server.rest('DELETE', String(answer.headers.location), undefined, token);
		assert.equal(gone.status, 404, `the session URL is gone: ${reasonOf(gone)}`);
	});
});
