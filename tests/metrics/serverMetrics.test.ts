// What /metrics says of a running server, checked against what happened to
// it: peers in each state (joined, in the lobby, connecting, reconnecting),
// joins and leaves by reason, the join-latency histogram (lobby waits left
// out), requests by method and outcome, ICE restarts and failures, the
// traffic counters against RTP the test sent and received itself, per-room
// series with their cap, and labels that never carry an object's id.
import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import type { TokenGrants } from '../../protocol/access.ts';
import { AUTH_KEYS, moderatorOf, testToken, tokenQuery } from '../helpers/accessTokens.ts';
import { type MetricSample, parseMetrics, sumOf } from '../helpers/metricsText.ts';
import { localUdpSocket, rtpPacket } from '../helpers/rtp.ts';
import { TcpProxy } from '../helpers/TcpProxy.ts';
import { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { joinAgain, protooError } from '../helpers/tokenPeers.ts';
import { waitFor } from '../helpers/waitFor.ts';

async function scrape(server: TestServer): Promise<MetricSample[]> {
	const response = await fetch(`http://127.0.0.1:${server.server.metricsPort}/metrics`);
	assert.equal(response.status, 200);
	return parseMetrics(await response.text());
}

/** One sample's value (summed over the labels left out), 0 when the series is not there. */
async function current(server: TestServer, name: string, labels: Record<string, string> = {}): Promise<number> {
	return sumOf(await scrape(server), name, labels) ?? 0;
}

describe('peers, joins and leaves (token mode, a locked room)', () => {
	let server: TestServer;
	const closers: (() => void)[] = [];
	const roomId = `metrics-peers-${process.pid}`;

	before(async () => {
		server = await startTestServer({ env: { AUTH_KEYS } });
	});
	after(async () => {
		for (const close of closers) close();
		await server.close();
	});

	async function connect(
		identity: string,
		grants: TokenGrants = { room: roomId },
		port = server.port,
	): Promise<TestPeer> {
		const query = `roomId=${roomId}&peerId=${identity}${tokenQuery(await testToken(identity, grants))}`;
		const peer = await TestPeer.connect({ url: `wss://127.0.0.1:${port}/?${query}`, ca: server.ca });
		closers.push(() => peer.close());
		return peer;
	}

	test('each peer is counted in its state, and joins, leaves and join latencies as they happened', async () => {
		const alice = await connect('alice', moderatorOf(roomId));
		await alice.join();
		await alice.produce('audio');
		// Dave's connection goes through a network the test cuts: he is kept, reconnecting.
		const proxy = await TcpProxy.start({ host: '127.0.0.1', port: server.port });
		closers.push(() => proxy.close());
		const dave = await connect('dave', { room: roomId }, proxy.port);
		await dave.join();
		await alice.waitForNotification('newPeer', (data) => data.id === 'dave');
		await waitFor("dave consumes alice's audio", () => dave.consumers.size === 1);
		await alice.request('lockRoom', { locked: true });
		const bob = await connect('bob');
		await assert.rejects(bob.join(), protooError(403, /waiting in the lobby/));
		await connect('carol'); // connected, never joins
		proxy.cut();
		await alice.waitForNotification('peerReconnecting', (data) => data.peerId === 'dave');

		const room = await server.server.rooms.find(roomId);
		assert.ok(room);
		assert.equal(room.peers.size, 4);
		const samples = await scrape(server);
		assert.equal(sumOf(samples, 'msconf_peers', { state: 'joined' }), 1, 'alice');
		assert.equal(sumOf(samples, 'msconf_peers', { state: 'reconnecting' }), 1, 'dave');
		assert.equal(sumOf(samples, 'msconf_peers', { state: 'lobby' }), 1, 'bob');
		assert.equal(sumOf(samples, 'msconf_peers', { state: 'connecting' }), 1, 'carol');
		assert.equal(sumOf(samples, 'msconf_joins_total'), 2);
		assert.equal(sumOf(samples, 'msconf_join_duration_seconds_count'), 2);
		assert.equal(sumOf(samples, 'msconf_leaves_total') ?? 0, 0, 'no leave yet');

		// Admitted, bob joins: a join, but not a latency (he waited for a moderator).
		await alice.request('admitPeer', { peerId: 'bob' });
		await bob.waitForNotification('lobbyAdmitted');
		await joinAgain(bob, 'bob');
		await waitFor('bob joined', async () => (await current(server, 'msconf_peers', { state: 'joined' })) === 2);
		assert.equal(await current(server, 'msconf_joins_total'), 3);
		assert.equal(await current(server, 'msconf_join_duration_seconds_count'), 2, 'no latency for a lobby wait');

		// Leaves, by why: a moderator's removal, and a client that closed.
		await alice.request('removePeer', { peerId: 'bob' });
		await waitFor(
			'bob removed',
			async () => (await current(server, 'msconf_leaves_total', { reason: 'removed' })) === 1,
		);
		alice.close();
		await waitFor(
			'alice left',
			async () => (await current(server, 'msconf_leaves_total', { reason: 'clientLeft' })) === 1,
		);
		const after = await scrape(server);
		assert.equal(sumOf(after, 'msconf_peers', { state: 'joined' }), 0);
		assert.equal(sumOf(after, 'msconf_peers', { state: 'reconnecting' }), 1, 'dave, until his grace period ends');
		assert.equal(sumOf(after, 'msconf_leaves_total'), 2);
		// Signaling-only clients never do ICE: the transports they connected (sent DTLS
		// parameters on) and that closed count as ICE failures. Alice connected both
		// (her audio; the bot's data channel), bob his receiving one (alice's audio);
		// bob's sending transport, never used, was never connected.
		assert.equal(sumOf(after, 'msconf_ice_failures_total'), 3);
		// The refused join is a 403 of the join method.
		assert.equal(sumOf(after, 'msconf_signaling_requests_total', { method: 'join', outcome: '403' }), 1);
	});
});

describe('requests, traffic and labels (open mode)', () => {
	let server: TestServer;
	const closers: (() => void)[] = [];

	before(async () => {
		server = await startTestServer({
			env: { METRICS_STATS_INTERVAL_MS: '1000', METRICS_ROOM_LABEL: 'true', METRICS_ROOM_LABEL_MAX: '1' },
		});
	});
	after(async () => {
		for (const close of closers) close();
		await server.close();
	});

	async function joined(roomId: string, peerId: string): Promise<TestPeer> {
		const peer = await server.connect(roomId, peerId);
		closers.push(() => peer.close());
		await peer.join();
		return peer;
	}

	test('requests are counted by method and outcome; ICE restarts too', async () => {
		const roomId = `metrics-requests-${process.pid}`;
		const peer = await joined(roomId, 'alice');
		const count = (method: string, outcome: string) =>
			current(server, 'msconf_signaling_requests_total', { method, outcome });
		assert.equal(await count('join', 'ok'), 1);
		assert.equal(await count('createWebRtcTransport', 'ok'), 2);
		assert.equal((await peer.requestError('noSuchMethod')).code, 400);
		assert.equal((await peer.requestError('pauseConsumer', { consumerId: 'nope' })).code, 404);
		assert.equal((await peer.requestError('produce', { kind: 'smell' })).code, 400);
		const transportId = peer.sendTransport?.id;
		assert.ok(transportId);
		await peer.request('restartIce', { transportId });
		assert.equal(await count('unknown', '400'), 1, 'a method the protocol does not define is "unknown"');
		assert.equal(await count('pauseConsumer', '404'), 1);
		assert.equal(await count('produce', '400'), 1);
		assert.equal(await count('restartIce', 'ok'), 1);
		assert.equal(await current(server, 'msconf_ice_restarts_total'), 1);
		// Durations only for what a handler answered: not the unknown method, not the bad data.
		const samples = await scrape(server);
		assert.equal(sumOf(samples, 'msconf_signaling_request_duration_seconds_count', { method: 'pauseConsumer' }), 1);
		assert.equal(sumOf(samples, 'msconf_signaling_request_duration_seconds_count', { method: 'unknown' }), undefined);
		assert.equal(sumOf(samples, 'msconf_signaling_request_duration_seconds_count', { method: 'produce' }), undefined);
	});

	test('the traffic counters count the RTP a broadcaster sent and a receiver got', { timeout: 60_000 }, async () => {
		const roomId = `metrics-traffic-${process.pid}`;
		const base = `/rooms/${roomId}`;
		const rest = async (method: string, path: string, body?: unknown) => {
			const answer = await server.rest(method, `${base}${path}`, body);
			assert.equal(answer.status, 200, `${method} ${path}: ${JSON.stringify(answer.body)}`);
			return answer.body as Record<string, unknown>;
		};
		const rtpCapabilities = await rest('GET', '');
		await rest('POST', '/broadcasters', { id: 'sender', displayName: 'sender', device: { name: 'test' } });
		const ingest = (await rest('POST', '/broadcasters/sender/transports', {
			type: 'plain',
			comedia: true,
			rtcpMux: true,
		})) as { id: string; ip: string; port: number };
		const opus = { mimeType: 'audio/opus', payloadType: 101, clockRate: 48000, channels: 2 };
		const { id: producerId } = (await rest('POST', `/broadcasters/sender/transports/${ingest.id}/producers`, {
			kind: 'audio',
			rtpParameters: { codecs: [opus], encodings: [{ ssrc: 2222 }] },
		})) as { id: string };
		await rest('POST', '/broadcasters', {
			id: 'receiver',
			displayName: 'receiver',
			device: { name: 'test' },
			rtpCapabilities,
		});
		const outgoing = (await rest('POST', '/broadcasters/receiver/transports', {
			type: 'plain',
			comedia: false,
			rtcpMux: true,
		})) as { id: string };
		const receiver: dgram.Socket = await localUdpSocket();
		const sender: dgram.Socket = await localUdpSocket();
		closers.push(
			() => receiver.close(),
			() => sender.close(),
		);
		let received = 0;
		receiver.on('message', (message) => {
			if (message.length > 12 && (message[1] ?? 0) < 192) received++;
		});
		const receivePath = `/broadcasters/receiver/transports/${outgoing.id}`;
		await rest('POST', `${receivePath}/connect`, { ip: '127.0.0.1', port: receiver.address().port });
		await rest('POST', `${receivePath}/consume?producerId=${producerId}`);

		const PACKETS = 50;
		const PAYLOAD = 100;
		for (let seq = 1; seq <= PACKETS; seq++) {
			const packet = rtpPacket(
				{ payloadType: 101, ssrc: 2222, sequence: seq, timestamp: seq * 960 },
				Buffer.alloc(PAYLOAD, 7),
			);
			sender.send(packet, ingest.port, ingest.ip);
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		await waitFor('the receiver got every packet', () => received === PACKETS);

		// The counters trail the traffic by a reading: scrape until one read it.
		const rtp = (samples: MetricSample[], direction: string) =>
			sumOf(samples, 'msconf_rtp_packets_total', { direction, transport: 'plain' }) ?? 0;
		const samples = await waitFor(
			'a stats reading with the packets',
			async () => {
				const now = await scrape(server);
				return rtp(now, 'in') === PACKETS && rtp(now, 'out') === PACKETS ? now : undefined;
			},
			{ timeoutMs: 20_000, intervalMs: 250 },
		);
		const bytes = (direction: string) =>
			sumOf(samples, 'msconf_transport_bytes_total', { direction, transport: 'plain' }) ?? 0;
		assert.ok(bytes('in') >= PACKETS * (12 + PAYLOAD), `bytes in: ${bytes('in')}`);
		assert.ok(bytes('out') >= PACKETS * (12 + PAYLOAD), `bytes out: ${bytes('out')}`);
		assert.equal(sumOf(samples, 'msconf_rtp_packets_lost_total', { direction: 'in', transport: 'plain' }), 0);
		assert.ok((sumOf(samples, 'msconf_stats_reading_objects') ?? 0) >= 5, 'transports, producer, consumer');

		// The receiver leaves: its counts stay in the totals (counters never go down).
		await rest('DELETE', '/broadcasters/receiver');
		const laterReading = await waitFor(
			'a reading after the receiver left',
			async () => {
				const now = await scrape(server);
				return sumOf(now, 'msconf_consumers', { transport: 'plain' }) === 0 &&
					(sumOf(now, 'msconf_stats_reading_objects') ?? 0) < (sumOf(samples, 'msconf_stats_reading_objects') ?? 0)
					? now
					: undefined;
			},
			{ timeoutMs: 20_000, intervalMs: 250 },
		);
		assert.equal(rtp(laterReading, 'out'), PACKETS);
		assert.equal(rtp(laterReading, 'in'), PACKETS);
	});

	test('room series are there for the largest rooms only, the rest as _other; no label carries an id', async () => {
		const big = `metrics-big-${process.pid}`;
		const small = `metrics-small-${process.pid}`;
		const peers = [await joined(big, 'a'), await joined(big, 'b'), await joined(small, 'c')];
		for (const peer of peers) await peer.produce('audio');
		await waitFor('a and b consume each other', () => peers[0]?.consumers.size === 1 && peers[1]?.consumers.size === 1);
		const samples = await scrape(server);
		const roomPeers = samples.filter((sample) => sample.name === 'msconf_room_peers');
		const rooms = new Set(roomPeers.map((sample) => sample.labels.room));
		assert.ok(rooms.has(big), 'the largest room has its own series');
		assert.ok(rooms.has('_other'), 'the others are summed up');
		assert.equal(rooms.size, 2, 'METRICS_ROOM_LABEL_MAX=1: one room of its own');
		assert.equal(sumOf(samples, 'msconf_room_peers', { room: big }), 2);
		const live = [...server.server.rooms.live];
		const joinedElsewhere = live
			.filter((room) => room.id !== big)
			.reduce((sum, room) => sum + room.joinedPeers().length, 0);
		assert.equal(sumOf(samples, 'msconf_room_peers', { room: '_other' }), joinedElsewhere);

		// Every id the server has: none is a label value outside the opt-in room label.
		const ids = new Set<string>();
		for (const room of live) {
			for (const member of [...room.peers.values(), ...room.broadcasters.values()]) {
				ids.add(member.id);
				for (const id of member.transports.keys()) ids.add(id);
				for (const id of member.producers.keys()) ids.add(id);
				for (const id of member.consumers.keys()) ids.add(id);
				for (const id of member.dataProducers.keys()) ids.add(id);
			}
			for (const roomRouter of room.routers.all) ids.add(roomRouter.id);
		}
		assert.ok(ids.size > 10);
		for (const sample of samples) {
			if (sample.name.startsWith('msconf_room_')) continue;
			for (const [label, value] of Object.entries(sample.labels)) {
				assert.ok(!ids.has(value), `${sample.name} has ${label}="${value}", an id`);
				assert.ok(!live.some((room) => room.id === value), `${sample.name} has ${label}="${value}", a room id`);
			}
		}
	});
});
