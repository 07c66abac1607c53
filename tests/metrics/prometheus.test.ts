// The repository's monitoring set-up against a real server with real peers:
// a real Prometheus (Debian's) runs monitoring/prometheus.yml, with only its
// target and scrape interval changed, scrapes the server twice, and its HTTP
// API answers what the room holds: the peers, the joins the join-latency
// histogram counted, and the consumers the routers' dumps list. promtool
// checks the rules and a scrape, and runs the alerts' unit tests; every
// series the alerts and the Grafana dashboard use exists in a scrape, and
// every expression of theirs is PromQL Prometheus accepts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MONITORING_DIR, Prometheus, promtool } from '../helpers/prometheus.ts';
import type { TestPeer } from '../helpers/TestPeer.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

const ROOM = `prometheus-${process.pid}`;
const PEERS = ['alice', 'bob', 'carol'];

let server: TestServer;
let prometheus: Prometheus;
const peers: TestPeer[] = [];

/** The text of one scrape of the server's metrics listener. */
async function scrape(): Promise<string> {
	const response = await fetch(`http://127.0.0.1:${server.server.metricsPort}/metrics`);
	assert.equal(response.status, 200);
	return response.text();
}

/** Histogram count of a family, as the server's registry has it now. */
async function histogramCount(name: string): Promise<number> {
	const text = (await server.server.metrics?.registry.getSingleMetricAsString(name)) ?? '';
	return Number(new RegExp(`^${name}_count (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

before(async () => {
	// Two workers, the room on both: pipe transports and piped consumers too.
	server = await startTestServer({ numWorkers: 2, env: { MEDIASOUP_ROOM_SPREAD: 'always' } });
	for (const peerId of PEERS) {
		const peer = await server.connect(ROOM, peerId);
		peers.push(peer);
		await peer.join();
		await peer.produce('audio');
		await peer.produce('video');
	}
	const owed = 2 * (PEERS.length - 1);
	for (const peer of peers) await waitFor('every peer consumes the others', () => peer.consumers.size === owed);
	// The server's side of the last join (the consumers resumed) before the first scrape.
	await waitFor(
		'the server counted the joins',
		async () => (await histogramCount('msconf_join_duration_seconds')) === 3,
	);
	prometheus = await Prometheus.start(`127.0.0.1:${server.server.metricsPort}`, '1s');
});

after(async () => {
	for (const peer of peers) peer.close();
	await prometheus?.close();
	await server?.close();
});

describe('Prometheus with monitoring/prometheus.yml', () => {
	test('after two scrapes its API answers what the room holds', async () => {
		await waitFor(
			'two scrapes',
			async () => ((await prometheus.query('count_over_time(up{job="mediasoup-conference"}[5m])'))[0]?.value ?? 0) >= 2,
			{ timeoutMs: 30_000, intervalMs: 250 },
		);
		assert.equal(await prometheus.value('up{job="mediasoup-conference"}'), 1);

		const room = await server.server.rooms.find(ROOM);
		assert.ok(room);
		assert.equal(await prometheus.value('msconf_peers{state="joined"}'), room.joinedPeers().length);
		assert.equal(room.joinedPeers().length, PEERS.length);
		assert.equal(await prometheus.value('msconf_rooms'), 1);
		assert.equal(await prometheus.value('msconf_rooms_spread'), 1, 'the room is on both workers');

		// Every join counted once in the latency histogram, and as a join.
		assert.equal(await prometheus.value('msconf_join_duration_seconds_count'), PEERS.length);
		assert.equal(await prometheus.value('msconf_joins_total'), PEERS.length);
		assert.ok((await prometheus.value('msconf_join_duration_seconds_sum')) > 0);

		// What the routers' own dumps list, across both workers (pipes included).
		const dumps = await Promise.all(room.routers.all.map((roomRouter) => roomRouter.router.dump()));
		const dumped = (pick: (dump: (typeof dumps)[number]) => number) => dumps.reduce((sum, dump) => sum + pick(dump), 0);
		const consumers = dumped((dump) => dump.mapProducerIdConsumerIds.flatMap((entry) => entry.values).length);
		const producers = dumped((dump) => dump.mapProducerIdConsumerIds.length);
		const transports = dumped((dump) => dump.transportIds.length);
		assert.ok(consumers > PEERS.length * 4, `piped consumers too: ${consumers}`);
		assert.equal(await prometheus.value('sum(msconf_consumers)'), consumers);
		assert.equal(await prometheus.value('sum(msconf_producers)'), producers);
		assert.equal(await prometheus.value('sum(msconf_transports)'), transports);
		// The peers' own media, without the pipes' copies: 2 consumers of each other peer.
		assert.equal(
			await prometheus.value('sum(msconf_consumers{transport="webrtc"})'),
			PEERS.length * 2 * (PEERS.length - 1),
		);
		assert.equal(await prometheus.value('sum(msconf_worker_up)'), 2);
		assert.equal(await prometheus.value('msconf_ready'), 1);
	});

	test('it loaded the alerts of monitoring/alerts.yml', async () => {
		const data = (await prometheus.api('/api/v1/rules')) as { groups: { rules: { name: string }[] }[] };
		const loaded = data.groups.flatMap((group) => group.rules.map((rule) => rule.name)).sort();
		assert.deepEqual(loaded, alertNames().sort());
	});

	test('every expression of the alerts and the dashboard is PromQL it evaluates', async () => {
		for (const expr of [...alertExpressions(), ...dashboardExpressions()]) {
			await assert.doesNotReject(prometheus.query(expr), expr);
		}
	});
});

describe('promtool', () => {
	test('check rules passes on monitoring/alerts.yml', async () => {
		const run = await promtool(['check', 'rules', 'alerts.yml']);
		assert.equal(run.code, 0, run.output);
		assert.match(run.output, /SUCCESS: \d+ rules found/);
	});

	test('check metrics passes on a scrape of the server', async () => {
		const text = await scrape();
		assert.match(text, /^msconf_consumers\{/m);
		const run = await promtool(['check', 'metrics'], text);
		assert.equal(run.code, 0, run.output);
		assert.equal(run.output.trim(), '', 'no lint problems');
	});

	test('the alerts fire as their unit tests say (test rules monitoring/alerts.test.yml)', async () => {
		const run = await promtool(['test', 'rules', 'alerts.test.yml']);
		assert.equal(run.code, 0, run.output);
		assert.match(run.output, /SUCCESS/);
	});
});

test('every series the alerts and the dashboard name is in a scrape', async () => {
	const families = new Set([...(await scrape()).matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
	const used = new Set(
		[...alertExpressions(), ...dashboardExpressions()].flatMap((expr) =>
			[...expr.matchAll(/\bmsconf_\w+/g)].map((match) => match[0].replace(/_(bucket|sum|count)$/, '')),
		),
	);
	assert.ok(used.size > 20, `the dashboard and alerts use ${used.size} families`);
	for (const name of used) assert.ok(families.has(name), `${name} is not in a scrape`);
});

function alertsFile(): string {
	return readFileSync(path.join(MONITORING_DIR, 'alerts.yml'), 'utf8');
}

function alertNames(): string[] {
	return [...alertsFile().matchAll(/^\s+- alert: (\S+)$/gm)].map((match) => match[1] as string);
}

/** The `expr:` of every rule, one line or a `|` block. */
function alertExpressions(): string[] {
	const expressions: string[] = [];
	const lines = alertsFile().split('\n');
	for (let index = 0; index < lines.length; index++) {
		const match = /^(\s+)expr: (.*)$/.exec(lines[index] as string);
		if (!match) continue;
		if (match[2] !== '|') {
			expressions.push(match[2] as string);
			continue;
		}
		const block: string[] = [];
		const indent = (match[1] as string).length;
		while (index + 1 < lines.length && /^\s*$|^\s+/.test(lines[index + 1] as string)) {
			const next = lines[index + 1] as string;
			if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
			block.push(next.trim());
			index++;
		}
		expressions.push(block.join(' '));
	}
	assert.equal(expressions.length, alertNames().length, 'an expression per alert');
	return expressions;
}

/** Every target's expression in the dashboard, its $instance variable as "every server". */
function dashboardExpressions(): string[] {
	const dashboard = JSON.parse(readFileSync(path.join(MONITORING_DIR, 'grafana-dashboard.json'), 'utf8')) as {
		panels: { targets?: { expr: string }[] }[];
	};
	const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
	assert.ok(expressions.length > 20);
	return expressions.map((expr) => expr.replaceAll('$instance', '.*'));
}
