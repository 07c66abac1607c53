// The WHEP offer/answer mapping (server/whep/sdpOffer.ts, sdpAnswer.ts) on a
// real offer: the one Chromium makes when @eyevinn/webrtc-player 0.13 plays
// (recvonly video, then audio; captured from the player's POST, its
// candidates but the loopback ones left out). The producers it plays are
// real mediasoup producers made from the real WHIP offers of
// tests/whip/offers (Chromium: Opus and VP8 with RTX, and VP8 simulcast;
// OBS-style: H.264 and Opus). As a session does, they are piped to a router
// of the session's codecs and consumed there on a real transport with the
// planned capabilities: the mapping is right when mediasoup takes them and
// sends with the offer's numbers, and the answer parses back to what the
// consumers and the transport are.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { types } from 'mediasoup';
import { type MediaDescription, parse, parseParams } from 'sdp-transform';
import { h264Profile, parseOffer } from '../../server/webrtcHttp/sdpOffer.ts';
import { writeWhepAnswer } from '../../server/whep/sdpAnswer.ts';
import { planWhepSections, playerCapabilities, viewerRouterCodecs, type WhepPlan } from '../../server/whep/sdpOffer.ts';
import { type AcceptedSection, planSections } from '../../server/whip/sdpOffer.ts';
import { acceptedOf as accepted, mappingRouters, refusal } from '../helpers/webrtcHttp.ts';

const read = (dir: string, name: string) =>
	readFileSync(path.join(import.meta.dirname, '..', dir, 'offers', name), 'utf8');
const player = read('whep', 'chromium-player.sdp');
const whipChromium = read('whip', 'chromium.sdp');
const whipSimulcast = read('whip', 'chromium-simulcast.sdp');
const whipObs = read('whip', 'obs-style.sdp');

/** The offer's section of a kind. */
function offered(kind: string): MediaDescription {
	const media = parse(player).media.find((m) => m.type === kind);
	assert.ok(media, `the player offers ${kind}`);
	return media;
}

/** The offer's payload type of a codec (the first with these fmtp parameters) and of its RTX. */
function offeredPayload(kind: string, codec: string, match: (fmtp: Record<string, unknown>) => boolean = () => true) {
	const media = offered(kind);
	const fmtpOf = (payload: number) => {
		const line = media.fmtp.find((f) => f.payload === payload);
		return line ? parseParams(String(line.config)) : {};
	};
	const rtp = media.rtp.find((r) => r.codec.toLowerCase() === codec.toLowerCase() && match(fmtpOf(r.payload)));
	assert.ok(rtp, `the player offers ${codec}`);
	const rtx = media.rtp.find((r) => r.codec === 'rtx' && Number(fmtpOf(r.payload).apt) === rtp.payload);
	return { payload: rtp.payload, rtx: rtx?.payload };
}

describe('WHEP SDP mapping', () => {
	const routers = mappingRouters();

	/** The producers a WHIP sender of `whipOffer` makes on `on` (the WHIP mapping, tested in tests/whip). */
	async function producersOf(on: types.Router, whipOffer: string, appData: types.AppData = {}) {
		const transport = await on.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
		const plans = planSections(parseOffer(whipOffer), on.rtpCapabilities);
		const producers: types.Producer[] = [];
		for (const plan of plans.filter((p): p is AcceptedSection => p.accepted)) {
			producers.push(await transport.produce({ kind: plan.kind, rtpParameters: plan.rtpParameters, appData }));
		}
		return { transport, producers };
	}

	/**
	 * What a WHEP session does: a router of the session's codecs, the
	 * producers piped to it from `on`, a consumer of each accepted section on
	 * a real transport there, and the answer.
	 */
	async function consumeAll(on: types.Router, plans: WhepPlan[]) {
		const viewerRouter = await routers.worker.createRouter({ mediaCodecs: viewerRouterCodecs(plans) });
		const transport = await viewerRouter.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
		// The tests close the transport: the session's router goes with it, as in a session.
		transport.observer.once('close', () => viewerRouter.close());
		const consumers = new Map<string, types.Consumer>();
		for (const plan of plans) {
			if (!plan.accepted) continue;
			const { pipeProducer } = await on.pipeToRouter({
				producerId: plan.producer.id,
				router: viewerRouter,
				keepId: false,
			});
			assert.ok(pipeProducer);
			const consumer = await transport.consume({
				producerId: pipeProducer.id,
				rtpCapabilities: playerCapabilities(plan, viewerRouter.rtpCapabilities),
				mid: plan.section.mid,
				enableRtx: true,
			});
			consumers.set(plan.section.mid, consumer);
		}
		const role = parseOffer(player).dtlsParameters.role ?? 'client';
		const answer = parse(
			writeWhepAnswer(plans, consumers, { transport, clientRole: role, sessionId: '1', streamId: 'whep-test' }),
		);
		return { transport, consumers, answer };
	}

	test("Chromium sender, Chromium player: Opus and VP8 numbered as the player's offer; the answer says what is sent", async () => {
		const sender = await producersOf(routers.router, whipChromium);
		const plans = planWhepSections(parseOffer(player), sender.producers);
		const vp8 = offeredPayload('video', 'VP8');
		const opus = offeredPayload('audio', 'opus');
		assert.deepEqual(
			accepted(plans, 'video').rtpCapabilities.codecs?.map((c) => [c.mimeType, c.preferredPayloadType]),
			[
				['video/VP8', vp8.payload],
				['video/rtx', vp8.rtx],
			],
		);
		assert.deepEqual(
			accepted(plans, 'audio').rtpCapabilities.codecs?.map((c) => [c.mimeType, c.preferredPayloadType]),
			[['audio/opus', opus.payload]],
		);

		const { transport, consumers, answer } = await consumeAll(routers.router, plans);
		const mids = parse(player).media.map((m) => String(m.mid));
		assert.deepEqual(answer.groups, [{ type: 'BUNDLE', mids: mids.join(' ') }]);
		assert.equal(answer.icelite, 'ice-lite');
		const sha256 = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
		assert.equal(answer.fingerprint?.hash, sha256?.value);
		const videoAnswer = answer.media.find((m) => m.type === 'video');
		const audioAnswer = answer.media.find((m) => m.type === 'audio');
		assert.ok(videoAnswer && audioAnswer);
		const video = consumers.get(String(videoAnswer.mid));
		const audio = consumers.get(String(audioAnswer.mid));
		assert.ok(video && audio);
		assert.deepEqual(
			[videoAnswer, audioAnswer].map((m) => [m.direction, m.setup, m.rtcpMux, m.iceUfrag]),
			[
				['sendonly', 'passive', 'rtcp-mux', transport.iceParameters.usernameFragment],
				['sendonly', 'passive', 'rtcp-mux', transport.iceParameters.usernameFragment],
			],
		);
		// What mediasoup sends is what the answer says, in the player's numbers:
		// VP8 and Opus with the offer's payload types, and no payload type the
		// offer gave another codec (the session's router numbers RTX itself,
		// unlike Chromium: then RTX is left out).
		assert.equal(video.rtpParameters.codecs[0]?.payloadType, vp8.payload);
		assert.equal(audio.rtpParameters.codecs[0]?.payloadType, opus.payload);
		const videoRtx = video.rtpParameters.codecs[1]?.payloadType;
		assert.ok(videoRtx === undefined || videoRtx === vp8.rtx, `RTX ${videoRtx} is the offer's (${vp8.rtx}) or none`);
		const sentPayloads = video.rtpParameters.codecs.map((c) => c.payloadType);
		assert.equal(String(videoAnswer.payloads), sentPayloads.join(' '));
		assert.deepEqual(
			videoAnswer.rtp.map((r) => [r.payload, r.codec, r.rate]),
			video.rtpParameters.codecs.map((c) => [c.payloadType, c.mimeType.split('/')[1], 90000]),
		);
		assert.equal(videoAnswer.rtp[0]?.codec, 'VP8');
		assert.ok(
			videoAnswer.rtcpFb?.some((fb) => fb.payload === vp8.payload && fb.type === 'nack' && fb.subtype === 'pli'),
		);
		assert.ok(
			videoAnswer.rtcpFb?.some((fb) => fb.payload === vp8.payload && fb.type === 'nack' && fb.subtype === undefined),
			'NACK: mediasoup resends lost packets (as RTX when there is RTX)',
		);
		assert.deepEqual(
			audioAnswer.rtp.map((r) => [r.payload, r.codec, r.rate, r.encoding]),
			[[opus.payload, 'opus', 48000, 2]],
		);
		const ssrc = video.rtpParameters.encodings?.[0]?.ssrc;
		const rtxSsrc = video.rtpParameters.encodings?.[0]?.rtx?.ssrc;
		if (rtxSsrc !== undefined) {
			assert.deepEqual(videoAnswer.ssrcGroups, [{ semantics: 'FID', ssrcs: `${ssrc} ${rtxSsrc}` }]);
		}
		assert.ok(videoAnswer.ssrcs?.some((line) => line.id === ssrc && line.attribute === 'cname'));
		assert.equal(audioAnswer.ssrcs?.[0]?.id, audio.rtpParameters.encodings?.[0]?.ssrc);
		// One stream of two tracks: the player puts both in one MediaStream.
		assert.deepEqual(videoAnswer.msid, [{ id: 'whep-test', appdata: video.id }]);
		assert.deepEqual(audioAnswer.msid, [{ id: 'whep-test', appdata: audio.id }]);
		// Header extensions only with the offer's ids (those that are mediasoup's
		// too): Chromium numbers none as mediasoup does.
		assert.deepEqual([...(videoAnswer.ext ?? []), ...(audioAnswer.ext ?? [])], []);
		for (const [media, section] of [
			[videoAnswer, offered('video')],
			[audioAnswer, offered('audio')],
		] as const) {
			for (const ext of media.ext ?? []) {
				assert.ok(
					section.ext?.some((o) => o.value === ext.value && o.uri === ext.uri),
					`a=extmap:${ext.value} ${ext.uri} is the offer's`,
				);
			}
		}
		assert.equal(video.rtpParameters.mid, String(offered('video').mid));
		assert.equal(audio.rtpParameters.mid, String(offered('audio').mid));
		transport.close();
		sender.transport.close();
	});

	test('a simulcast producer: a simulcast consumer that prefers the highest layer', async () => {
		const sender = await producersOf(routers.router, whipSimulcast);
		const plans = planWhepSections(parseOffer(player), sender.producers);
		const { transport, consumers } = await consumeAll(routers.router, plans);
		const video = [...consumers.values()].find((c) => c.kind === 'video');
		assert.equal(video?.type, 'simulcast');
		assert.equal(video?.rtpParameters.encodings?.length, 1, 'the player gets one stream');
		assert.equal(video?.preferredLayers?.spatialLayer, 2, 'of three layers, the highest (mediasoup’s default)');
		transport.close();
		sender.transport.close();
	});

	test("an H.264 producer: the player's Constrained Baseline packetization-mode 1, not another profile", async () => {
		const sender = await producersOf(routers.h264Router, whipObs);
		const plans = planWhepSections(parseOffer(player), sender.producers);
		const h264 = offeredPayload(
			'video',
			'H264',
			(fmtp) =>
				Number(fmtp['packetization-mode']) === 1 &&
				h264Profile(String(fmtp['profile-level-id'])) === 'constrained-baseline',
		);
		const { transport, consumers, answer } = await consumeAll(routers.h264Router, plans);
		const video = [...consumers.values()].find((c) => c.kind === 'video');
		assert.equal(video?.rtpParameters.codecs[0]?.mimeType, 'video/H264');
		assert.equal(video?.rtpParameters.codecs[0]?.payloadType, h264.payload);
		const videoAnswer = answer.media.find((m) => m.type === 'video');
		assert.match(
			String(videoAnswer?.fmtp.find((f) => f.payload === h264.payload)?.config),
			/packetization-mode=1/,
			'the answer has the H.264 parameters of what is sent',
		);
		transport.close();
		sender.transport.close();
	});

	test('camera before screen: the one video section gets the camera, whatever the order they came in', async () => {
		const screen = await producersOf(routers.router, whipChromium, { share: true });
		const camera = await producersOf(routers.router, whipChromium);
		const producers = [...screen.producers, ...camera.producers];
		const plans = planWhepSections(parseOffer(player), producers);
		const video = accepted(plans, 'video').producer;
		assert.equal(video.appData.share, undefined, 'the camera');
		assert.ok(camera.producers.includes(video));
		screen.transport.close();
		camera.transport.close();
	});

	test('a member that sends only video: the audio section is rejected (port 0, out of the BUNDLE)', async () => {
		const sender = await producersOf(routers.router, whipChromium);
		const videoOnly = sender.producers.filter((p) => p.kind === 'video');
		const plans = planWhepSections(parseOffer(player), videoOnly);
		const audioPlan = plans.find((p) => p.section.type === 'audio');
		assert.equal(audioPlan?.accepted, false);
		assert.match(audioPlan?.accepted === false ? audioPlan.reason : '', /sends no audio/);
		const { transport, answer } = await consumeAll(routers.router, plans);
		assert.deepEqual(
			answer.media.map((m) => [m.type, m.port === 0]),
			parse(player).media.map((m) => [m.type, m.type === 'audio']),
		);
		assert.deepEqual(
			answer.groups?.map((g) => [g.type, String(g.mids)]),
			[['BUNDLE', String(offered('video').mid)]],
		);
		transport.close();
		sender.transport.close();
	});

	describe('refusals', () => {
		test('a member with no producers: 422', () => {
			const { status, message } = refusal(() => planWhepSections(parseOffer(player), []));
			assert.equal(status, 422);
			assert.match(message, /no m-section of the offer can be played/);
		});
		test('a sendonly offer (a WHIP offer sent to WHEP): 422, every section "is sendonly"', async () => {
			const sender = await producersOf(routers.router, whipChromium);
			const { status, message } = refusal(() => planWhepSections(parseOffer(whipChromium), sender.producers));
			assert.equal(status, 422);
			assert.match(message, /mid 0: it is sendonly; mid 1: it is sendonly/);
			sender.transport.close();
		});
		test('media outside the BUNDLE group: 400', async () => {
			const sender = await producersOf(routers.router, whipChromium);
			const unbundled = player.replace(/a=group:BUNDLE (\S+) (\S+)/, 'a=group:BUNDLE $1');
			assert.notEqual(unbundled, player);
			const { status, message } = refusal(() => planWhepSections(parseOffer(unbundled), sender.producers));
			assert.equal(status, 400);
			assert.match(message, /BUNDLE/);
			sender.transport.close();
		});
	});
});
