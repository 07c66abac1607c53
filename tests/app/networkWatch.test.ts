// Signs that the page's network went and came back (NetworkWatch): the
// browser's offline/online events, and the media transports' received bytes
// that stall and grow again. Timers, the clock and the byte counts are the
// test's, so every sign is checked at the moment it must (and must not) come.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NetworkWatch, POLL_INTERVAL_MS, STALL_MS } from '../../app/room/NetworkWatch.ts';

function watched() {
	const signs: string[] = [];
	const clock = { now: 0 };
	const received: { bytes: number | undefined } = { bytes: undefined };
	let poll: (() => void) | undefined;
	let stopped = false;
	const events = new EventTarget();
	const watch = new NetworkWatch(
		async () => received.bytes,
		{ gone: () => signs.push('gone'), back: () => signs.push('back') },
		{
			events,
			now: () => clock.now,
			setInterval: (run, ms) => {
				assert.equal(ms, POLL_INTERVAL_MS);
				poll = run;
				return 1;
			},
			clearInterval: () => {
				stopped = true;
			},
		},
	);
	/** Time passes by one poll interval, and the poll reads `bytes`. */
	const tick = async (bytes: number | undefined) => {
		clock.now += POLL_INTERVAL_MS;
		received.bytes = bytes;
		poll?.();
		await new Promise((resolve) => setImmediate(resolve));
	};
	return { watch, signs, events, tick, stopped: () => stopped };
}

const STALL_TICKS = Math.ceil(STALL_MS / POLL_INTERVAL_MS);

describe('NetworkWatch', () => {
	test("the browser's offline and online events are signs, at once", () => {
		const { watch, signs, events } = watched();
		events.dispatchEvent(new Event('offline'));
		events.dispatchEvent(new Event('offline'));
		assert.deepEqual(signs, ['gone'], 'gone once');
		events.dispatchEvent(new Event('online'));
		assert.deepEqual(signs, ['gone', 'back']);
		watch.close();
	});

	test('transports that stop receiving: gone after STALL_MS, once; receiving again: back', async () => {
		const { watch, signs, tick } = watched();
		await tick(1000);
		for (let i = 0; i < STALL_TICKS - 1; i++) await tick(1000);
		assert.deepEqual(signs, [], 'a stall shorter than STALL_MS is no sign');
		await tick(1000);
		assert.deepEqual(signs, ['gone']);
		for (let i = 0; i < 3 * STALL_TICKS; i++) await tick(1000);
		assert.deepEqual(signs, ['gone'], 'still gone: said once');
		await tick(1200);
		assert.deepEqual(signs, ['gone', 'back'], 'the first packets after the stall');
		for (let i = 0; i < STALL_TICKS - 1; i++) await tick(1200);
		assert.deepEqual(signs, ['gone', 'back'], 'a new stall counts from when it was back');
		watch.close();
	});

	test('transports that keep receiving never give a sign', async () => {
		const { watch, signs, tick } = watched();
		for (let i = 0; i < 4 * STALL_TICKS; i++) await tick(1000 + i * 100);
		assert.deepEqual(signs, []);
		watch.close();
	});

	test('no transports (before the join, after a rejoin dropped them): nothing to judge by; new ones count from zero', async () => {
		const { watch, signs, tick } = watched();
		for (let i = 0; i < 2 * STALL_TICKS; i++) await tick(undefined);
		assert.deepEqual(signs, [], 'no transports is no stall');
		await tick(5000);
		await tick(0);
		assert.deepEqual(signs, [], 'new transports with a lower count start over, not "back"');
		for (let i = 0; i < STALL_TICKS; i++) await tick(0);
		assert.deepEqual(signs, ['gone']);
		watch.close();
	});

	test('closed: no more polls or event signs', async () => {
		const { watch, signs, events, stopped } = watched();
		watch.close();
		assert.equal(stopped(), true, 'the poll stopped');
		events.dispatchEvent(new Event('offline'));
		events.dispatchEvent(new Event('online'));
		assert.deepEqual(signs, []);
	});
});
