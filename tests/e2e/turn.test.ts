// TURN end to end: a real coturn (tests/helpers/Coturn.ts) on loopback, the
// server configured with it (TURN_HOST, TURN_PORT, TURN_TLS_PORT,
// TURN_SECRET), and Chromium pages that may only use relayed candidates
// (`?forceRelay=true`, ours). Media flows both ways through coturn, and over
// each of UDP, TCP and TLS when coturn is reachable over that one only (as
// through a network that lets nothing else out). It goes on after the
// credentials of its allocations expired, and an ICE restart then allocates
// with fresh ones; a page alone for longer than its credentials live gathers
// with fresh ones when someone comes. coturn accepts the credentials the
// server hands out and refuses expired ones and those of another secret
// (401); that it refreshes an allocation whose credentials expired (which
// Chromium does only minutes in) is tests/server/coturn.test.ts.
//
// The relay reaches mediasoup's WebRtcServer on 127.0.0.1 (coturn runs with
// --allow-loopback-peers). The TLS listener has the test's self-signed
// certificate, so this Chromium ignores certificate errors (a deployment's
// coturn has a real certificate for its name).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { IceServer } from '../../protocol/iceServers.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { turnCredentials } from '../../server/turn/turnCredentials.ts';
import { type BrowserPeer, E2eEnvironment, type RtpStats, uniqueRoomId } from '../helpers/browserSession.ts';
import { Coturn, type CoturnOptions } from '../helpers/Coturn.ts';
import { waitFor } from '../helpers/waitFor.ts';

const SECRET = 'c0ffee00d15ea5e0b1e55ed0f00dfacecafebabe';
/** Short, so that the test sees credentials expire: the app asks for new ones every 5 s. */
const CREDENTIAL_TTL_S = 10;

const RELAY = { forceRelay: 'true' };

describe('TURN', { timeout: 300_000 }, () => {
	let certDir: string;
	let tls: { cert: string; key: string };
	let coturn: Coturn;
	let env: E2eEnvironment;

	const coturnOptions = (more: Partial<CoturnOptions> = {}): CoturnOptions => ({
		secret: SECRET,
		tls,
		...more,
	});

	before(async () => {
		certDir = mkdtempSync(path.join(os.tmpdir(), 'turn-test-'));
		const certificate = await ensureCertificate({ certDir, log: { debug: () => {} } });
		tls = { cert: certificate.cert, key: certificate.key };
		coturn = await Coturn.start(coturnOptions());
		env = await E2eEnvironment.start({
			env: {
				TURN_HOST: '127.0.0.1',
				TURN_PORT: String(coturn.port),
				TURN_TLS_PORT: String(coturn.tlsPort),
				TURN_SECRET: SECRET,
				TURN_CREDENTIAL_TTL_S: String(CREDENTIAL_TTL_S),
			},
			chromiumArgs: ['--ignore-certificate-errors'],
		});
	});

	after(async () => {
		await env?.close();
		await coturn?.close();
		if (certDir) rmSync(certDir, { recursive: true, force: true });
	});

	/** Another coturn on the same ports (the server's settings stay), e.g. one that cannot be reached over UDP. */
	async function replaceCoturn(more: Partial<CoturnOptions>): Promise<void> {
		const ports = { port: coturn.port, tlsPort: coturn.tlsPort };
		await coturn.close();
		coturn = await Coturn.start(coturnOptions({ ...more, ports }));
	}

	test('forceRelay: media flows both ways through coturn, and every transport uses a relay candidate', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('relay');
			const alice = await env.openPeer({ roomId, peerId: 'alice', flags: RELAY });
			const bob = await env.openPeer({ roomId, peerId: 'bob', flags: RELAY });
			await expectMediaBothWays(alice, bob);
			for (const peer of [alice, bob]) {
				for (const direction of ['send', 'recv'] as const) {
					const candidate = await peer.selectedCandidate(direction);
					assert.equal(candidate?.candidateType, 'relay', `${peer.peerId}'s ${direction} transport is relayed`);
					// Over UDP, TCP or TLS: whichever pair the browser's checks settled on (below, one at a time).
					assert.ok(['udp', 'tcp', 'tls'].includes(String(candidate?.relayProtocol)), String(candidate?.relayProtocol));
				}
			}
			// coturn let in allocations of both peers, with the credentials the server gave each.
			const users = new Set(successful(coturn, 'ALLOCATE').map((request) => request.user.split(':')[1]));
			assert.ok(users.has('alice') && users.has('bob'), `allocations of ${[...users].join(', ')}`);
		});
	});

	test('media goes on after the credentials of its allocations expired, and an ICE restart then allocates with fresh ones', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('expiry');
			const alice = await env.openPeer({ roomId, peerId: 'alice', flags: RELAY });
			const bob = await env.openPeer({ roomId, peerId: 'bob', flags: RELAY });
			await expectMediaBothWays(alice, bob);
			const first = await relayPorts(alice);
			// The credentials of alice's allocations (the app gets new ones every 5 s: her two
			// transports may have gathered with different ones).
			const allocatedWith = new Set(
				successful(coturn, 'ALLOCATE')
					.map((request) => request.user)
					.filter((user) => user.endsWith(':alice')),
			);
			assert.ok(allocatedWith.size > 0, 'alice has allocations');
			const expiry = Math.max(...[...allocatedWith].map(expiryOf));

			// Past the expiry of all of them: the call goes on, on the same allocations.
			await waitFor('the credentials of alice’s allocations to expire', () => Date.now() / 1000 > expiry + 1, {
				timeoutMs: (CREDENTIAL_TTL_S + 5) * 1000,
				intervalMs: 250,
			});
			await expectMediaBothWays(alice, bob);
			assert.deepEqual(await relayPorts(alice), first, 'the same relayed candidates as before');

			// An ICE restart gathers again: new allocations, with credentials newer than the expired ones.
			const beforeRestart = coturn.requests().length;
			await alice.page.evaluate(() => window.roomClient?.restartIce());
			await alice.page.getByTestId('toast').filter({ hasText: 'ICE restarted' }).waitFor();
			await waitFor(
				'alice’s transports on new relayed candidates',
				async () => {
					const now = await relayPorts(alice);
					return now.send !== first.send && now.recv !== first.recv && now.send > 0 && now.recv > 0;
				},
				{ timeoutMs: 15_000, intervalMs: 250 },
			);
			await expectMediaBothWays(alice, bob);
			const restarted = coturn.requests().slice(beforeRestart);
			const fresh = restarted.filter(
				(request) => request.method === 'ALLOCATE' && request.result === 'success' && request.user.endsWith(':alice'),
			);
			assert.ok(fresh.length > 0, 'alice allocated again');
			for (const request of fresh) {
				assert.ok(expiryOf(request.user) > expiry, `${request.user}: newer than the expired ones`);
			}
			// The only refusals are coturn's challenge to a request without credentials (no user yet).
			const refused = coturn.requests().filter((request) => request.result !== 'success' && request.user !== '');
			assert.deepEqual(refused, [], 'no request with expired or wrong credentials');
		});
	});

	test('a page alone for longer than its credentials live receives the next one through the relay', async (t) => {
		await env.run(t, async () => {
			const roomId = uniqueRoomId('alone');
			// Without chat, nothing comes to her receiving transport until bob does (the
			// room's bot is a data producer), and a transport gathers candidates only then:
			// with the credentials it was made with, long expired by then, coturn would refuse.
			const alice = await env.openPeer({ roomId, peerId: 'alice', flags: { ...RELAY, datachannel: 'false' } });
			const joined = Date.now() / 1000;
			await waitFor('alice’s first credentials to expire', () => Date.now() / 1000 > joined + CREDENTIAL_TTL_S + 1, {
				timeoutMs: (CREDENTIAL_TTL_S + 5) * 1000,
				intervalMs: 250,
			});
			const seen = coturn.requests().length;
			const bob = await env.openPeer({ roomId, peerId: 'bob', flags: RELAY });
			await expectMediaBothWays(alice, bob);
			assert.equal((await alice.selectedCandidate('recv'))?.candidateType, 'relay');
			const refused = coturn
				.requests()
				.slice(seen)
				.filter((request) => request.result !== 'success' && request.user !== '');
			assert.deepEqual(refused, [], 'no request with expired credentials');
		});
	});

	for (const { name, listeners, relayProtocol } of [
		{ name: 'only over UDP', listeners: { udp: true, tcp: false, tls: false }, relayProtocol: 'udp' },
		{ name: 'only over TCP', listeners: { udp: false, tcp: true, tls: false }, relayProtocol: 'tcp' },
		{ name: 'only over TLS', listeners: { udp: false, tcp: false, tls: true }, relayProtocol: 'tls' },
	]) {
		test(`coturn reachable ${name}: media flows through TURN over ${relayProtocol.toUpperCase()}`, async (t) => {
			await replaceCoturn({ listeners });
			try {
				await env.run(t, async () => {
					const roomId = uniqueRoomId(`relay-${relayProtocol}`);
					const alice = await env.openPeer({ roomId, peerId: 'alice', flags: RELAY });
					const bob = await env.openPeer({ roomId, peerId: 'bob', flags: RELAY });
					await expectMediaBothWays(alice, bob);
					for (const peer of [alice, bob]) {
						for (const direction of ['send', 'recv'] as const) {
							const candidate = await peer.selectedCandidate(direction);
							assert.equal(candidate?.candidateType, 'relay', `${peer.peerId}'s ${direction} transport is relayed`);
							assert.equal(candidate?.relayProtocol, relayProtocol, `${peer.peerId}'s ${direction} transport`);
						}
					}
				});
			} finally {
				await replaceCoturn({ listeners: { udp: true, tcp: true, tls: true } });
			}
		});
	}

	test('coturn takes the credentials the server hands out over UDP, TCP and TLS, and refuses expired ones (401)', async () => {
		const context = await env.browser.newContext();
		const signaling = await env.server.connect(uniqueRoomId('credentials'), 'carol');
		try {
			const page = await context.newPage();
			// Asked again for each URL: they live CREDENTIAL_TTL_S only.
			const handOut = async () => {
				const { iceServers, ttl } = await signaling.request('getIceServers');
				assert.equal(ttl, CREDENTIAL_TTL_S);
				assert.equal(iceServers.length, 1, 'the server hands out one TURN server');
				return iceServers[0] as IceServer;
			};
			const { urls } = await handOut();
			assert.deepEqual(urls, [
				`turn:127.0.0.1:${coturn.port}?transport=udp`,
				`turn:127.0.0.1:${coturn.port}?transport=tcp`,
				`turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`,
			]);
			const now = Math.floor(Date.now() / 1000);
			const expired = turnCredentials(SECRET, 'carol', now - 60);
			const otherSecret = turnCredentials(`${SECRET}-other`, 'carol', now + 600);

			for (const url of urls) {
				const accepted = await gatherRelay(page, { ...(await handOut()), urls: [url] });
				assert.equal(accepted.relays.length, 1, `${url}: a relayed candidate (${JSON.stringify(accepted)})`);
				assert.deepEqual(accepted.errors, [], url);

				for (const [what, credentials] of [
					['expired credentials', expired],
					['credentials of another secret', otherSecret],
				] as const) {
					const refused = await gatherRelay(page, { urls: [url], ...credentials });
					assert.deepEqual(refused.relays, [], `${url}, ${what}: no relayed candidate`);
					assert.deepEqual(
						refused.errors.map((error) => error.errorCode),
						[401],
						`${url}, ${what}: coturn answers 401 (${JSON.stringify(refused.errors)})`,
					);
				}
			}
			assert.ok(
				coturn.requests().some((request) => request.user === expired.username && request.result.startsWith('401')),
				'coturn logged its refusal of the expired username',
			);
		} finally {
			signaling.close();
			await context.close();
		}
	});
});

/** Each page decodes the other's video and receives its audio. */
async function expectMediaBothWays(a: BrowserPeer, b: BrowserPeer): Promise<void> {
	await Promise.all([
		a.expectVideoFrom(b.peerId),
		b.expectVideoFrom(a.peerId),
		a.expectAudioFrom(b.peerId),
		b.expectAudioFrom(a.peerId),
	]);
}

/** The relayed port (on coturn) of the candidate each of a page's transports uses. */
async function relayPorts(peer: BrowserPeer): Promise<{ send: number; recv: number }> {
	const port = (candidate: RtpStats | undefined) => (candidate?.candidateType === 'relay' ? Number(candidate.port) : 0);
	return { send: port(await peer.selectedCandidate('send')), recv: port(await peer.selectedCandidate('recv')) };
}

/** The expiry (Unix seconds) in a TURN username `<expiry>:<identity>`. */
function expiryOf(username: string): number {
	return Number(username.split(':')[0]);
}

function successful(coturn: Coturn, method: string) {
	return coturn.requests().filter((request) => request.method === method && request.result === 'success');
}

interface Gathered {
	/** The relayed candidates (candidate lines). */
	relays: string[];
	/** What the browser reports of each TURN server that failed (icecandidateerror). */
	errors: { url: string; errorCode: number; errorText: string }[];
}

/**
 * What a browser gathers through one TURN server when it may only use
 * relayed candidates: done at the first relayed candidate or error (one
 * server, one URL: there is no second), or when gathering completes.
 */
function gatherRelay(page: Page, iceServer: IceServer): Promise<Gathered> {
	return page.evaluate(async (server) => {
		const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' });
		const gathered: Gathered = { relays: [], errors: [] };
		const done = new Promise<void>((resolve) => {
			pc.addEventListener('icecandidate', ({ candidate }) => {
				if (candidate?.type === 'relay') gathered.relays.push(candidate.candidate);
				if (candidate?.type === 'relay' || candidate === null) resolve();
			});
			pc.addEventListener('icecandidateerror', (event) => {
				const { url, errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
				gathered.errors.push({ url, errorCode, errorText });
				resolve();
			});
			setTimeout(resolve, 10_000);
		});
		pc.createDataChannel('probe');
		await pc.setLocalDescription(await pc.createOffer());
		await done;
		pc.close();
		return gathered;
	}, iceServer);
}
