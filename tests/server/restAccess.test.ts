// The REST part of the authorization matrix (issue 21), on one token-mode
// server with two API keys: every route family x every wrong token answers
// the exact status with a reason naming what was wrong (401 who are you, 403
// the grant, the room or the identity) and leaves the room's routers and
// members as they were; the right token works. Recordings: the list holds
// only the rooms the token opens and its urls are signed links that work
// without a header; an expired, forged or misplaced link is a 401. And the
// security headers every answer carries.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import pino from 'pino';
import type { RecordingList } from '../../protocol/recording.ts';
import { createHttpApp } from '../../server/http/HttpApp.ts';
import { ROOM_ID_FILE, recordingFolderName } from '../../server/recording/RoomRecorder.ts';
import {
	AUTH_KEYS,
	bearer,
	NEW_KEY,
	OLD_KEY,
	type RightToken,
	rightToken,
	testToken,
	tokenQuery,
	type WrongToken,
	wrongTokens,
} from '../helpers/accessTokens.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { type RestAnswer, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const roomId = `rest-access-${process.pid}`;
/** The room the "other room" tokens are for (wrongTokens in accessTokens.ts). */
const otherRoomId = 'another-room';
const base = `/rooms/${roomId}`;
const broadcasterId = 'cam';
const OPUS = { mimeType: 'audio/opus', payloadType: 101, clockRate: 48000, channels: 2 };

let server: TestServer;
let recordingsDir: string;
let viewer: TestPeer;

before(async () => {
	recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'conference-rest-access-'));
	server = await startTestServer({ env: { AUTH_KEYS, RECORDINGS_DIR: recordingsDir } });
});

after(async () => {
	viewer?.close();
	await server.close();
	rmSync(recordingsDir, { recursive: true, force: true });
});

/** The ingest token of the broadcaster "cam" (signed with the old key). */
const ingest: RightToken = { apiKey: OLD_KEY, identity: broadcasterId, grants: { room: roomId, ingest: true } };
/** A recorder's token (signed with the new key: both keys are accepted). */
const recorder: RightToken = { apiKey: NEW_KEY, identity: 'recorder', grants: { room: roomId, record: true } };
/** A moderator's token: roomAdmin opens recording too. */
const moderator: RightToken = { apiKey: OLD_KEY, identity: 'moderator', grants: { room: roomId, roomAdmin: true } };
/** An operator's token for every room. */
const operator: RightToken = { apiKey: NEW_KEY, identity: 'operator', grants: { room: '*', record: true } };

interface Refusal {
	name: string;
	headers: Record<string, string>;
	status: number;
	reason: RegExp;
}

const asRefusals = (wrong: WrongToken[]): Refusal[] => wrong.map((w) => ({ ...w, headers: bearer(w.token) }));

/** An Authorization header of another scheme. */
const NOT_BEARER: Refusal = {
	name: 'not a Bearer header',
	headers: { authorization: 'Basic dXNlcjpwYXNz' },
	status: 401,
	reason: /Authorization header must be "Bearer <token>"/,
};

function reasonOf(answer: RestAnswer): string {
	return (answer.body as { error?: string } | undefined)?.error ?? JSON.stringify(answer.body);
}

/** Every router of the room, dumped, and its members; null while the room does not exist. */
async function roomState(): Promise<unknown> {
	const room = await server.server.rooms.find(roomId);
	if (!room) return null;
	const routers = await Promise.all(room.routers.all.map(({ router }) => router.dump()));
	return { routers, members: [...room.peers.keys(), ...room.broadcasters.keys()].sort() };
}

/**
 * Sends the request with every refusal's headers: each answers its status and
 * reason (a 401 also WWW-Authenticate: Bearer), and the room's routers and
 * members are the same afterwards: nothing was created, nothing removed.
 */
async function refusedWithoutTrace(
	request: (headers: Record<string, string>) => Promise<RestAnswer>,
	refusals: Refusal[],
): Promise<void> {
	const before = await roomState();
	for (const { name, headers, status, reason } of refusals) {
		const answer = await request(headers);
		assert.equal(answer.status, status, `${name}: ${reasonOf(answer)}`);
		assert.match(reasonOf(answer), reason, name);
		if (status === 401) assert.match(String(answer.headers['www-authenticate']), /^Bearer/, name);
	}
	assert.deepEqual(await roomState(), before, 'the refusals left the room as it was');
}

/** Every way to be refused by the broadcaster API; ofBroadcaster: the path names the broadcaster "cam". */
async function ingestRefusals({ ofBroadcaster }: { ofBroadcaster: boolean }): Promise<Refusal[]> {
	const wrong = await wrongTokens(ingest, {
		roomId,
		missingGrant: 'ingest',
		needs: /the broadcaster API needs the ingest grant/,
	});
	const otherIdentity: Refusal = {
		name: 'other identity',
		headers: bearer(await rightToken({ ...ingest, identity: 'someone-else' })),
		status: 403,
		reason: new RegExp(`broadcaster id must be the token's identity \\(sub\\): "someone-else", not "${broadcasterId}"`),
	};
	return [...asRefusals(wrong), NOT_BEARER, ...(ofBroadcaster ? [otherIdentity] : [])];
}

async function rightHeaders(right: RightToken): Promise<Record<string, string>> {
	return bearer(await rightToken(right));
}

describe('the broadcaster API in token mode', () => {
	let rtpCapabilities: unknown;
	let sendTransportId = '';
	let connectedTransportId = '';
	let producerId = '';

	test('GET /rooms/:roomId: every wrong token refused and no room made; the right one gets the capabilities', async () => {
		await refusedWithoutTrace(
			(headers) => server.rest('GET', base, undefined, headers),
			await ingestRefusals({ ofBroadcaster: false }),
		);
		assert.equal(await server.server.rooms.find(roomId), undefined, 'no room was created');

		const answer = await server.rest('GET', base, undefined, await rightHeaders(ingest));
		assert.equal(answer.status, 200, reasonOf(answer));
		rtpCapabilities = answer.body;
		assert.ok((answer.body as { codecs: unknown[] }).codecs.length > 0);
		// A viewer with its own token keeps the room open and sees what the broadcaster does.
		const viewerToken = await testToken('viewer', { room: roomId }, { apiKey: OLD_KEY });
		viewer = await server.connect(roomId, 'viewer', { query: tokenQuery(viewerToken) });
		await viewer.join({ displayName: 'Viewer', produce: false });
	});

	test('POST broadcasters: refused for every wrong token and for an id not its own; the right one joins', async () => {
		const body = { id: broadcasterId, displayName: 'Cam', device: { name: 'test' }, rtpCapabilities };
		await refusedWithoutTrace(
			(headers) => server.rest('POST', `${base}/broadcasters`, body, headers),
			await ingestRefusals({ ofBroadcaster: true }),
		);
		assert.deepEqual(viewer.notificationsOf('newPeer'), [], 'nobody was announced');

		const answer = await server.rest('POST', `${base}/broadcasters`, body, await rightHeaders(ingest));
		assert.equal(answer.status, 200, reasonOf(answer));
		await viewer.waitForNotification('newPeer', (data) => data.id === broadcasterId);
	});

	test('POST transports: refused without leaving a transport; the right token makes them', async () => {
		const url = `${base}/broadcasters/${broadcasterId}/transports`;
		const body = { type: 'plain', comedia: true, rtcpMux: false };
		await refusedWithoutTrace(
			(headers) => server.rest('POST', url, body, headers),
			await ingestRefusals({ ofBroadcaster: true }),
		);

		const headers = await rightHeaders(ingest);
		const sending = await server.rest('POST', url, body, headers);
		assert.equal(sending.status, 200, reasonOf(sending));
		sendTransportId = (sending.body as { id: string }).id;
		const toConnect = await server.rest('POST', url, { type: 'plain', comedia: false }, headers);
		assert.equal(toConnect.status, 200, reasonOf(toConnect));
		connectedTransportId = (toConnect.body as { id: string }).id;
	});

	test('POST .../connect: refused, the transport stays unconnected; the right token connects it', async () => {
		const url = `${base}/broadcasters/${broadcasterId}/transports/${connectedTransportId}/connect`;
		const body = { ip: '127.0.0.1', port: 9, rtcpPort: 9 };
		await refusedWithoutTrace(
			(headers) => server.rest('POST', url, body, headers),
			await ingestRefusals({ ofBroadcaster: true }),
		);
		const answer = await server.rest('POST', url, body, await rightHeaders(ingest));
		assert.equal(answer.status, 200, reasonOf(answer));
	});

	test('POST .../producers: refused without a producer; the right token produces and the viewer is offered it', async () => {
		const url = `${base}/broadcasters/${broadcasterId}/transports/${sendTransportId}/producers`;
		const body = { kind: 'audio', rtpParameters: { codecs: [OPUS], encodings: [{ ssrc: 1111 }] } };
		await refusedWithoutTrace(
			(headers) => server.rest('POST', url, body, headers),
			await ingestRefusals({ ofBroadcaster: true }),
		);
		assert.equal(viewer.consumers.size, 0, 'the viewer was offered nothing');

		const answer = await server.rest('POST', url, body, await rightHeaders(ingest));
		assert.equal(answer.status, 200, reasonOf(answer));
		producerId = (answer.body as { id: string }).id;
		await waitFor('the viewer offered the broadcaster audio', () =>
			[...viewer.consumers.values()].some((consumer) => consumer.producerId === producerId),
		);
	});

	test('POST .../consume: refused without a consumer; the right token consumes', async () => {
		const url = `${base}/broadcasters/${broadcasterId}/transports/${connectedTransportId}/consume?producerId=${producerId}`;
		await refusedWithoutTrace(
			(headers) => server.rest('POST', url, undefined, headers),
			await ingestRefusals({ ofBroadcaster: true }),
		);
		const answer = await server.rest('POST', url, undefined, await rightHeaders(ingest));
		assert.equal(answer.status, 200, reasonOf(answer));
		assert.equal((answer.body as { producerId: string }).producerId, producerId);
	});

	test('the DataChannel routes (consume/data, produce/data) are behind the same check', async () => {
		const transport = `${base}/broadcasters/${broadcasterId}/transports/${sendTransportId}`;
		for (const url of [`${transport}/consume/data`, `${transport}/produce/data`]) {
			await refusedWithoutTrace(
				(headers) => server.rest('POST', url, {}, headers),
				(await ingestRefusals({ ofBroadcaster: true })).filter((refusal) => refusal.status === 403),
			);
			const answer = await server.rest('POST', url, {});
			assert.equal(answer.status, 401, `${url}: ${reasonOf(answer)}`);
		}
	});

	test('DELETE broadcaster: refused, the broadcaster stays; the right token removes it and all it had', async () => {
		const url = `${base}/broadcasters/${broadcasterId}`;
		await refusedWithoutTrace(
			(headers) => server.rest('DELETE', url, undefined, headers),
			await ingestRefusals({ ofBroadcaster: true }),
		);
		const answer = await server.rest('DELETE', url, undefined, await rightHeaders(ingest));
		assert.equal(answer.status, 200, reasonOf(answer));
		await viewer.waitForNotification('peerClosed', (data) => data.peerId === broadcasterId);
		const room = await server.server.rooms.find(roomId);
		assert.ok(room);
		for (const { router } of room.routers.all) {
			const dump = await router.dump();
			for (const id of [sendTransportId, connectedTransportId]) assert.ok(!dump.transportIds.includes(id), id);
			assert.ok(!dump.mapProducerIdConsumerIds.some((entry) => entry.key === producerId), producerId);
		}
	});
});

describe('recordings in token mode', () => {
	const recordingNeeds = /recording needs the record or roomAdmin grant/;
	const roomFolder = recordingFolderName(roomId);
	const otherFolder = recordingFolderName(otherRoomId);
	const roomFile = `/recordings/${roomFolder}/cam-audio.webm`;
	const otherFile = `/recordings/${otherFolder}/other-video.webm`;
	const legacyFile = '/recordings/legacy-folder/old.webm';
	let signedRoomFile = '';

	test('POST /rooms/:roomId/recording: refused for every wrong token; record starts it, and the room hears so', async () => {
		const refusals = asRefusals(await wrongTokens(recorder, { roomId, missingGrant: 'record', needs: recordingNeeds }));
		await refusedWithoutTrace(
			(headers) => server.rest('POST', `${base}/recording`, undefined, headers),
			[...refusals, NOT_BEARER],
		);
		assert.deepEqual(viewer.notificationsOf('recordingStarted'), [], 'recording did not start');

		const answer = await server.rest('POST', `${base}/recording`, undefined, await rightHeaders(recorder));
		assert.equal(answer.status, 200, reasonOf(answer));
		await viewer.waitForNotification('recordingStarted');
	});

	test('DELETE /rooms/:roomId/recording: refused for every wrong token; roomAdmin stops it', async () => {
		const refusals = asRefusals(
			await wrongTokens(moderator, { roomId, missingGrant: 'roomAdmin', needs: recordingNeeds }),
		);
		await refusedWithoutTrace(
			(headers) => server.rest('DELETE', `${base}/recording`, undefined, headers),
			[...refusals, NOT_BEARER],
		);
		assert.deepEqual(viewer.notificationsOf('recordingStopped'), [], 'recording did not stop');

		const answer = await server.rest('DELETE', `${base}/recording`, undefined, await rightHeaders(moderator));
		assert.equal(answer.status, 200, reasonOf(answer));
		await viewer.waitForNotification('recordingStopped');
	});

	test('GET /recordings lists only the rooms the token opens, each url a signed link', async () => {
		// The room's folder (the recording above made it and its room file),
		// another room's, and one from a server that did not record the room id.
		writeFileSync(path.join(recordingsDir, roomFolder, 'cam-audio.webm'), 'the room');
		mkdirSync(path.join(recordingsDir, otherFolder));
		writeFileSync(path.join(recordingsDir, otherFolder, ROOM_ID_FILE), otherRoomId);
		writeFileSync(path.join(recordingsDir, otherFolder, 'other-video.webm'), 'another room');
		mkdirSync(path.join(recordingsDir, 'legacy-folder'));
		writeFileSync(path.join(recordingsDir, 'legacy-folder', 'old.webm'), 'a room nobody knows');

		const wrong = await wrongTokens(recorder, {
			roomId,
			missingGrant: 'record',
			needs: /listing recordings needs the record or roomAdmin grant/,
		});
		// A token for another room is not refused: it lists that room's recordings.
		const otherRoom = wrong.find((w) => w.name === 'other room');
		const refusals = asRefusals(wrong.filter((w) => w !== otherRoom));
		await refusedWithoutTrace(
			(headers) => server.rest('GET', '/recordings', undefined, headers),
			[...refusals, NOT_BEARER],
		);

		const list = async (headers: Record<string, string>) => {
			const answer = await server.rest('GET', '/recordings', undefined, headers);
			assert.equal(answer.status, 200, reasonOf(answer));
			return answer.body as RecordingList;
		};
		const paths = (entries: RecordingList) => entries.map((entry) => entry.url.split('?')[0]);

		const mine = await list(await rightHeaders(recorder));
		assert.deepEqual(paths(mine), [roomFile]);
		assert.deepEqual(
			mine.map(({ roomId: room, name }) => ({ room, name })),
			[{ room: roomId, name: 'cam-audio.webm' }],
		);
		assert.match(mine[0]?.url ?? '', /\?access=[\w-]+\.[\w-]+\.[\w-]+$/);
		signedRoomFile = mine[0]?.url ?? '';

		assert.deepEqual(paths(await list(bearer(otherRoom?.token))), [otherFile]);
		assert.deepEqual(paths(await list(await rightHeaders(moderator))), [roomFile], 'roomAdmin lists too');
		assert.deepEqual(
			paths(await list(await rightHeaders(operator))).sort(),
			[roomFile, otherFile, legacyFile].sort(),
			'room "*" lists every folder, also one of an unknown room',
		);
	});

	test('GET /recordings/:folder/:name with a Bearer token: refused for every wrong token and for an unknown room', async () => {
		const refusals = asRefusals(
			await wrongTokens(recorder, {
				roomId,
				missingGrant: 'record',
				needs: /recordings needs the record or roomAdmin grant/,
			}),
		);
		await refusedWithoutTrace((headers) => server.rest('GET', roomFile, undefined, headers), [...refusals, NOT_BEARER]);
		const answer = await server.rest('GET', roomFile, undefined, await rightHeaders(recorder));
		assert.equal(answer.status, 200, reasonOf(answer));
		assert.equal(answer.body, 'the room');

		const legacy = await server.rest('GET', legacyFile, undefined, await rightHeaders(recorder));
		assert.equal(legacy.status, 403);
		assert.match(reasonOf(legacy), /recordings of an unknown room need a token for every room \(room "\*"\)/);
		const asOperator = await server.rest('GET', legacyFile, undefined, await rightHeaders(operator));
		assert.equal(asOperator.status, 200, reasonOf(asOperator));
		assert.equal(asOperator.body, 'a room nobody knows');
	});

	test('a signed link downloads without a header; expired, forged or for another file it is a 401', async () => {
		const answer = await server.rest('GET', signedRoomFile);
		assert.equal(answer.status, 200, reasonOf(answer));
		assert.equal(answer.body, 'the room');
		assert.match(String(answer.headers['content-disposition']), /^attachment; filename="?cam-audio\.webm"?$/);

		const expired = await server.server.access.signDownload(roomFile, -5);
		const forgedSignature = await new SignJWT({})
			.setProtectedHeader({ alg: 'HS256' })
			.setSubject(roomFile)
			.setExpirationTime('10m')
			.sign(randomBytes(32));
		const signature = new URL(signedRoomFile, 'https://x').searchParams.get('access') ?? '';
		const links: { name: string; url: string; reason: RegExp }[] = [
			{ name: 'expired', url: expired, reason: /download link expired/ },
			{ name: 'forged', url: `${roomFile}?access=${forgedSignature}`, reason: /download link is invalid/ },
			{ name: 'an API token', url: `${roomFile}?access=${await rightToken(recorder)}`, reason: /link is invalid/ },
			{ name: 'for another file', url: `${otherFile}?access=${signature}`, reason: /invalid for this file/ },
			{ name: 'given twice', url: `${roomFile}?access=${signature}&access=${signature}`, reason: /invalid/ },
		];
		for (const { name, url, reason } of links) {
			const refused = await server.rest('GET', url);
			assert.equal(refused.status, 401, `${name}: ${reasonOf(refused)}`);
			assert.match(reasonOf(refused), reason, name);
		}
	});
});

describe('security headers', () => {
	test('every answer carries the CSP, no framing, no referrer, nosniff, and HSTS with a configured certificate', async () => {
		// The test server's certificate comes from HTTPS_CERT_FULLCHAIN: "configured".
		const { headers } = await server.rest('GET', '/recordings');
		const csp = String(headers['content-security-policy']);
		for (const directive of [
			"default-src 'self'",
			"script-src 'self'",
			"connect-src 'self'",
			"worker-src 'self'",
			"style-src 'self'",
			"object-src 'none'",
			"frame-ancestors 'none'",
		]) {
			assert.ok(csp.split(';').includes(directive), `${directive} in ${csp}`);
		}
		assert.equal(headers['x-frame-options'], 'DENY');
		assert.equal(headers['referrer-policy'], 'no-referrer');
		assert.equal(headers['x-content-type-options'], 'nosniff');
		assert.equal(headers['strict-transport-security'], 'max-age=15552000');
		assert.equal(headers['x-powered-by'], undefined);
	});

	test('no HSTS with the generated self-signed certificate', async () => {
		const app = createHttpApp({
			rooms: server.server.rooms,
			access: server.server.access,
			appDir: path.join(recordingsDir, 'no-app'),
			recordingsDir,
			hsts: false,
			health: server.server.health,
			log: pino({ level: 'silent' }),
		});
		const plain = createServer(app);
		await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
		try {
			const response = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/recordings`);
			assert.equal(response.status, 401);
			assert.equal(response.headers.get('strict-transport-security'), null);
			assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
		} finally {
			plain.close();
		}
	});
});
