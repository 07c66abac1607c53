// What the WHIP and WHEP tests share: reading a refusal, the checks of the
// session routes every WHIP/WHEP session has (wrong tokens, PATCH), a router
// for the SDP mappings, and bundling a client library of others for a
// Chromium page.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before } from 'node:test';
import { build } from 'esbuild';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { parse, type SessionDescription } from 'sdp-transform';
import { config } from '../../config.example.ts';
import { isHttpError } from '../../server/errors.ts';
import type { RunningServer } from '../../server/Server.ts';
import { bearer, type WrongToken } from './accessTokens.ts';
import { assertNoOrphans } from './noOrphans.ts';
import type { RestAnswer, TestServer } from './testServer.ts';
import { waitFor } from './waitFor.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');

/** POSTs an SDP offer to a WHIP or WHEP endpoint. */
export function postOffer(
	server: TestServer,
	url: string,
	offer: string,
	headers: Record<string, string>,
): Promise<RestAnswer> {
	return server.rest('POST', url, offer, { 'content-type': 'application/sdp', ...headers });
}

/**
 * What a refusal must leave as it was: the room's routers (dumped), its
 * members and its viewers; null while the room does not exist.
 */
export async function roomState(server: RunningServer, roomId: string): Promise<unknown> {
	const room = await server.rooms.find(roomId);
	if (!room) return null;
	const routers = await Promise.all(room.routers.all.map(({ router }) => router.dump()));
	return {
		routers,
		members: [...room.peers.keys(), ...room.broadcasters.keys()].sort(),
		viewers: [...room.viewers.keys()],
	};
}

/** The reason of an error answer ({error}), or the body. */
export function reasonOf(answer: RestAnswer): string {
	return (answer.body as { error?: string } | undefined)?.error ?? JSON.stringify(answer.body);
}

/**
 * Nothing orphaned in the room, once the worker's closing of consumers has
 * reached Node (it may come after the notifications that a member left).
 */
export async function settledNoOrphans(server: RunningServer, roomId: string): Promise<void> {
	await waitFor('the router and the members agree', () =>
		assertNoOrphans(server, roomId).then(
			() => true,
			() => false,
		),
	).catch(() => {});
	await assertNoOrphans(server, roomId);
}

/** Each wrong token gets its status and reason (401s with WWW-Authenticate: Bearer). */
export async function expectRefused(
	wrong: readonly WrongToken[],
	post: (headers: Record<string, string>) => Promise<RestAnswer>,
): Promise<void> {
	for (const { name, token, status, reason } of wrong) {
		const answer = await post(bearer(token));
		assert.equal(answer.status, status, `${name}: ${reasonOf(answer)}`);
		assert.match(reasonOf(answer), reason, name);
		if (status === 401) assert.match(String(answer.headers['www-authenticate']), /^Bearer/, name);
	}
}

/**
 * PATCH on a session URL: 415 for SDP, 412 for a stale If-Match, 204 for
 * trickle (the offer's ufrag), 200 with the transport's new ICE credentials
 * and a new ETag for an ICE restart (a new ufrag).
 */
export async function expectPatches(
	server: TestServer,
	session: {
		location: string;
		etag: string;
		headers: Record<string, string>;
		offerUfrag: string;
		transport: () => types.WebRtcTransport | undefined;
	},
): Promise<void> {
	const fragment = (ufrag: string) =>
		`a=ice-ufrag:${ufrag}\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122194687 127.0.0.1 51767 typ host\r\n`;
	const patch = (body: string, headers: Record<string, string>) =>
		server.rest('PATCH', session.location, body, {
			'content-type': 'application/trickle-ice-sdpfrag',
			...session.headers,
			...headers,
		});
	const asSdp = await patch(fragment(session.offerUfrag), { 'content-type': 'application/sdp' });
	assert.equal(asSdp.status, 415, reasonOf(asSdp));
	const stale = await patch(fragment(session.offerUfrag), { 'if-match': '"stale"' });
	assert.equal(stale.status, 412, reasonOf(stale));
	const trickle = await patch(fragment(session.offerUfrag), { 'if-match': session.etag });
	assert.equal(trickle.status, 204, reasonOf(trickle));

	const oldUfrag = session.transport()?.iceParameters.usernameFragment;
	const restart = await patch(fragment('newU'), { 'if-match': '*' });
	assert.equal(restart.status, 200, reasonOf(restart));
	assert.notEqual(restart.headers.etag, session.etag, 'a new ETag for the new ICE session');
	const body = String(restart.body);
	const newUfrag = /a=ice-ufrag:(\S+)/.exec(body)?.[1];
	assert.ok(newUfrag && newUfrag !== oldUfrag, 'new ICE credentials');
	assert.equal(newUfrag, session.transport()?.iceParameters.usernameFragment, "the transport's new ICE credentials");
	assert.match(body, /a=candidate:/);
}

/** The HttpError an SDP mapping throws: its status and message. */
export function refusal(run: () => unknown): { status: number; message: string } {
	try {
		run();
	} catch (error) {
		assert.ok(isHttpError(error), `an HttpError, not ${String(error)}`);
		return { status: error.status, message: error.message };
	}
	assert.fail('expected a refusal');
}

/**
 * For a suite of SDP mapping tests: a worker (made before the suite, closed
 * after it) with a router of config.example.ts's codecs and one without VP8
 * and VP9 (H.264 the only video codec).
 */
export function mappingRouters(): {
	readonly worker: types.Worker;
	readonly router: types.Router;
	readonly h264Router: types.Router;
} {
	const made: { worker?: types.Worker; router?: types.Router; h264Router?: types.Router } = {};
	before(async () => {
		made.worker = await mediasoup.createWorker({ logLevel: 'warn' });
		const mediaCodecs = config.mediasoup.routerOptions.mediaCodecs ?? [];
		made.router = await made.worker.createRouter({ mediaCodecs });
		made.h264Router = await made.worker.createRouter({
			mediaCodecs: mediaCodecs.filter((codec) => codec.mimeType !== 'video/VP8' && codec.mimeType !== 'video/VP9'),
		});
	});
	after(() => made.worker?.close());
	const ready = <T>(made: T | undefined): T => {
		assert.ok(made, 'the routers are made before the tests');
		return made;
	};
	return {
		get worker() {
			return ready(made.worker);
		},
		get router() {
			return ready(made.router);
		},
		get h264Router() {
			return ready(made.h264Router);
		},
	};
}

/** The plan of the accepted section of a kind. */
export function acceptedOf<P extends { accepted: boolean }>(
	plans: readonly P[],
	kind: string,
): Extract<P, { accepted: true }> {
	const plan = plans.find(
		(p): p is Extract<P, { accepted: true }> => p.accepted && (p as { kind?: string }).kind === kind,
	);
	assert.ok(plan, `a ${kind} section is accepted`);
	return plan;
}

/** OPTIONS on an endpoint: 204 with Accept-Post and Allow; CORS on it and on a refused POST (`refused`, a 401). */
export async function expectEndpointOptions(
	server: TestServer,
	endpoint: string,
	refused: () => Promise<RestAnswer>,
): Promise<void> {
	const answer = await server.rest('OPTIONS', endpoint);
	assert.equal(answer.status, 204);
	assert.equal(answer.headers['accept-post'], 'application/sdp');
	assert.match(String(answer.headers.allow), /POST/);
	assert.match(String(answer.headers['access-control-allow-methods']), /PATCH/);
	// CORS, errors included: a page of another site can read why it was refused.
	assert.equal(answer.headers['access-control-allow-origin'], '*');
	assert.match(String(answer.headers['access-control-expose-headers']), /Location, ETag/);
	const refusal = await refused();
	assert.equal(refusal.status, 401);
	assert.equal(refusal.headers['access-control-allow-origin'], '*');
}

/** A POST's 201: the SDP answer, a Location like `location`, an ETag. */
export function expectCreated(
	answer: RestAnswer,
	location: RegExp,
): { location: string; etag: string; sdp: SessionDescription } {
	assert.equal(answer.status, 201, reasonOf(answer));
	assert.match(String(answer.headers['content-type']), /^application\/sdp/);
	assert.match(String(answer.headers.location), location);
	assert.match(String(answer.headers.etag), /^"[0-9a-f]+"$/);
	const sdp = parse(String(answer.body));
	assert.equal(sdp.icelite, 'ice-lite');
	return { location: String(answer.headers.location), etag: String(answer.headers.etag), sdp };
}

/**
 * An npm package's export as a browser script that sets window[exportName]
 * (bundled with esbuild); `from: 'default'` takes the package's default
 * export under that name.
 */
export async function browserBundle(
	packageName: string,
	exportName: string,
	{ from = 'named' }: { from?: 'named' | 'default' } = {},
): Promise<string> {
	const imported = from === 'default' ? exportName : `{ ${exportName} }`;
	const result = await build({
		stdin: {
			contents: `import ${imported} from '${packageName}'; window.${exportName} = ${exportName};`,
			resolveDir: rootDir,
			loader: 'js',
		},
		bundle: true,
		format: 'iife',
		platform: 'browser',
		write: false,
		logLevel: 'silent',
	});
	const [file] = result.outputFiles;
	assert.ok(file, `esbuild bundled ${packageName}`);
	return file.text;
}

/** The viewer's consumers, checked to be one of each of `producers`. */
export function viewerConsumersOf(
	viewer: { consumers: ReadonlyMap<string, types.Consumer> } | undefined,
	producers: ReadonlyMap<string, types.Producer>,
): types.Consumer[] {
	assert.ok(viewer, 'a viewer');
	const consumers = [...viewer.consumers.values()];
	assert.deepEqual(
		// A WHEP consumer's producer is piped to the session's router: appData names the member's.
		consumers.map((consumer) => String(consumer.appData.producerId)).sort(),
		[...producers.keys()].sort(),
		"the viewer consumes the member's producers, one consumer each",
	);
	return consumers;
}
