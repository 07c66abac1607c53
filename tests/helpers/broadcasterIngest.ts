// The checks shared by the ffmpeg.sh and gstreamer.sh tests: what a peer in
// the room sees while a script ingests (a new peer, its audio and video
// offered), what the server receives (RTP counted by the producers), what
// ffmpeg-receiver.sh records of it, and that stopping the script leaves
// nothing behind in the room or the router.
import assert from 'node:assert/strict';
import type { Broadcaster } from '../../server/room/Broadcaster.ts';
import type { Room } from '../../server/room/Room.ts';
import { packetCounts, probe, runScript, type ScriptRun, waitForExit } from './broadcasterScripts.ts';
import type { SignalingPeer } from './SignalingPeer.ts';
import type { TestServer } from './testServer.ts';
import { waitFor } from './waitFor.ts';

// Generous: the machines running the tests are shared and often busy.
const SLOW = { timeoutMs: 30_000, intervalMs: 100 };

export interface Ingest {
	readonly script: ScriptRun;
	readonly room: Room;
	readonly broadcaster: Broadcaster;
	readonly producerIds: string[];
}

/** Starts an ingest script and waits until the viewer is offered its audio and video and RTP flows. */
export async function startIngest({
	server,
	viewer,
	scriptName,
	roomId,
	broadcasterId,
	env,
}: {
	server: TestServer;
	viewer: SignalingPeer;
	scriptName: string;
	roomId: string;
	broadcasterId: string;
	env: Record<string, string>;
}): Promise<Ingest> {
	// env last: BROADCASTER_ID '' in it lets the script choose its id (a token's identity).
	const script = runScript(scriptName, { ROOM_ID: roomId, BROADCASTER_ID: broadcasterId, ...env });
	const context = () => `\n${scriptName} output:\n${script.output()}`;
	try {
		await waitFor(
			'newPeer for the broadcaster',
			() => viewer.notificationsOf('newPeer').some((data) => data.id === broadcasterId),
			SLOW,
		);
		const room = await server.server.rooms.find(roomId);
		assert.ok(room, 'the room exists');
		const broadcaster = await waitFor(
			'the broadcaster and its two producers',
			() => {
				const found = room.broadcasters.get(broadcasterId);
				return found && found.producers.size === 2 ? found : undefined;
			},
			SLOW,
		);
		const producers = [...broadcaster.producers.values()];
		assert.deepEqual(producers.map((producer) => producer.kind).sort(), ['audio', 'video']);
		const producerIds = producers.map((producer) => producer.id);
		await waitFor(
			'the viewer offered the broadcaster audio and video',
			() => producerIds.every((id) => [...viewer.consumers.values()].some((consumer) => consumer.producerId === id)),
			SLOW,
		);

		// RTP arrives, and keeps arriving: the counts grow between two looks.
		const first = await waitFor(
			'RTP on both producers',
			async () => {
				const counts = await packetCounts(producers);
				return (counts.audio ?? 0) > 0 && (counts.video ?? 0) > 0 ? counts : undefined;
			},
			SLOW,
		);
		await waitFor(
			'RTP packet counts increasing',
			async () => {
				const counts = await packetCounts(producers);
				return (counts.audio ?? 0) > (first.audio ?? 0) + 10 && (counts.video ?? 0) > (first.video ?? 0) + 10;
			},
			SLOW,
		);
		return { script, room, broadcaster, producerIds };
	} catch (error) {
		throw new Error(`${(error as Error).message}${context()}`);
	}
}

/**
 * Records the broadcaster with ffmpeg-receiver.sh for `seconds` and checks the
 * file: VP8 and opus, about that long, with frames that decode.
 */
export async function recordAndCheck({
	viewer,
	roomId,
	peerId,
	env,
	output,
	seconds,
	fps,
}: {
	viewer: SignalingPeer;
	roomId: string;
	peerId: string;
	env: Record<string, string>;
	output: string;
	seconds: number;
	fps: number;
}): Promise<void> {
	const receiverId = `receiver-of-${peerId}`;
	const receiver = runScript('ffmpeg-receiver.sh', {
		...env,
		ROOM_ID: roomId,
		PEER_ID: peerId,
		BROADCASTER_ID: receiverId,
		DURATION: String(seconds),
		OUTPUT: output,
	});
	const exit = await waitForExit(receiver, 45_000);
	const context = `\nffmpeg-receiver.sh output:\n${receiver.output()}`;
	assert.deepEqual(exit, { code: 0, signal: null }, context);
	assert.ok(receiver.output().includes(`wrote ${output}`), context);
	// It left the room when done.
	await viewer.waitForNotification('peerClosed', (data) => data.peerId === receiverId);

	const { streams, duration } = await probe(output);
	const video = streams.find((stream) => stream.type === 'video');
	const audio = streams.find((stream) => stream.type === 'audio');
	const details = `\nffprobe: duration ${duration} s, ${JSON.stringify(streams)}${context}`;
	assert.ok(video && audio, `a video and an audio stream${details}`);
	assert.equal(video.codec, 'vp8', details);
	assert.equal(audio.codec, 'opus', details);
	assert.ok(Math.abs(duration - seconds) <= 1, `asked for ${seconds} s${details}`);
	// Every frame decodes (the server forwards video from a key frame on), at
	// a rate plausible for what was sent. Loose bounds: on a busy machine the
	// sender may fall behind real time for a while.
	assert.ok(video.frames > 0 && video.frames >= video.packets - 1, `undecodable video frames${details}`);
	assert.ok(video.frames <= (seconds + 1) * fps, `more video frames than sent${details}`);
	const videoRate = (video.packets - 1) / video.span;
	assert.ok(videoRate > fps * 0.3 && videoRate < fps * 1.5, `video at ${videoRate} fps, sent at ${fps}${details}`);
	// opus: 20 ms frames, from the start (audio needs no key frame).
	assert.ok(audio.frames >= audio.packets - 1 && audio.span >= seconds - 1.5, `audio${details}`);
	const audioRate = (audio.packets - 1) / audio.span;
	assert.ok(audioRate > 50 * 0.3 && audioRate < 50 * 1.5, `opus at ${audioRate} frames/s${details}`);
}

/**
 * Stops the script with a signal and checks it cleaned up: the viewer sees the
 * broadcaster leave, the room and the router hold nothing of it, no process of
 * the script's group is left.
 */
export async function stopAndCheckGone({
	ingest,
	viewer,
	signal,
	target,
}: {
	ingest: Ingest;
	viewer: SignalingPeer;
	signal: 'SIGINT' | 'SIGTERM';
	target: 'script' | 'group';
}): Promise<void> {
	const { script, room, broadcaster, producerIds } = ingest;
	const transportIds = [...broadcaster.transports.keys()];
	assert.ok(transportIds.length >= 2);
	script.signal(signal, target);
	const exit = await waitForExit(script, 20_000);
	const context = `\noutput:\n${script.output()}`;
	assert.deepEqual(exit, { code: signal === 'SIGINT' ? 130 : 143, signal: null }, context);
	assert.match(script.output(), new RegExp(`broadcaster ${broadcaster.id} removed from room`), context);
	await viewer.waitForNotification('peerClosed', (data) => data.peerId === broadcaster.id);
	assert.ok(!room.broadcasters.has(broadcaster.id));

	// Every router of the room: with several workers, piped copies live on the others.
	for (const { router } of room.routers.all) {
		const dump = await router.dump();
		for (const id of transportIds) assert.ok(!dump.transportIds.includes(id), `transport ${id} still in a router`);
		for (const id of producerIds) {
			assert.ok(!dump.mapProducerIdConsumerIds.some((entry) => entry.key === id), `producer ${id} still in a router`);
		}
	}
	await waitFor('no process of the script left', () => !script.groupAlive(), { timeoutMs: 5_000 });
}
