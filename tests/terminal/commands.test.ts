// The terminal's commands against the real server: what an operator types
// and what comes back, checked against the server's own objects.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { TerminalClient } from './terminalClient.ts';

let server: TestServer;
let terminal: TerminalClient;
const peers: TestPeer[] = [];

before(async () => {
	server = await startTestServer({ numWorkers: 2 });
	terminal = await TerminalClient.connect(server.server.terminalSocketPath);
});

after(async () => {
	for (const peer of peers) peer.close();
	await terminal.close();
	await server.close();
});

async function joinedProducer(roomId: string, peerId: string): Promise<{ producerId: string; transportId: string }> {
	const peer = await server.connect(roomId, peerId);
	peers.push(peer);
	await peer.join({ displayName: 'Terminal Tester' });
	const producer = await peer.produce('audio');
	const transportId = peer.sendTransport?.id;
	assert.ok(transportId);
	return { producerId: producer.id, transportId };
}

test('the banner names the server process and points to .help', () => {
	assert.match(terminal.output, new RegExp(`server pid ${process.pid}, mediasoup ${mediasoup.version}, 2 workers`));
	assert.match(terminal.output, /\.help lists the commands/);
});

test('.usage shows the Node process and every worker with its pid', async () => {
	const answer = await terminal.send('.usage');
	assert.match(answer, new RegExp(`pid: ${process.pid}`));
	assert.match(answer, /memoryMiB: \{ rss: [\d.]+/);
	assert.match(answer, /uptimeSeconds: \d+/);
	const pids = server.server.pool.workers.map((pooled) => pooled.pid);
	assert.equal(pids.length, 2);
	for (const pid of pids) assert.match(answer, new RegExp(`pid: ${pid},`));
	assert.match(answer, /ru_utime: \d+/);
});

test('.help lists the commands and what is in scope', async () => {
	const answer = await terminal.send('.help');
	for (const command of [
		'.usage',
		'.cluster',
		'.dump',
		'.stats',
		'.logLevel',
		'.logTags',
		'.rooms',
		'.help',
		'.exit',
	]) {
		assert.match(answer, new RegExp(`^  \\${command} `, 'm'), command);
	}
	for (const name of ['pool', 'workers', 'rooms', 'mediasoup', 'room(id)', 'peer(roomId, id)']) {
		assert.ok(answer.includes(`  ${name} `), name);
	}
});

test('a joined peer: .rooms, .dump producers and .stats show its producer and transport', async () => {
	const { producerId, transportId } = await joinedProducer('terminal-room', 'alice');

	const rooms = await terminal.send('.rooms');
	assert.match(rooms, /id: 'terminal-room'/);
	assert.match(rooms, /id: 'alice',\s+displayName: 'Terminal Tester',\s+joined: true/);
	assert.match(rooms, /producers: 1/);

	const producers = await terminal.send('.dump producers');
	assert.match(producers, new RegExp(`roomId: 'terminal-room',\\s+ownerId: 'alice',\\s+id: '${producerId}'`));
	assert.match(producers, new RegExp(`dump: \\{\\s+id: '${producerId}',\\s+kind: 'audio'`));

	const stats = await terminal.send(`.stats producer ${producerId}`);
	assert.match(stats, new RegExp(`kind: 'producer',\\s+id: '${producerId}',\\s+stats: \\[`));

	const transportStats = await terminal.send(`.stats transport ${transportId}`);
	assert.match(transportStats, /type: 'webrtc-transport'/);
	assert.match(transportStats, new RegExp(`transportId: '${transportId}'`));
});

test('.dump of workers, WebRtcServers and routers, and filtering by id', async () => {
	await joinedProducer('terminal-dump', 'bob');
	const [first] = server.server.pool.workers;
	assert.ok(first);
	const workers = await terminal.send('.dump workers');
	assert.match(workers, /routerIds: \[/);
	assert.match(workers, new RegExp(`webRtcServerIds: \\[ '${first.webRtcServer.id}' \\]`));

	const one = await terminal.send(`.dump webrtcservers ${first.webRtcServer.id}`);
	assert.match(one, /udpSockets/);
	assert.equal(one.match(/workerIndex:/g)?.length, 1);

	const room = await server.server.rooms.find('terminal-dump');
	assert.ok(room);
	const routers = await terminal.send('.dump routers');
	assert.match(
		routers,
		new RegExp(`roomId: 'terminal-dump',\\s+workerIndex: ${room.workerIndex},\\s+id: '${room.router.id}'`),
	);
	assert.match(routers, /transportIds: \[/);
});

test('.cluster on a single node (no REDIS_URL) says cluster mode is off, and no cluster part runs', async () => {
	assert.equal(server.server.cluster, undefined);
	assert.match(await terminal.send('.cluster'), /^cluster mode is off: this server runs as one node \(set REDIS_URL/);
});

test('wrong arguments get a usage line, unknown ids say so', async () => {
	assert.match(await terminal.send('.dump'), /^usage: \.dump <workers\|webrtcservers\|routers\|/);
	assert.match(await terminal.send('.stats producer'), /^usage: \.stats </);
	assert.match(await terminal.send('.stats producer nope'), /^no producer with id nope in any live room/);
	assert.match(await terminal.send('.logLevel loud'), /^usage: \.logLevel <debug\|warn\|error\|none>/);
	assert.match(await terminal.send('.logTags ice,loud'), /^unknown log tag 'loud'/);
});

test('JavaScript runs in the server with pool, workers, rooms, room() and peer() in scope', async () => {
	await joinedProducer('terminal-scope', 'carol');
	assert.equal((await terminal.send('workers.length')).trim(), '2');
	const pids = server.server.pool.workers.map((pooled) => pooled.pid).join();
	assert.equal((await terminal.send('pool.workers.map((pooled) => pooled.pid).join()')).trim(), `'${pids}'`);
	assert.equal((await terminal.send("(await room('terminal-scope')).id")).trim(), "'terminal-scope'");
	assert.equal(
		(await terminal.send("(await peer('terminal-scope', 'carol')).displayName")).trim(),
		"'Terminal Tester'",
	);
	assert.equal((await terminal.send("await room('no-such-room')")).trim(), '');
	assert.match(await terminal.send('mediasoup.version'), new RegExp(`'${mediasoup.version}'`));
});

test('.logLevel debug reaches every worker and keeps the log tags', async (t) => {
	const logs: string[] = [];
	mediasoup.setLogEventListeners({ ondebug: (_namespace, log) => logs.push(log) });
	t.after(() => mediasoup.setLogEventListeners());

	const answer = await terminal.send('.logLevel debug');
	assert.match(answer, /logLevel: 'debug'/);
	// Each worker prints its new configuration at debug level, with the 'info' tag.
	for (const { pid } of server.server.pool.workers) {
		const printed = (line: string) => logs.find((log) => log.includes(`[pid:${pid}]`) && log.includes(line));
		await waitFor(`worker ${pid} at debug level`, () => printed('logLevel: debug'));
		// mediasoup sends an empty tag list when only the level is given: the terminal must not.
		assert.ok(printed('logTags: info,ice,dtls,rtp'), `worker ${pid} kept its log tags`);
	}

	assert.match(await terminal.send('.logTags ice,dtls'), /logTags: \[ 'ice', 'dtls' \]/);
	assert.match(await terminal.send('.logLevel'), /logLevel: 'debug',\s+logTags: \[ 'ice', 'dtls' \]/);
	await terminal.send('.logTags info');
	await terminal.send('.logLevel warn');
	assert.match(await terminal.send('.logLevel'), /logLevel: 'warn',\s+logTags: \[ 'info' \]/);
});

test('piped lines are answered in order, even when an earlier one takes longer', async () => {
	const start = terminal.output.length;
	terminal.socket.write('await new Promise((resolve) => setTimeout(() => resolve("slow"), 200))\n.rooms\n"fast"\n');
	await waitFor('three answers', () => terminal.output.slice(start).split('mediasoup> ').length === 4);
	const answers = terminal.output.slice(start).split('mediasoup> ');
	assert.equal(answers[0]?.trim(), "'slow'");
	assert.match(answers[1] ?? '', /^\[/);
	assert.equal(answers[2]?.trim(), "'fast'");
});
