// /healthz and /readyz on the HTTPS port and on the metrics listener: a
// server whose workers are all up is live and ready; one whose worker died
// and is not replaced yet (its port is held, so the replacement retries) is
// live but not ready, says why, and is ready again once the replacement
// serves. Asking creates nothing: no room, no router. The metrics listener
// asks for its bearer token when one is set (the health endpoints never do),
// and is not there at all with metrics.enabled false.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventLoopWatch } from '../../server/health/EventLoopWatch.ts';
import { healthz } from '../../server/health/healthAnswers.ts';
import { notDraining, Readiness } from '../../server/health/Readiness.ts';
import { holdUdpPort, releaseUdpPort } from '../helpers/freePorts.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { waitFor } from '../helpers/waitFor.ts';

interface Answer {
	status: number;
	body: string;
	headers: Record<string, string | string[] | undefined>;
}

/** GET on the HTTPS port, trusting the test's certificate. */
function httpsGet(server: TestServer, path: string): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = request(`https://127.0.0.1:${server.port}${path}`, { ca: server.ca }, (res) => {
			let body = '';
			res.setEncoding('utf8').on('data', (chunk: string) => {
				body += chunk;
			});
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
		});
		req.on('error', reject);
		req.end();
	});
}

async function metricsGet(server: TestServer, path: string, headers: Record<string, string> = {}): Promise<Answer> {
	const response = await fetch(`http://127.0.0.1:${server.server.metricsPort}${path}`, { headers });
	return { status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) };
}

/** Both ports' answers to a health path: they must agree. */
async function bothPorts(server: TestServer, path: string): Promise<Answer> {
	const [https, metrics] = await Promise.all([httpsGet(server, path), metricsGet(server, path)]);
	assert.equal(https.status, metrics.status, `${path}: the same status on both ports`);
	assert.deepEqual(JSON.parse(https.body), JSON.parse(metrics.body), `${path}: the same answer on both ports`);
	assert.equal(https.headers['cache-control'], 'no-store');
	assert.equal(metrics.headers['cache-control'], 'no-store');
	return https;
}

/** What exists on the server: rooms and routers (the dumps of the workers). */
async function objects(server: TestServer): Promise<{ rooms: number; routers: number }> {
	const dumps = await Promise.all(server.server.pool.workers.map((pooled) => pooled.worker.dump()));
	return { rooms: server.server.rooms.live.size, routers: dumps.reduce((sum, dump) => sum + dump.routerIds.length, 0) };
}

describe('a server with two workers', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({ numWorkers: 2 });
	});
	after(() => server.close());

	test('is live and ready, on both ports, and asking creates nothing', async () => {
		const before = await objects(server);
		const live = await bothPorts(server, '/healthz');
		assert.equal(live.status, 200);
		const liveBody = JSON.parse(live.body) as { status: string; eventLoopLagMs: number };
		assert.equal(liveBody.status, 'ok');
		assert.ok(liveBody.eventLoopLagMs >= 0);
		const ready = await bothPorts(server, '/readyz');
		assert.equal(ready.status, 200);
		assert.deepEqual(JSON.parse(ready.body), { ready: true });
		// A room id in the query is no reason to make one either.
		await httpsGet(server, '/readyz?roomId=health-check');
		assert.deepEqual(await objects(server), before);
		assert.deepEqual(before, { rooms: 0, routers: 0 });
	});

	test('a dead worker makes it not ready until its replacement serves', { timeout: 60_000 }, async () => {
		const { pool } = server.server;
		const victim = pool.workers[1];
		assert.ok(victim);
		const port = (await victim.webRtcServer.dump()).udpSockets[0]?.port;
		assert.ok(port);
		// Hold the worker's port the moment it is reported dead: the replacement
		// cannot listen and retries with backoff until it is free again.
		let blocker: ReturnType<typeof holdUdpPort> | undefined;
		pool.once('workerdied', () => {
			blocker = holdUdpPort(port);
		});
		process.kill(victim.pid, 'SIGKILL');
		await waitFor('the death is reported', () => blocker);
		const socket = await (blocker as ReturnType<typeof holdUdpPort>);
		try {
			const notReady = await bothPorts(server, '/readyz');
			assert.equal(notReady.status, 503);
			assert.deepEqual(JSON.parse(notReady.body), {
				ready: false,
				failing: [{ check: 'workers', reason: '1 of 2 workers up (worker 1 died and is not replaced yet)' }],
			});
			assert.equal((await bothPorts(server, '/healthz')).status, 200, 'still live: the process answers');
			const scrape = (await metricsGet(server, '/metrics')).body;
			assert.match(scrape, /^msconf_ready 0$/m);
			assert.match(scrape, /^msconf_worker_up\{worker="1"\} 0$/m);
			assert.match(scrape, /^msconf_worker_up\{worker="0"\} 1$/m);
			assert.match(scrape, /^msconf_worker_deaths_total\{worker="1"\} 1$/m);
			// Long enough for a failed attempt: it is the port, not the timing, that keeps it out.
			await sleep(600);
			assert.equal((await httpsGet(server, '/readyz')).status, 503);
		} finally {
			await releaseUdpPort(socket);
		}
		await waitFor('ready again', async () => (await httpsGet(server, '/readyz')).status === 200, {
			timeoutMs: 30_000,
			intervalMs: 100,
		});
		assert.deepEqual(JSON.parse((await metricsGet(server, '/readyz')).body), { ready: true });
		const scrape = (await metricsGet(server, '/metrics')).body;
		assert.match(scrape, /^msconf_ready 1$/m);
		assert.match(scrape, /^msconf_worker_replacements_total\{worker="1"\} 1$/m);
		assert.deepEqual(await objects(server), { rooms: 0, routers: 0 });
	});

	test('the metrics listener answers nothing else', async () => {
		assert.equal((await metricsGet(server, '/')).status, 404);
		assert.equal((await metricsGet(server, '/rooms/x')).status, 404);
		const post = await fetch(`http://127.0.0.1:${server.server.metricsPort}/metrics`, { method: 'POST' });
		assert.equal(post.status, 405);
	});
});

describe('a server with a metrics token', () => {
	const token = 'metrics-token-for-the-test-0123456789';
	let server: TestServer;
	before(async () => {
		server = await startTestServer({ env: { METRICS_TOKEN: token } });
	});
	after(() => server.close());

	test('/metrics needs it, the health endpoints do not', async () => {
		const none = await metricsGet(server, '/metrics');
		assert.equal(none.status, 401);
		assert.equal(none.headers['www-authenticate'], 'Bearer realm="metrics"');
		assert.doesNotMatch(none.body, /msconf_/);
		assert.equal(
			(await metricsGet(server, '/metrics', { authorization: 'Bearer wrong-token-0123456789' })).status,
			401,
		);
		assert.equal((await metricsGet(server, '/metrics', { authorization: `Basic ${token}` })).status, 401);
		const ok = await metricsGet(server, '/metrics', { authorization: `Bearer ${token}` });
		assert.equal(ok.status, 200);
		assert.match(String(ok.headers['content-type']), /^text\/plain; version=0\.0\.4/);
		assert.match(ok.body, /^msconf_ready 1$/m);
		assert.equal((await metricsGet(server, '/healthz')).status, 200);
		assert.equal((await metricsGet(server, '/readyz')).status, 200);
	});
});

describe('a server with metrics.enabled false', () => {
	let server: TestServer;
	before(async () => {
		server = await startTestServer({ env: { METRICS_ENABLED: 'false' } });
	});
	after(() => server.close());

	test('has no metrics listener; the HTTPS port still answers /healthz and /readyz', async () => {
		assert.equal(server.server.metrics, undefined);
		assert.equal(server.server.metricsPort, undefined);
		assert.equal((await httpsGet(server, '/healthz')).status, 200);
		assert.equal((await httpsGet(server, '/readyz')).status, 200);
		assert.equal((await httpsGet(server, '/metrics')).status, 404, 'never on the HTTPS port');
	});
});

test('closing the server closes its metrics listener', async () => {
	const server = await startTestServer();
	const port = server.server.metricsPort;
	assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
	await server.close();
	await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), /fetch failed/);
});

test('/healthz fails while the event loop keeps getting blocked, and recovers', async () => {
	const watch = new EventLoopWatch(200);
	try {
		const health = { eventLoop: watch, readiness: new Readiness() };
		assert.equal(healthz(health).status, 200);
		// Block the loop for a second, as a runaway synchronous loop would: the
		// watch's tick, due after 500 ms, is 500 ms late.
		const until = performance.now() + 1000;
		while (performance.now() < until) {}
		const stuck = healthz(health);
		assert.equal(stuck.status, 503);
		assert.match(JSON.stringify(stuck.body), /the event loop was blocked for \d+ ms \(more than 200 ms\)/);
		await waitFor('the loop keeps time again', () => healthz(health).status === 200, { timeoutMs: 3000 });
	} finally {
		watch.close();
	}
});

test('a readiness check plugs in with one line: draining', () => {
	const drain = { draining: false };
	const readiness = new Readiness();
	readiness.add(notDraining(drain));
	assert.deepEqual(readiness.state(), { ready: true, failing: [] });
	drain.draining = true;
	assert.deepEqual(readiness.state(), {
		ready: false,
		failing: [{ check: 'draining', reason: 'draining: this server takes no new calls' }],
	});
	assert.throws(() => readiness.add(notDraining(drain)), /already there/);
});
