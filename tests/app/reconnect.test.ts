// Getting back into the room after the connection went: the waits between
// attempts (LiveKit's schedule, with jitter), the attempts themselves, which
// closes the page comes back from by itself, and what it sends again after a
// full rejoin.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_JITTER_MS, RECONNECT_DELAYS_MS, reconnectDelay } from '../../app/room/backoff.ts';
import { closedForGoodBy, reconnectsAfter } from '../../app/room/closedReasons.ts';
import { keptSendState } from '../../app/room/keptSendState.ts';
import { Reconnector } from '../../app/room/Reconnector.ts';
import { meActions } from '../../app/store/slices/me.ts';
import { moderationActions } from '../../app/store/slices/moderation.ts';
import { type ProducerState, producersActions } from '../../app/store/slices/producers.ts';
import { createStore } from '../../app/store/store.ts';
import { CLOSE_REASONS } from '../../protocol/session.ts';

describe('backoff', () => {
	test('LiveKit schedule: 0, 300 ms at once, then 1200, 2700, 4800, 7000 ms and 7000 ms from then on', () => {
		const noJitter = () => 0;
		const waits = Array.from({ length: 9 }, (_, attempt) => reconnectDelay(attempt, noJitter));
		assert.deepEqual(waits, [0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000]);
		assert.deepEqual(RECONNECT_DELAYS_MS, [0, 300, 1200, 2700, 4800, 7000]);
	});

	test('jitter: none on the first two attempts, up to a second on the others', () => {
		const most = () => 0.999_999;
		assert.equal(reconnectDelay(0, most), 0);
		assert.equal(reconnectDelay(1, most), 300);
		assert.equal(reconnectDelay(2, most), 1200 + MAX_JITTER_MS - 1);
		assert.equal(reconnectDelay(20, most), 7000 + MAX_JITTER_MS - 1);
		const seen = new Set(Array.from({ length: 50 }, () => reconnectDelay(3)));
		assert.ok(seen.size > 10, 'random jitter spreads the pages of a room');
		for (const wait of seen) assert.ok(wait >= 2700 && wait < 2700 + MAX_JITTER_MS);
	});
});

/** Timers the test fires by hand, in order. */
function manualTimers() {
	const pending: { run: () => void; ms: number }[] = [];
	return {
		waits: [] as number[],
		pending,
		setTimer(run: () => void, ms: number) {
			this.waits.push(ms);
			const timer = { run, ms };
			pending.push(timer);
			return timer;
		},
		clearTimer(timer: unknown) {
			const index = pending.indexOf(timer as (typeof pending)[number]);
			if (index >= 0) pending.splice(index, 1);
		},
		async fireNext() {
			const timer = pending.shift();
			assert.ok(timer, 'a timer is pending');
			timer.run();
			await new Promise((resolve) => setImmediate(resolve));
		},
	};
}

describe('Reconnector', () => {
	test('tries until an attempt succeeds, waiting the backoff between attempts', async () => {
		const timers = manualTimers();
		const tried: number[] = [];
		const reconnector = new Reconnector(
			{
				attempt: async (attempt) => {
					tried.push(attempt);
					return attempt === 3;
				},
				waiting: () => {},
				gaveUp: () => assert.fail('it succeeded'),
			},
			{ random: () => 0, setTimer: (run, ms) => timers.setTimer(run, ms), clearTimer: (t) => timers.clearTimer(t) },
		);
		for (let i = 0; i < 4; i++) await timers.fireNext();
		assert.deepEqual(tried, [0, 1, 2, 3]);
		assert.deepEqual(timers.waits, [0, 300, 1200, 2700]);
		assert.equal(reconnector.closed, true);
		assert.equal(timers.pending.length, 0, 'nothing more is tried');
	});

	test('gives up after its attempts, and says so once', async () => {
		const timers = manualTimers();
		let gaveUp = 0;
		new Reconnector(
			{ attempt: async () => false, waiting: () => {}, gaveUp: () => gaveUp++ },
			{ maxAttempts: 3, setTimer: (run, ms) => timers.setTimer(run, ms), clearTimer: (t) => timers.clearTimer(t) },
		);
		for (let i = 0; i < 3; i++) await timers.fireNext();
		assert.equal(gaveUp, 1);
		assert.equal(timers.pending.length, 0);
	});

	test('hurried (the network is back) while it waits its turn: the attempt runs at once, and the schedule starts over', async () => {
		const timers = manualTimers();
		const tried: number[] = [];
		const reconnector = new Reconnector(
			{ attempt: async (attempt) => tried.push(attempt) < 0, waiting: () => {}, gaveUp: () => {} },
			{ random: () => 0, setTimer: (run, ms) => timers.setTimer(run, ms), clearTimer: (t) => timers.clearTimer(t) },
		);
		for (let i = 0; i < 4; i++) await timers.fireNext();
		assert.deepEqual(timers.waits, [0, 300, 1200, 2700, 4800], 'four attempts failed: the fifth waits 4.8 s');
		reconnector.hurry();
		assert.equal(timers.pending.length, 1, 'the 4.8 s wait is gone');
		assert.equal(timers.pending[0]?.ms, 0, 'the attempt runs at once');
		await timers.fireNext();
		assert.deepEqual(tried, [0, 1, 2, 3, 4]);
		assert.equal(
			timers.pending[0]?.ms,
			300,
			'an attempt that fails right after the network came back is tried again soon',
		);
		reconnector.close();
	});

	test('hurried while an attempt hangs on the dead network: it is aborted, and the next one follows at once', async () => {
		const timers = manualTimers();
		const signals: AbortSignal[] = [];
		let succeed = false;
		const reconnector = new Reconnector(
			{
				attempt: (_attempt, signal) => {
					signals.push(signal);
					if (succeed) return Promise.resolve(true);
					// A request whose packets go nowhere: it ends only when given up on.
					return new Promise((resolve) => signal.addEventListener('abort', () => resolve(false)));
				},
				waiting: () => {},
				gaveUp: () => assert.fail('it succeeded'),
			},
			{ random: () => 0, setTimer: (run, ms) => timers.setTimer(run, ms), clearTimer: (t) => timers.clearTimer(t) },
		);
		await timers.fireNext();
		assert.equal(signals.length, 1);
		assert.equal(timers.pending.length, 0, 'the first attempt still hangs: nothing else is tried meanwhile');
		succeed = true;
		reconnector.hurry();
		assert.equal(signals[0]?.aborted, true);
		await new Promise((resolve) => setImmediate(resolve));
		assert.deepEqual(
			timers.pending.map((timer) => timer.ms),
			[0],
		);
		await timers.fireNext();
		assert.equal(signals.length, 2);
		assert.equal(reconnector.closed, true, 'back in');
		reconnector.hurry();
		assert.equal(timers.pending.length, 0, 'a closed reconnector is not hurried into anything');
	});

	test('closed (the user left): the pending attempt never runs', async () => {
		const timers = manualTimers();
		let tried = 0;
		const reconnector = new Reconnector(
			{ attempt: async () => ++tried > 0 && false, waiting: () => {}, gaveUp: () => {} },
			{ setTimer: (run, ms) => timers.setTimer(run, ms), clearTimer: (t) => timers.clearTimer(t) },
		);
		await timers.fireNext();
		reconnector.close();
		assert.equal(timers.pending.length, 0);
		assert.equal(tried, 1);
	});
});

describe('close reasons', () => {
	test('back by itself after a lost network, a restart, a dead worker or a failed transport; never after a decision', () => {
		const comesBack = CLOSE_REASONS.filter((reason) => reconnectsAfter(reason));
		assert.deepEqual(comesBack, ['shutdown', 'workerDied', 'transportFailed']);
		assert.equal(reconnectsAfter(null), true, 'closed without a word: the network went');
		const forGood = CLOSE_REASONS.filter((reason) => closedForGoodBy(reason));
		assert.deepEqual(forGood, ['roomEnded', 'removed', 'denied']);
	});
});

function producer(source: ProducerState['source'], paused: boolean): ProducerState {
	return {
		id: `${source}-1`,
		source,
		kind: source === 'mic' ? 'audio' : 'video',
		paused,
		mutedByModerator: false,
		trackId: 't',
		codec: 'opus',
		encodings: 1,
		scalabilityMode: null,
		spatialLayers: 1,
		maxSpatialLayer: null,
		score: [],
	};
}

describe('what a full rejoin sends again', () => {
	test('a muted microphone stays muted, a camera that was off stays off, the name stays', () => {
		const store = createStore();
		store.dispatch(meActions.displayNameChanged('Alice'));
		store.dispatch(producersActions.producerAdded(producer('mic', true)));
		assert.deepEqual(keptSendState(store.getState()), {
			mic: 'muted',
			webcam: false,
			share: false,
			displayName: 'Alice',
		});
	});

	test('a live microphone, camera and screen', () => {
		const store = createStore();
		for (const source of ['mic', 'webcam', 'share'] as const) {
			store.dispatch(producersActions.producerAdded(producer(source, false)));
		}
		const kept = keptSendState(store.getState());
		assert.equal(kept.mic, 'on');
		assert.equal(kept.webcam, true);
		assert.equal(kept.share, true, 'offered again in one click');
	});

	test('nothing sent: nothing comes back', () => {
		const kept = keptSendState(createStore().getState());
		assert.equal(kept.mic, 'off');
		assert.equal(kept.webcam, false);
	});
});

describe('a resumed session', () => {
	test("a moderator's lobby list becomes the server's, keeping who came first", () => {
		const store = createStore();
		store.dispatch(moderationActions.lobbyPeerWaiting({ id: 'carol', displayName: 'Carol', since: 1 }));
		store.dispatch(moderationActions.lobbyPeerWaiting({ id: 'dave', displayName: 'Dave', since: 2 }));
		store.dispatch(
			moderationActions.lobbyReplaced([
				{ id: 'erin', displayName: 'Erin' },
				{ id: 'carol', displayName: 'Carol' },
			]),
		);
		assert.deepEqual(store.getState().moderation.lobby.ids, ['carol', 'erin'], 'dave left meanwhile; erin came');
	});
});
