// The WHEP HTTP API (server/api/WhepApi.ts) on a real token-mode server,
// with a real offer of Chromium playing with @eyevinn/webrtc-player: every
// wrong token, a wrong Content-Type, bad SDP, an unknown room or member and
// an offer no producer of the member fits get their status codes and leave
// the room's routers, members and viewers as they were; a good offer is
// answered 201 with an SDP answer of the member's audio and video, Location
// and ETag, and the viewer is no member (nobody is told of it); OPTIONS,
// PATCH (trickle, ICE restart, If-Match) and DELETE do what WHIP's do; a
// session ends when its member leaves, when the member's producers close,
// when its ICE never connects, and when the room closes. (The browser test,
// tests/e2e/whep.test.ts, plays real media.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { types } from 'mediasoup';
import type { types as msc } from 'mediasoup-client';
import { parse } from 'sdp-transform';
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
	viewerConsumersOf,
} from '../helpers/webrtcHttp.ts';
import { withoutCodecs } from './offerEdits.ts';

const roomId = `whep-api-${process.pid}`;
const endpoint = `/whep/${roomId}/cam`;
const playerOffer = readFileSync(path.join(import.meta.dirname, 'offers', 'chromium-player.sdp'), 'utf8');

const viewing: RightToken = { apiKey: OLD_KEY, identity: 'viewer', grants: { room: roomId, subscribe: true } };
/** Short, so that a player that never connects is seen to go; long enough for the other cases' sessions to live. */
const ICE_TIMEOUT_MS = 5000;

let server: TestServer;
/** The member the viewers play: a peer of the room with a microphone and a camera. */
let cam: TestPeer;
let camProducers: msc.Producer[] = [];
/** A peer in the room that sees whom the room announces. */
let watcher: TestPeer;

before(async () => {
	server = await startTestServer({ env: { AUTH_KEYS, WHIP_ICE_TIMEOUT_MS: String(ICE_TIMEOUT_MS) } });
});
after(async () => {
	watcher?.close();
	cam?.close();
	await server.close();
});

function post(offer: string, headers: Record<string, string>, url = endpoint): Promise<RestAnswer> {
	return postOffer(server, url, offer, headers);
}

async function viewersOf(): Promise<number> {
	return (await server.server.rooms.existing(roomId)).viewers.size;
}

describe('WHEP API in token mode', () => {
	let location = '';
	let etag = '';

	test('setup: a peer with a microphone and a camera, and a peer that watches the room', async () => {
		cam = await server.connect(roomId, 'cam', { query: tokenQuery(await testToken('cam', { room: roomId })) });
		await cam.join({ displayName: 'Cam' });
		camProducers = [await cam.produce('audio'), await cam.produce('video')];
		watcher = await server.connect(roomId, 'watcher', {
			query: tokenQuery(await testToken('watcher', { room: roomId }, { apiKey: NEW_KEY })),
		});
		await watcher.join({ displayName: 'Watcher', produce: false });
		const room = await server.server.rooms.existing(roomId);
		await waitFor('the camera peer has two producers', () => room.peers.get('cam')?.producers.size === 2);
	});

	test('wrong tokens, Content-Type, SDP, room, member and codecs: the status codes, and nothing left behind', async () => {
		const before = await roomState(server.server, roomId);
		const wrong = await wrongTokens(viewing, {
			roomId,
			missingGrant: 'subscribe',
			needs: /WHEP playback needs the subscribe grant/,
		});
		await expectRefused(wrong, (headers) => post(playerOffer, headers));
		const right = bearer(await rightToken(viewing));
		const asJson = await server.rest('POST', endpoint, { sdp: playerOffer }, right);
		assert.equal(asJson.status, 415, reasonOf(asJson));
		assert.match(reasonOf(asJson), /Content-Type must be application\/sdp/);
		const notSdp = await post('hello', right);
		assert.equal(notSdp.status, 400, reasonOf(notSdp));
		const noFingerprint = await post(playerOffer.replace(/a=fingerprint:.*\r\n/g, ''), right);
		assert.equal(noFingerprint.status, 400, reasonOf(noFingerprint));
		assert.match(reasonOf(noFingerprint), /fingerprint/);

		const everyRoom = bearer(await testToken('viewer', { room: '*', subscribe: true }));
		const noRoom = await post(playerOffer, everyRoom, '/whep/no-such-room/cam');
		assert.equal(noRoom.status, 404, reasonOf(noRoom));
		assert.match(reasonOf(noRoom), /room with id "no-such-room" not found/);
		assert.equal(await server.server.rooms.find('no-such-room'), undefined, 'no room was made');
		const noMember = await post(playerOffer, right, `/whep/${roomId}/nobody`);
		assert.equal(noMember.status, 404, reasonOf(noMember));
		assert.match(reasonOf(noMember), /member "nobody" not found/);

		// An offer without the codecs the camera peer sends fits nothing.
		const room = await server.server.rooms.existing(roomId);
		const sent = [...(room.peers.get('cam')?.producers.values() ?? [])].map(
			(producer) => producer.rtpParameters.codecs[0]?.mimeType ?? '',
		);
		assert.deepEqual(sent.map((mimeType) => mimeType.split('/')[0]).sort(), ['audio', 'video']);
		const noCodec = await post(
			withoutCodecs(
				playerOffer,
				sent.map((mimeType) => mimeType.split('/')[1] ?? ''),
			),
			right,
		);
		assert.equal(noCodec.status, 422, reasonOf(noCodec));
		assert.match(reasonOf(noCodec), /no m-section of the offer can be played/);
		assert.match(reasonOf(noCodec), /the member's video is video\/\w+, not a codec the offer has/);
		// The watcher sends nothing.
		const nothingSent = await post(playerOffer, right, `/whep/${roomId}/watcher`);
		assert.equal(nothingSent.status, 422, reasonOf(nothingSent));
		assert.match(reasonOf(nothingSent), /the member sends no video/);

		assert.deepEqual(await roomState(server.server, roomId), before, 'the refusals left the room as it was');
		await assertNoOrphans(server.server, roomId);
	});

	test('OPTIONS says what the endpoint takes; every answer has CORS headers', async () => {
		await expectEndpointOptions(server, endpoint, () => post(playerOffer, {}));
	});

	test("a good offer: 201 with an answer of the member's video and audio, Location and ETag; the viewer is no member", async () => {
		const created = expectCreated(
			await post(playerOffer, bearer(await rightToken(viewing))),
			new RegExp(`^/whep/${roomId}/cam/[0-9a-f]{32}$`),
		);
		({ location, etag } = created);
		const { sdp } = created;
		const offered = parse(playerOffer);
		assert.deepEqual(
			sdp.media.map((m) => [m.type, String(m.mid), m.direction]),
			offered.media.map((m) => [m.type, String(m.mid), 'sendonly']),
			"one sendonly section per offered one, the offer's mids in its order",
		);
		const room = await server.server.rooms.existing(roomId);
		const camPeer = room.peers.get('cam');
		assert.ok(camPeer);
		assert.equal(room.viewers.size, 1);
		const viewer = [...room.viewers.values()][0];
		const consumers = viewerConsumersOf(viewer, camPeer.producers);
		for (const media of sdp.media) {
			const consumer = consumers.find((c) => c.rtpParameters.mid === String(media.mid));
			assert.ok(consumer, `a consumer for mid ${media.mid}`);
			assert.equal(consumer.kind, media.type);
			assert.equal(consumer.paused, false, 'WHEP has no accept step: the consumer is not paused');
			assert.equal(Number(media.ssrcs?.[0]?.id), consumer.rtpParameters.encodings?.[0]?.ssrc);
			assert.equal(Number(String(media.payloads).split(' ')[0]), consumer.rtpParameters.codecs[0]?.payloadType);
		}
		const transport = [...(viewer?.transports.values() ?? [])][0] as types.WebRtcTransport | undefined;
		assert.equal(sdp.media[0]?.iceUfrag, transport?.iceParameters.usernameFragment);
		assert.deepEqual([...room.peers.keys()].sort(), ['cam', 'watcher'], 'the viewer is not a peer');
		assert.equal(room.broadcasters.size, 0, 'nor a broadcaster');
		assert.deepEqual(watcher.notificationsOf('newPeer'), [], 'nobody was told of it');
	});

	test('PATCH: 415, 412 on a stale If-Match, 204 for trickle, 200 with new ICE credentials for an ICE restart', async () => {
		const offered = parse(playerOffer);
		const room = await server.server.rooms.existing(roomId);
		await expectPatches(server, {
			location,
			etag,
			headers: bearer(await rightToken(viewing)),
			offerUfrag: String(offered.iceUfrag ?? offered.media[0]?.iceUfrag),
			transport: () =>
				[...([...room.viewers.values()][0]?.transports.values() ?? [])][0] as types.WebRtcTransport | undefined,
		});
	});

	test('DELETE: 404 for an unknown session, 403 for another identity, 401 without a token; the right token ends it', async () => {
		const right = bearer(await rightToken(viewing));
		const unknown = await server.rest('DELETE', `${endpoint}/0123456789abcdef0123456789abcdef`, undefined, right);
		assert.equal(unknown.status, 404, reasonOf(unknown));
		const otherMember = await server.rest('DELETE', location.replace('/cam/', '/watcher/'), undefined, right);
		assert.equal(otherMember.status, 404, `the session is under its member's URL: ${reasonOf(otherMember)}`);
		const other = await server.rest(
			'DELETE',
			location,
			undefined,
			bearer(await rightToken({ ...viewing, identity: 'someone-else' })),
		);
		assert.equal(other.status, 403, reasonOf(other));
		const noToken = await server.rest('DELETE', location);
		assert.equal(noToken.status, 401, reasonOf(noToken));

		const room = await server.server.rooms.existing(roomId);
		const viewer = [...room.viewers.values()][0];
		assert.ok(viewer);
		const transports = [...viewer.transports.values()];
		const consumers = [...viewer.consumers.values()];
		const routerIds = async () => (await room.routers.home.worker.dump()).routerIds.sort();
		assert.equal((await routerIds()).length, 2, "the room's router and the session's");
		const done = await server.rest('DELETE', location, undefined, right);
		assert.equal(done.status, 200, reasonOf(done));
		assert.equal(room.viewers.size, 0);
		for (const transport of transports) assert.ok(transport.closed, 'its transport closed');
		for (const consumer of consumers) assert.ok(consumer.closed, `its ${consumer.kind} consumer closed`);
		await settledNoOrphans(server.server, roomId);
		assert.deepEqual(await routerIds(), [room.router.id], "the session's router is closed, and the pipe to it");
		const again = await server.rest('DELETE', location, undefined, right);
		assert.equal(again.status, 404, 'the session is gone');
		assert.deepEqual(watcher.notificationsOf('peerClosed'), [], 'nobody was told of it either');
	});

	test("when the member's producers close, the session ends; a second session of the same identity is fine", async () => {
		const right = bearer(await rightToken(viewing));
		const first = await post(playerOffer, right);
		const second = await post(playerOffer, right);
		assert.equal(first.status, 201, reasonOf(first));
		assert.equal(second.status, 201, reasonOf(second));
		assert.equal(await viewersOf(), 2);
		// The camera peer stops its microphone and camera (closeProducer).
		for (const producer of camProducers) {
			producer.close();
			await cam.request('closeProducer', { producerId: producer.id });
		}
		await waitFor('the sessions end', async () => (await viewersOf()) === 0);
		const gone = await server.rest('DELETE', String(first.headers.location), undefined, right);
		assert.equal(gone.status, 404, reasonOf(gone));
		await settledNoOrphans(server.server, roomId);
		// Back on for the next cases.
		camProducers = [await cam.produce('audio'), await cam.produce('video')];
		const room = await server.server.rooms.existing(roomId);
		await waitFor('the camera peer has two producers again', () => room.peers.get('cam')?.producers.size === 2);
	});

	test('a player that never connects ICE is dropped after whip.iceTimeoutMs', async () => {
		const started = Date.now();
		const answer = await post(playerOffer, bearer(await rightToken(viewing)));
		assert.equal(answer.status, 201, reasonOf(answer));
		await waitFor('the silent player to be dropped', async () => (await viewersOf()) === 0, {
			timeoutMs: ICE_TIMEOUT_MS + 5000,
		});
		const elapsed = Date.now() - started;
		assert.ok(elapsed >= ICE_TIMEOUT_MS - 100, `it stayed for the timeout (dropped after ${elapsed} ms)`);
		await settledNoOrphans(server.server, roomId);
	});

	test('when the member leaves, the session ends', async () => {
		const answer = await post(playerOffer, bearer(await rightToken(viewing)));
		assert.equal(answer.status, 201, reasonOf(answer));
		assert.equal(await viewersOf(), 1);
		cam.close();
		await watcher.waitForNotification('peerClosed', (data) => data.peerId === 'cam');
		assert.equal(await viewersOf(), 0);
		await settledNoOrphans(server.server, roomId);
	});

	test('when the room closes, its WHEP sessions end with it (last: it closes the room)', async () => {
		cam = await server.connect(roomId, 'cam', { query: tokenQuery(await testToken('cam', { room: roomId })) });
		await cam.join({ displayName: 'Cam' });
		await cam.produce('video');
		const room = await server.server.rooms.existing(roomId);
		await waitFor('the camera peer has a producer', () => room.peers.get('cam')?.producers.size === 1);
		const right = bearer(await rightToken(viewing));
		const answer = await post(playerOffer, right);
		assert.equal(answer.status, 201, reasonOf(answer));
		const sdp = parse(String(answer.body));
		assert.deepEqual(
			sdp.media.map((m) => [m.type, m.port === 0]),
			[
				['video', false],
				['audio', true],
			],
			'the audio section is rejected: the member sends no audio',
		);
		const viewer = [...room.viewers.values()][0];
		assert.ok(viewer);
		const transports = [...viewer.transports.values()];
		room.close();
		assert.ok(viewer.closed, 'the viewer closed with the room');
		for (const transport of transports) assert.ok(transport.closed, 'its transport closed');
		const gone = await server.rest('DELETE', String(answer.headers.location), undefined, right);
		assert.equal(gone.status, 404, `the session URL is gone: ${reasonOf(gone)}`);
	});
});
