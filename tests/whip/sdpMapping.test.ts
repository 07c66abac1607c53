// The WHIP offer/answer mapping (server/whip/sdpOffer.ts, sdpAnswer.ts) on
// real offers: Chromium 156's (captured with fake devices: audio and video,
// and video with three simulcast rids) and one written after the offers OBS
// 30 sends through libdatachannel (H.264 and Opus, session-level ICE and
// DTLS, no RTX). The mapped RTP parameters go into a real mediasoup
// transport.produce() on a router with config.example.ts's codecs: the
// mapping is right when mediasoup takes it, and the answer parses back to
// what the transport is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { types } from 'mediasoup';
import { parse } from 'sdp-transform';
import { h264Profile, parseOffer } from '../../server/webrtcHttp/sdpOffer.ts';
import { writeWhipAnswer } from '../../server/whip/sdpAnswer.ts';
import { planSections, type SectionPlan } from '../../server/whip/sdpOffer.ts';
import { acceptedOf as accepted, mappingRouters, refusal } from '../helpers/webrtcHttp.ts';

const offer = (name: string) => readFileSync(path.join(import.meta.dirname, 'offers', name), 'utf8');
const chromium = offer('chromium.sdp');
const chromiumSimulcast = offer('chromium-simulcast.sdp');
const obs = offer('obs-style.sdp');

describe('WHIP SDP mapping', () => {
	const routers = mappingRouters();

	/** Produces every accepted section on a real transport and answers; the transport and its producers. */
	async function produceAll(on: types.Router, plans: SectionPlan[], text: string) {
		const transport = await on.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
		const parsed = parseOffer(text);
		await transport.connect({ dtlsParameters: parsed.dtlsParameters });
		const producers = [];
		for (const plan of plans) {
			if (!plan.accepted) continue;
			producers.push(await transport.produce({ kind: plan.kind, rtpParameters: plan.rtpParameters }));
		}
		const answer = parse(writeWhipAnswer(plans, transport, parsed.dtlsParameters.role ?? 'client', '1'));
		return { transport, producers, answer };
	}

	test("Chromium: Opus and VP8 with RTX, the offer's payload types, SSRCs and CNAME; mediasoup produces them", async () => {
		const parsed = parseOffer(chromium);
		assert.deepEqual(parsed.dtlsParameters, {
			role: 'client',
			fingerprints: [
				{
					algorithm: 'sha-256',
					value: '82:D1:97:CD:6B:ED:E5:CF:BE:FF:4A:9C:D1:14:7F:93:D6:E0:BF:60:13:5D:78:C2:A1:0A:A6:87:BC:BF:F7:98',
				},
			],
		});
		const plans = planSections(parsed, routers.router.rtpCapabilities);
		const audio = accepted(plans, 'audio');
		assert.deepEqual(
			audio.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType]),
			[['audio/opus', 111]],
		);
		assert.deepEqual(audio.rtpParameters.codecs[0]?.parameters, { minptime: 10, useinbandfec: 1 });
		assert.deepEqual(audio.rtpParameters.encodings, [{ ssrc: 2287639598 }]);
		assert.equal(audio.rtpParameters.rtcp?.cname, 'mjC5leDJCYvx3yQN');
		assert.equal(audio.rtpParameters.mid, '0');
		const audioExtensions = audio.rtpParameters.headerExtensions?.map((e) => [e.uri, e.id]);
		assert.ok(audioExtensions?.some(([uri, id]) => uri === 'urn:ietf:params:rtp-hdrext:sdes:mid' && id === 4));
		assert.ok(audioExtensions?.some(([uri, id]) => uri === 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' && id === 1));

		const video = accepted(plans, 'video');
		assert.deepEqual(
			video.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType, c.parameters]),
			[
				['video/VP8', 96, {}],
				['video/rtx', 97, { apt: 96 }],
			],
		);
		assert.deepEqual(
			video.rtpParameters.codecs[0]?.rtcpFeedback?.map((fb) => `${fb.type} ${fb.parameter ?? ''}`.trim()),
			['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli'],
		);
		assert.deepEqual(video.rtpParameters.encodings, [{ ssrc: 3890431796, rtx: { ssrc: 2188412348 } }]);
		const videoUris = video.rtpParameters.headerExtensions?.map((e) => e.uri) ?? [];
		for (const uri of [
			'urn:ietf:params:rtp-hdrext:sdes:mid',
			'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
			'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
		]) {
			assert.ok(videoUris.includes(uri as types.RtpHeaderExtensionUri), `video has ${uri}`);
		}
		// Chromium offers these; the router does not know them.
		assert.ok(!videoUris.some((uri) => String(uri).includes('color-space')));

		const { transport, producers, answer } = await produceAll(routers.router, plans, chromium);
		assert.deepEqual(
			producers.map((p) => [p.kind, p.rtpParameters.codecs[0]?.mimeType]),
			[
				['audio', 'audio/opus'],
				['video', 'video/VP8'],
			],
		);

		// The answer: ICE-lite, one BUNDLE, mediasoup's ICE and DTLS, recvonly, the chosen payloads.
		assert.equal(answer.icelite, 'ice-lite');
		assert.deepEqual(answer.groups, [{ type: 'BUNDLE', mids: '0 1' }]);
		const sha256 = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
		assert.equal(answer.fingerprint?.hash, sha256?.value);
		assert.deepEqual(
			answer.media.map((m) => [m.type, String(m.mid), m.direction, m.setup, String(m.payloads), m.iceUfrag, m.rtcpMux]),
			[
				['audio', '0', 'recvonly', 'passive', '111', transport.iceParameters.usernameFragment, 'rtcp-mux'],
				['video', '1', 'recvonly', 'passive', '96 97', transport.iceParameters.usernameFragment, 'rtcp-mux'],
			],
		);
		const [audioAnswer, videoAnswer] = answer.media;
		assert.deepEqual(
			audioAnswer?.candidates?.map((c) => [c.ip, c.port, c.transport]),
			transport.iceCandidates.map((c) => [c.address, c.port, c.protocol]),
		);
		assert.equal(audioAnswer?.icePwd, transport.iceParameters.password);
		assert.deepEqual(
			videoAnswer?.rtp.map((r) => [r.payload, r.codec]),
			[
				[96, 'VP8'],
				[97, 'rtx'],
			],
		);
		assert.deepEqual(videoAnswer?.fmtp, [{ payload: 97, config: 'apt=96' }]);
		assert.ok(videoAnswer?.rtcpFb?.some((fb) => fb.payload === 96 && fb.type === 'nack' && fb.subtype === 'pli'));
		assert.deepEqual(
			videoAnswer?.ext?.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid'),
			{ value: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
		);
		transport.close();
	});

	test('Chromium simulcast: three rids become three encodings, answered as a=simulcast:recv', async () => {
		const plans = planSections(parseOffer(chromiumSimulcast), routers.router.rtpCapabilities);
		const video = accepted(plans, 'video');
		assert.deepEqual(video.rtpParameters.encodings, [{ rid: 'q' }, { rid: 'h' }, { rid: 'f' }]);
		const uris = video.rtpParameters.headerExtensions?.map((e) => e.uri) ?? [];
		assert.ok(uris.includes('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'));
		assert.ok(uris.includes('urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'));
		const { transport, producers, answer } = await produceAll(routers.router, plans, chromiumSimulcast);
		assert.equal(producers.find((p) => p.kind === 'video')?.rtpParameters.encodings?.length, 3);
		const videoAnswer = answer.media.find((m) => m.type === 'video');
		assert.deepEqual(videoAnswer?.simulcast, { dir1: 'recv', list1: 'q;h;f' });
		assert.deepEqual(
			videoAnswer?.rids?.map((r) => [r.id, r.direction]),
			[
				['q', 'recv'],
				['h', 'recv'],
				['f', 'recv'],
			],
		);
		transport.close();
	});

	test('SSRC simulcast (a=ssrc-group:SIM, each SSRC with its FID RTX): one encoding per SSRC, in SIM order', async () => {
		const sim = chromium.replace(
			'a=ssrc-group:FID 3890431796 2188412348\r\n',
			'a=ssrc-group:SIM 1001 1002 1003\r\na=ssrc-group:FID 1001 2001\r\na=ssrc-group:FID 1002 2002\r\na=ssrc-group:FID 1003 2003\r\n' +
				[1001, 1002, 1003, 2001, 2002, 2003].map((ssrc) => `a=ssrc:${ssrc} cname:sim\r\n`).join(''),
		);
		const plans = planSections(parseOffer(sim), routers.router.rtpCapabilities);
		assert.deepEqual(accepted(plans, 'video').rtpParameters.encodings, [
			{ ssrc: 1001, rtx: { ssrc: 2001 } },
			{ ssrc: 1002, rtx: { ssrc: 2002 } },
			{ ssrc: 1003, rtx: { ssrc: 2003 } },
		]);
		const { transport, producers } = await produceAll(routers.router, plans, sim);
		assert.equal(producers.find((p) => p.kind === 'video')?.rtpParameters.encodings?.length, 3);
		transport.close();
	});

	test('Chromium to an H.264-only router: Constrained Baseline packetization-mode 1 (108), not Baseline (102)', async () => {
		const plans = planSections(parseOffer(chromium), routers.h264Router.rtpCapabilities);
		const video = accepted(plans, 'video');
		assert.deepEqual(
			video.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType]),
			[
				['video/H264', 108],
				['video/rtx', 109],
			],
		);
		const { transport, producers } = await produceAll(routers.h264Router, plans, chromium);
		assert.equal(producers.find((p) => p.kind === 'video')?.rtpParameters.codecs[0]?.mimeType, 'video/H264');
		transport.close();
		assert.equal(h264Profile('42e01f'), 'constrained-baseline');
		assert.equal(h264Profile('42001f'), 'baseline');
		assert.equal(h264Profile('4d0032'), 'main');
		assert.equal(h264Profile('4d801f'), 'constrained-baseline');
		assert.equal(h264Profile('640c1f'), 'constrained-high');
	});

	test('OBS-style: session-level ICE and DTLS, H.264 and Opus without RTX', async () => {
		const parsed = parseOffer(obs);
		assert.equal(parsed.dtlsParameters.role, 'client');
		const plans = planSections(parsed, routers.router.rtpCapabilities);
		const video = accepted(plans, 'video');
		assert.deepEqual(
			video.rtpParameters.codecs.map((c) => [c.mimeType, c.payloadType]),
			[['video/H264', 96]],
		);
		assert.deepEqual(video.rtpParameters.encodings, [{ ssrc: 3002 }]);
		assert.equal(video.rtpParameters.rtcp?.cname, 'obs-cname');
		const { transport, producers, answer } = await produceAll(routers.router, plans, obs);
		assert.equal(producers.length, 2);
		assert.deepEqual(
			answer.media.map((m) => String(m.payloads)),
			['111', '96'],
		);
		transport.close();
	});

	test('a passive offer gets an active answer, and mediasoup is told the client is the DTLS server', () => {
		const parsed = parseOffer(chromium.replaceAll('a=setup:actpass', 'a=setup:passive'));
		assert.equal(parsed.dtlsParameters.role, 'server');
		const plans = planSections(parsed, routers.router.rtpCapabilities);
		const answer = parse(
			writeWhipAnswer(
				plans,
				{
					iceParameters: { usernameFragment: 'u', password: 'p', iceLite: true },
					iceCandidates: [],
					dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
				},
				'server',
				'1',
			),
		);
		assert.deepEqual(
			answer.media.map((m) => m.setup),
			['active', 'active'],
		);
	});

	test('a data channel section is rejected (port 0, out of the BUNDLE); the media go on', () => {
		const withData = `${chromium.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0 1 2')}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n`;
		const plans = planSections(parseOffer(withData), routers.router.rtpCapabilities);
		assert.deepEqual(
			plans.map((p) => p.accepted),
			[true, true, false],
		);
		const answer = parse(
			writeWhipAnswer(
				plans,
				{
					iceParameters: { usernameFragment: 'u', password: 'p', iceLite: true },
					iceCandidates: [],
					dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
				},
				'client',
				'1',
			),
		);
		assert.deepEqual(
			answer.media.map((m) => [String(m.mid), m.port]),
			[
				['0', 9],
				['1', 9],
				['2', 0],
			],
		);
		assert.deepEqual(answer.groups, [{ type: 'BUNDLE', mids: '0 1' }]);
	});

	describe('refusals', () => {
		test('not SDP: 400', () => {
			assert.equal(refusal(() => parseOffer('{"sdp": "v=0"}')).status, 400);
			assert.equal(refusal(() => parseOffer('')).status, 400);
		});
		test('no fingerprint, no ICE credentials, no mid, a mid twice: 400 naming it', () => {
			const noFingerprint = refusal(() => parseOffer(chromium.replace(/a=fingerprint:.*\r\n/g, '')));
			assert.equal(noFingerprint.status, 400);
			assert.match(noFingerprint.message, /fingerprint/);
			assert.match(refusal(() => parseOffer(chromium.replace(/a=ice-ufrag:.*\r\n/g, ''))).message, /ice-ufrag/);
			assert.match(refusal(() => parseOffer(chromium.replace('a=mid:1\r\n', ''))).message, /no a=mid/);
			assert.match(refusal(() => parseOffer(chromium.replace('a=mid:1\r\n', 'a=mid:0\r\n'))).message, /two/);
		});
		test('media outside the BUNDLE group: 400', () => {
			const unbundled = chromium.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0');
			const { status, message } = refusal(() => planSections(parseOffer(unbundled), routers.router.rtpCapabilities));
			assert.equal(status, 400);
			assert.match(message, /BUNDLE/);
		});
		test('no codec the router has (PCMU and AV1 only): 422 naming what was offered', () => {
			const unusable = chromium
				.replace('m=audio 51767 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126', 'm=audio 51767 UDP/TLS/RTP/SAVPF 0')
				.replace(/a=rtpmap:111 opus.*\r\n/, '')
				.replace(/m=video 49311 UDP\/TLS\/RTP\/SAVPF .*\r\n/, 'm=video 49311 UDP/TLS/RTP/SAVPF 45 46\r\n')
				.replace(/a=rtpmap:(96|102|104|108|114|116|39|98|100) .*\r\n/g, '');
			const { status, message } = refusal(() => planSections(parseOffer(unusable), routers.router.rtpCapabilities));
			assert.equal(status, 422);
			assert.match(message, /PCMU\/8000/);
			assert.match(message, /AV1\/90000/);
		});
		test('a section without a=rtcp-mux or with neither SSRC nor simulcast is rejected, and alone that is 422', () => {
			const noMux = chromium.replaceAll('a=rtcp-mux\r\n', '');
			assert.equal(refusal(() => planSections(parseOffer(noMux), routers.router.rtpCapabilities)).status, 422);
			const noSsrc = chromium.replace(/a=ssrc[-:].*\r\n/g, '');
			assert.match(
				refusal(() => planSections(parseOffer(noSsrc), routers.router.rtpCapabilities)).message,
				/no a=ssrc/,
			);
		});
	});
});
