// Both SRTP crypto suites, end to end with Chromium. With the default server
// configuration Chromium negotiates AEAD_AES_256_GCM with mediasoup. Chromium
// has no switch or field trial to leave GCM out, so for AES_CM_128_HMAC_SHA1_80
// (the suite every WebRTC endpoint must support) the server offers only that
// one: mediasoup.dtlsSrtpCryptoSuites, which the workers read through worker
// patch 014. Each test reads the suite Chromium really negotiated from its own
// stats (the transport's srtpCipher), on both transports of both peers, and
// fails on any other; and each peer decodes the other's audio and video.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BrowserPeer, E2eEnvironment, uniqueRoomId } from '../helpers/browserSession.ts';
import { waitFor } from '../helpers/waitFor.ts';

interface SuiteCase {
	suite: 'AEAD_AES_256_GCM' | 'AES_CM_128_HMAC_SHA1_80';
	/** The suite as Chromium's stats name it: the DTLS-SRTP protection profile. */
	srtpCipher: string;
	/** Server settings, as environment variables; none: the defaults of config.example.ts. */
	env: Record<string, string>;
}

const cases: SuiteCase[] = [
	{ suite: 'AEAD_AES_256_GCM', srtpCipher: 'SRTP_AEAD_AES_256_GCM', env: {} },
	{
		suite: 'AES_CM_128_HMAC_SHA1_80',
		srtpCipher: 'SRTP_AES128_CM_HMAC_SHA1_80',
		env: { MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES: 'AES_CM_128_HMAC_SHA1_80' },
	},
];

/** The SRTP cipher of one of a peer's transports, once DTLS has chosen it. */
async function srtpCipher(peer: BrowserPeer, direction: 'send' | 'recv'): Promise<unknown> {
	return waitFor(
		`${peer.peerId}'s ${direction} transport to report its SRTP cipher`,
		async () => {
			const transport = (await peer.transportStats(direction)).find((entry) => entry.type === 'transport');
			return transport?.dtlsState === 'connected' && transport.srtpCipher !== undefined ? transport.srtpCipher : false;
		},
		{ timeoutMs: 15_000, intervalMs: 200 },
	);
}

/** Audio samples decoded from a peer keep increasing. */
async function expectAudioDecodedFrom(receiver: BrowserPeer, sender: string): Promise<void> {
	await receiver.waitForGrowth(
		`audio samples decoded from ${sender}`,
		async () => (await receiver.inboundFrom(sender, 'audio'))?.totalSamplesReceived,
		{ by: 48_000 },
	);
}

for (const { suite, srtpCipher: expectedCipher, env } of cases) {
	describe(`SRTP with ${suite}`, { timeout: 180_000 }, () => {
		let e2e: E2eEnvironment;
		before(async () => {
			e2e = await E2eEnvironment.start({ env });
		});
		after(async () => {
			await e2e?.close();
		});

		test(`two peers negotiate ${suite} and decode each other's audio and video`, async (t) => {
			await e2e.run(t, async () => {
				const roomId = uniqueRoomId('srtp');
				const alice = await e2e.openPeer({ roomId, peerId: 'alice', displayName: 'Alice' });
				const bob = await e2e.openPeer({ roomId, peerId: 'bob', displayName: 'Bob' });

				await Promise.all([
					alice.expectVideoFrom('bob'),
					bob.expectVideoFrom('alice'),
					expectAudioDecodedFrom(alice, 'bob'),
					expectAudioDecodedFrom(bob, 'alice'),
				]);
				for (const peer of [alice, bob]) {
					for (const direction of ['send', 'recv'] as const) {
						assert.equal(
							await srtpCipher(peer, direction),
							expectedCipher,
							`${peer.peerId}'s ${direction} transport negotiated ${suite}`,
						);
					}
				}
			});
		});
	});
}
