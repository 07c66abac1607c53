// A pool of two real mediasoup workers on 127.0.0.1: WebRtcServers on their
// ports, load balancing by Router count, usage(), and a close() that leaves
// no process behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkerPool } from '../../server/media/WorkerPool.ts';
import { findFreePortRange } from '../helpers/freePorts.ts';
import { poolOptions, processExists, RecordingLogger } from './poolFixtures.ts';

describe('WorkerPool', { timeout: 30_000 }, () => {
	const logger = new RecordingLogger();
	let basePort = 0;
	let pool: WorkerPool | undefined;

	function thePool(): WorkerPool {
		assert.ok(pool, 'pool was created in before()');
		return pool;
	}

	before(async () => {
		basePort = await findFreePortRange(2);
		pool = await WorkerPool.create(poolOptions(basePort, logger));
	});

	after(() => pool?.close());

	test('starts one worker per index, each with a WebRtcServer on udp and tcp base port + index', async () => {
		const { workers } = thePool();
		assert.deepEqual(
			workers.map((pooled) => pooled.index),
			[0, 1],
		);
		assert.notEqual(workers[0]?.pid, workers[1]?.pid);
		for (const pooled of workers) {
			assert.ok(processExists(pooled.pid), `worker ${pooled.index} process runs`);
			assert.equal(pooled.worker.appData.workerIndex, pooled.index);
			assert.equal(pooled.webRtcServer.appData.workerIndex, pooled.index);
			const dump = await pooled.webRtcServer.dump();
			const port = basePort + pooled.index;
			assert.deepEqual(dump.udpSockets, [{ ip: '127.0.0.1', port }]);
			assert.deepEqual(dump.tcpServers, [{ ip: '127.0.0.1', port }]);
		}
	});

	test('pick() returns the worker with the fewest routers, the lowest index on a tie', async () => {
		const pool = thePool();
		const [first, second] = pool.workers;
		assert.ok(first && second);
		assert.equal(pool.pick(), first, 'tie at 0 routers: index 0');

		const a = await pool.pick().worker.createRouter();
		assert.equal(first.routers, 1);
		assert.equal(pool.pick(), second);

		const b = await pool.pick().worker.createRouter();
		assert.equal(second.routers, 1);
		assert.equal(pool.pick(), first, 'tie at 1 router: index 0');

		const c = await pool.pick().worker.createRouter();
		assert.equal(first.routers, 2);
		assert.equal(pool.pick(), second);

		a.close();
		c.close();
		assert.equal(first.routers, 0, 'closed routers no longer count');
		assert.equal(pool.pick(), first);

		b.close();
		assert.equal(second.routers, 0);
		assert.equal(pool.pick(), first);
	});

	test('usage() reports pid, routers and resource usage of every worker', async () => {
		const pool = thePool();
		const router = await pool.workers[1]?.worker.createRouter();
		try {
			const usage = await pool.usage();
			assert.deepEqual(
				usage.map(({ index, pid, routers }) => ({ index, pid, routers })),
				pool.workers.map((pooled) => ({ index: pooled.index, pid: pooled.pid, routers: pooled.index === 1 ? 1 : 0 })),
			);
			for (const { resourceUsage } of usage) {
				assert.equal(typeof resourceUsage.ru_utime, 'number');
				assert.ok(resourceUsage.ru_maxrss > 0);
			}
		} finally {
			router?.close();
		}
	});

	test('close() is idempotent, kills every worker process and stops the pool', async () => {
		const pool = thePool();
		const workers = pool.workers;
		const pids = workers.map((pooled) => pooled.pid);
		const emitted: string[] = [];
		pool.on('workerdied', () => emitted.push('workerdied'));
		pool.on('workerreplaced', () => emitted.push('workerreplaced'));

		const first = pool.close();
		assert.equal(pool.close(), first, 'a second call returns the same close');
		await first;
		await pool.close();

		assert.ok(pool.closed);
		for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
		assert.ok(workers.every((pooled) => !pooled.alive && pooled.webRtcServer.closed));
		assert.deepEqual(pool.workers, []);
		assert.throws(() => pool.pick(), /closed/);
		assert.deepEqual(await pool.usage(), []);
		assert.deepEqual(emitted, [], 'closing is not dying: no events');
	});
});
