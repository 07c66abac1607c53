// forceVP8, forceVP9 and forceH264: the webcam is sent in that codec (the
// sender's own stats say so), and the other side decodes it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BrowserPeer, E2eEnvironment, type RtpStats, uniqueRoomId } from '../helpers/browserSession.ts';

/** The codec entry an RTP stream refers to. */
function codecOf(all: RtpStats[], stream: RtpStats | undefined): RtpStats | undefined {
	return all.find((entry) => entry.type === 'codec' && entry.id === stream?.codecId);
}

async function sentVideoCodecs(peer: BrowserPeer): Promise<RtpStats[]> {
	const all = await peer.transportStats('send');
	const streams = all.filter((entry) => entry.type === 'outbound-rtp' && entry.kind === 'video');
	return streams.map((stream) => codecOf(all, stream)).filter((codec): codec is RtpStats => codec !== undefined);
}

async function receivedVideoCodec(peer: BrowserPeer): Promise<RtpStats | undefined> {
	const all = await peer.transportStats('recv');
	const stream = all.find(
		(entry) => entry.type === 'inbound-rtp' && entry.kind === 'video' && entry.mid !== 'probator' && entry.codecId,
	);
	return codecOf(all, stream);
}

const CASES = [
	{ flag: 'forceVP8', mimeType: 'video/VP8', consumerType: 'simulcast' },
	{ flag: 'forceVP9', mimeType: 'video/VP9', consumerType: 'svc' },
	{ flag: 'forceH264', mimeType: 'video/H264', consumerType: 'simulcast' },
] as const;

describe('forced video codecs', { timeout: 180_000 }, () => {
	let env: E2eEnvironment;
	before(async () => {
		env = await E2eEnvironment.start();
	});
	after(async () => {
		await env?.close();
	});

	for (const { flag, mimeType, consumerType } of CASES) {
		test(`${flag}: the webcam is sent and received as ${mimeType}`, async (t) => {
			await env.run(t, async () => {
				const roomId = uniqueRoomId(flag);
				const flags = { [flag]: 'true', mic: 'false' };
				const alice = await env.openPeer({ roomId, peerId: 'alice', displayName: 'Alice', flags });
				const bob = await env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', flags });

				await Promise.all([alice.expectVideoFrom('bob'), bob.expectVideoFrom('alice')]);
				const sent = await sentVideoCodecs(alice);
				assert.ok(sent.length > 0, 'alice sends video');
				for (const codec of sent) assert.equal(codec.mimeType, mimeType, 'every stream alice sends');
				assert.equal((await receivedVideoCodec(bob))?.mimeType, mimeType, 'what bob decodes');
				if (flag === 'forceH264') {
					const fmtp = String(sent[0]?.sdpFmtpLine ?? '');
					assert.match(fmtp, /packetization-mode=1/, `H264 in packetization mode 1 (${fmtp})`);
				}
				// Simulcast for VP8/H264 (3 streams), SVC for VP9 (1 stream, 3 spatial layers).
				const consumerTypes = await bob.page.evaluate(() =>
					Object.values(window.store?.getState().consumers.entities ?? {})
						.filter((consumer) => consumer.kind === 'video')
						.map((consumer) => consumer.type),
				);
				assert.deepEqual(consumerTypes, [consumerType]);
				const streams = (await alice.outbound('video')).length;
				assert.equal(streams, consumerType === 'svc' ? 1 : 3, 'number of RTP streams alice sends');
			});
		});
	}
});
