// The room's consume() queue: a bounded number in flight, a joiner's own
// consumers ahead of the fan-out, and one failing call not blocking the rest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { type ConsumePriority, ConsumeQueue } from '../../server/room/ConsumeQueue.ts';

/** A task that records when it starts and finishes only when told to. */
function gatedTasks(queue: ConsumeQueue) {
	const started: string[] = [];
	const gates = new Map<string, () => void>();
	let running = 0;
	let mostRunning = 0;
	const add = (name: string, priority: ConsumePriority) =>
		queue.run(priority, async () => {
			started.push(name);
			running++;
			mostRunning = Math.max(mostRunning, running);
			await new Promise<void>((resolve) => gates.set(name, resolve));
			running--;
			return name;
		});
	const finish = async (name: string) => {
		const open = gates.get(name);
		assert.ok(open, `${name} has started`);
		open();
		await tick();
	};
	return { add, finish, started, mostRunning: () => mostRunning };
}

describe('ConsumeQueue', () => {
	test('never runs more calls at once than its window', async () => {
		const tasks = gatedTasks(new ConsumeQueue(3));
		const results = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => tasks.add(name, 'fanOut'));
		await tick();
		assert.deepEqual(tasks.started, ['a', 'b', 'c']);
		for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await tasks.finish(name);
		assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
		assert.equal(tasks.mostRunning(), 3);
	});

	test("a joiner's calls pass fan-out calls that were waiting, each kind in order", async () => {
		const tasks = gatedTasks(new ConsumeQueue(1));
		void tasks.add('fan-1', 'fanOut');
		void tasks.add('fan-2', 'fanOut');
		void tasks.add('fan-3', 'fanOut');
		void tasks.add('join-1', 'joiner');
		void tasks.add('join-2', 'joiner');
		await tick();
		for (const name of ['fan-1', 'join-1', 'join-2', 'fan-2', 'fan-3']) await tasks.finish(name);
		assert.deepEqual(tasks.started, ['fan-1', 'join-1', 'join-2', 'fan-2', 'fan-3']);
	});

	test('a failing call rejects its own promise and frees its slot', async () => {
		const queue = new ConsumeQueue(1);
		const failing = queue.run('joiner', async () => {
			throw new Error('transport closed');
		});
		const next = queue.run('fanOut', async () => 'consumed');
		await assert.rejects(failing, /transport closed/);
		assert.equal(await next, 'consumed');
	});
});
