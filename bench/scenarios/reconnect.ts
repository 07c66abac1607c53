// `npm run bench -- reconnect`: how long a call is without video after the
// network comes back (resume) and after the room's worker dies (rejoin), as
// two people in real browsers see it. The e2e setup of
// tests/e2e/networkLoss.test.ts and reconnect.test.ts, repeated and timed:
// Debian's Chromium twice, each in a network namespace of its own (so one
// person's network can really go away), and the server in this process (so
// the bench can SIGKILL the room's worker by its pid). Alice and Bob join a
// new room each trial, and leave after it.
//
// resume: Bob's network goes away for 5 s, long enough for the server to
// mark him reconnecting (a real resume, not a blip nobody noticed) and well
// short of the grace; the time runs from the network being back to Alice's
// page decoding a new frame of Bob's camera on the consumer she had. The
// network goes away in each way of --outage (OutageKind.ts: his link goes
// down, or a router drops everything with the links up), trial by trial side
// by side, each with a report of its own.
// rejoin: the time from SIGKILL of the room's worker to both pages decoding
// frames on a new consumer of the other's camera (the slower of the two).
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import type { Browser } from 'playwright-core';
import { type BrowserPeer, E2eEnvironment, launchChromium, uniqueRoomId } from '../../tests/helpers/browserSession.ts';
import { NetworkNamespace, ServerAddress } from '../../tests/helpers/NetworkNamespace.ts';
import type { OutageKind } from '../../tests/helpers/OutageKind.ts';
import type { ScenarioReport } from '../ScenarioReport.ts';
import { type FrameSeen, POLL_INTERVAL_MS, videoFramesFrom, waitForFrame } from '../videoFramesProbe.ts';
import { percentile, round } from './join.ts';

export interface ReconnectOptions {
	trials: number;
	/** How Bob's network goes away on the resume path; each one is measured, in this order within a trial. */
	outages: readonly OutageKind[];
}

export interface ReconnectContext {
	progress: (line: string) => void;
}

/** The server finds a dead connection within two pings (4 s) and keeps its peer this long. */
const PING_INTERVAL_MS = 2000;
const GRACE_MS = 15_000;
/**
 * How long Bob's network is away on the resume path: longer than the server
 * takes to notice (two pings), so the server really holds him in his grace
 * period and the page really resumes; well short of the grace.
 */
const OUTAGE_MS = 5000;
/** Issue 22's targets. */
const RESUME_TARGET_P95_MS = 1000;
const REJOIN_TARGET_P95_MS = 3000;
/** How long a trial waits for a frame before it counts as failed. */
const FRAME_TIMEOUT_MS = 30_000;

type Row = Record<string, number>;

export async function runReconnect(
	options: ReconnectOptions,
	{ progress }: ReconnectContext,
): Promise<ScenarioReport[]> {
	const server = new ServerAddress();
	const index = (process.pid % 125) * 2;
	const aliceNetwork = new NetworkNamespace(index, server);
	const bobNetwork = new NetworkNamespace(index + 1, server);
	let env: E2eEnvironment | undefined;
	const browsers: Browser[] = [];
	try {
		env = await E2eEnvironment.start({
			host: server.address,
			env: server.serverEnv({ pingIntervalMs: PING_INTERVAL_MS, graceMs: GRACE_MS }),
		});
		const aliceBrowser = await launchChromium(aliceNetwork.chromiumExecutable());
		browsers.push(aliceBrowser);
		const bobBrowser = await launchChromium(bobNetwork.chromiumExecutable());
		browsers.push(bobBrowser);
		const setup: Setup = { env, aliceBrowser, bobBrowser, bobNetwork };

		const resume = await interleavedTrials(
			options.outages.map((outage) => ({
				path: `resume (${outage})`,
				run: (trial: number) => resumeTrial(setup, trial, outage),
			})),
			options.trials,
			progress,
		);
		const rejoin = await trials('rejoin', options.trials, progress, (trial) => rejoinTrial(setup, trial));
		const parameters = {
			trials: options.trials,
			browsers: 'Debian Chromium via playwright-core, fake camera 640x480, each in its own network namespace',
			server: '1 worker, in the bench process',
			pingIntervalMs: PING_INTERVAL_MS,
			outageMs: OUTAGE_MS,
			graceMs: GRACE_MS,
			pollIntervalMs: POLL_INTERVAL_MS,
			clock:
				'performance.now in the bench process; a frame is timed when the stats poll that saw it answered (ms), earliestMs: when the poll before it started',
		};
		return [
			...options.outages.map((outage, index) =>
				report(`resume (${outage})`, resume[index] ?? { rows: [], failures: [] }, RESUME_TARGET_P95_MS, {
					...parameters,
					outage: OUTAGE_TEXT[outage],
					measured:
						"Bob's network away for outageMs (at least until the server marks him reconnecting), then back: network back -> Alice's page decodes a new frame of Bob's camera, on the same consumer (a trial that ends in a rejoin fails)",
				}),
			),
			report('rejoin', rejoin, REJOIN_TARGET_P95_MS, {
				...parameters,
				measured:
					"SIGKILL of the room's worker -> both pages decode frames on a new consumer of the other's camera (the slower page)",
			}),
		];
	} finally {
		for (const browser of browsers) await browser.close().catch(() => {});
		await env?.close();
		aliceNetwork.close();
		bobNetwork.close();
		server.close();
	}
}

interface Setup {
	env: E2eEnvironment;
	aliceBrowser: Browser;
	bobBrowser: Browser;
	bobNetwork: NetworkNamespace;
}

const OUTAGE_TEXT: Record<OutageKind, string> = {
	link: "Bob's link down (his side of the veth to his router): Chromium sees a network change",
	drop: "Bob's router drops every packet both ways (a tbf qdisc on its two links), every link up: nobody sees anything",
};

/**
 * Trial 1 of each path, then trial 2 of each, and so on: what else runs on
 * the machine meanwhile weighs on every path alike. Results per path, in
 * the order given.
 */
async function interleavedTrials(
	paths: readonly { path: string; run: (trial: number) => Promise<Row> }[],
	count: number,
	progress: (line: string) => void,
): Promise<{ rows: Row[]; failures: string[] }[]> {
	const results = paths.map(() => ({ rows: [] as Row[], failures: [] as string[] }));
	for (let trial = 1; trial <= count; trial++) {
		for (const [index, { path, run }] of paths.entries()) {
			const result = results[index];
			if (result) await oneTrial(path, trial, count, progress, run, result);
		}
	}
	return results;
}

async function oneTrial(
	path: string,
	trial: number,
	count: number,
	progress: (line: string) => void,
	run: (trial: number) => Promise<Row>,
	{ rows, failures }: { rows: Row[]; failures: string[] },
): Promise<void> {
	try {
		const row = await run(trial);
		rows.push(row);
		progress(`reconnect ${path} ${trial}/${count}: ${row.ms} ms`);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		failures.push(`trial ${trial}: ${message}`);
		progress(`reconnect ${path} ${trial}/${count} failed: ${message}`);
	}
}

/** Runs `count` trials one after the other; a failed trial is counted and reported, not fatal. */
async function trials(
	path: string,
	count: number,
	progress: (line: string) => void,
	run: (trial: number) => Promise<Row>,
): Promise<{ rows: Row[]; failures: string[] }> {
	const result = { rows: [] as Row[], failures: [] as string[] };
	for (let trial = 1; trial <= count; trial++) await oneTrial(path, trial, count, progress, run, result);
	return result;
}

/** Alice and Bob in a new room, each seeing the other's camera. */
async function openCall(
	setup: Setup,
	prefix: string,
): Promise<{ roomId: string; alice: BrowserPeer; bob: BrowserPeer }> {
	const roomId = uniqueRoomId(prefix);
	const alice = await setup.env.openPeer({
		roomId,
		peerId: 'alice',
		displayName: 'Alice',
		browser: setup.aliceBrowser,
	});
	let bob: BrowserPeer | undefined;
	try {
		bob = await setup.env.openPeer({ roomId, peerId: 'bob', displayName: 'Bob', browser: setup.bobBrowser });
		await Promise.all([alice.expectVideoFrom('bob', { frames: 3 }), bob.expectVideoFrom('alice', { frames: 3 })]);
	} catch (error) {
		// A failed trial leaves no page behind to weigh on the next ones.
		await Promise.all([alice.close(), bob?.close()]);
		throw new Error(`opening the call: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
	}
	return { roomId, alice, bob };
}

async function resumeTrial(setup: Setup, trial: number, outage: OutageKind): Promise<Row> {
	const { roomId, alice, bob } = await openCall(setup, 'bench-resume');
	try {
		const bobCamera = await cameraProducer(setup, roomId, 'bob');
		const aliceConsumer = await consumerOf(setup, roomId, 'alice', bobCamera);
		const consumersBefore = await consumerIds(alice);
		const cut = performance.now();
		setup.bobNetwork.down(outage);
		try {
			// The server put Bob in his grace period: what comes next is a resume.
			await named(
				"Alice's page showing Bob reconnecting",
				alice.tile('bob').getByTestId('peer-reconnecting').waitFor({ timeout: GRACE_MS }),
			);
			await sleep(Math.max(0, cut + OUTAGE_MS - performance.now()));
		} catch (error) {
			setup.bobNetwork.up();
			throw error;
		}
		// Nothing reaches Alice from Bob now: the count read here is the one to beat.
		const before = await videoFramesFrom(alice.page, 'bob');
		if (!before) throw new Error("Alice's page has no consumer of Bob's camera");
		const back = performance.now();
		setup.bobNetwork.up();
		const bobPage = watchRoomState(bob, back);
		const bobRtp = rtpBack(bobCamera, back);
		const media = new MediaTimeline(bobCamera, aliceConsumer, back);
		const seen = await waitForFrame(
			() => videoFramesFrom(alice.page, 'bob'),
			(now) => now.consumerId === before.consumerId && now.framesDecoded > before.framesDecoded,
			{ what: `resume (${outage}) trial ${trial}`, timeoutMs: FRAME_TIMEOUT_MS },
		);
		const row = {
			trial,
			...since(back, seen),
			outageMs: Math.round(back - cut),
			serverRtpMs: await bobRtp,
			...(await bobPage),
			...media.stop(),
		};
		// A resumed session keeps its consumers; a rejoin would have made new ones.
		await named(
			"Bob's page connected again",
			bob.page.locator('[data-testid="room-state"][data-state="connected"]').waitFor({ timeout: GRACE_MS }),
			() => bobState(bob),
		);
		await named(
			"Alice's page no longer showing Bob reconnecting",
			alice.tile('bob').getByTestId('peer-reconnecting').waitFor({ state: 'detached', timeout: GRACE_MS }),
		);
		const consumersAfter = await consumerIds(alice);
		const resumed = consumersAfter.join() === consumersBefore.join();
		if (!resumed) {
			throw new Error(`resume (${outage}) trial ${trial}: Alice's consumers changed (a rejoin, not a resume)`);
		}
		return row;
	} finally {
		// The link is up in any case; the next trial starts from a room of its own.
		await Promise.all([alice.close(), bob.close()]);
	}
}

async function rejoinTrial(setup: Setup, trial: number): Promise<Row> {
	const { roomId, alice, bob } = await openCall(setup, 'bench-rejoin');
	try {
		const pool = setup.env.server.server.pool;
		const room = await setup.env.server.server.rooms.find(roomId);
		const worker = pool.workers.find((pooled) => pooled.index === room?.workerIndex);
		if (!worker) throw new Error(`no live worker for room ${roomId}`);
		const [aliceOld, bobOld] = await Promise.all([consumerIds(alice), consumerIds(bob)]);
		const killed = performance.now();
		process.kill(worker.pid, 'SIGKILL');
		const [aliceSeen, bobSeen] = await Promise.all([
			waitForFrame(
				() => videoFramesFrom(alice.page, 'bob', aliceOld),
				(now) => now.framesDecoded > 0,
				{ what: `rejoin trial ${trial}, Alice`, timeoutMs: FRAME_TIMEOUT_MS },
			),
			waitForFrame(
				() => videoFramesFrom(bob.page, 'alice', bobOld),
				(now) => now.framesDecoded > 0,
				{ what: `rejoin trial ${trial}, Bob`, timeoutMs: FRAME_TIMEOUT_MS },
			),
		]);
		const aliceMs = since(killed, aliceSeen);
		const bobMs = since(killed, bobSeen);
		return {
			trial,
			ms: Math.max(aliceMs.ms, bobMs.ms),
			earliestMs: Math.max(aliceMs.earliestMs, bobMs.earliestMs),
			aliceMs: aliceMs.ms,
			bobMs: bobMs.ms,
		};
	} finally {
		await Promise.all([alice.close(), bob.close()]);
		await workerBack(setup);
	}
}

/** The pool replaces a dead worker: the next trial waits for it, so it never meets an empty slot. */
async function workerBack(setup: Setup): Promise<void> {
	const deadline = performance.now() + FRAME_TIMEOUT_MS;
	while (setup.env.server.server.pool.workers.length === 0) {
		if (performance.now() > deadline) throw new Error('the pool did not replace the killed worker');
		await sleep(100);
	}
}

/**
 * Where the time of a resume goes, on Bob's page: when his page last showed
 * itself connected on the old connection (0: it had already noticed while the
 * network was away) and when it said connected again (its resume answered), in
 * ms since `start`, at the poll interval's resolution.
 */
async function watchRoomState(peer: BrowserPeer, start: number): Promise<{ bobLeftMs: number; bobBackMs: number }> {
	let left: number | undefined;
	let first = true;
	const deadline = start + FRAME_TIMEOUT_MS;
	while (performance.now() < deadline) {
		const state = await peer.page.evaluate(() => window.store?.getState().room.state).catch(() => undefined);
		const now = performance.now();
		if (state !== 'connected') left ??= first ? start : now;
		else if (left !== undefined) return { bobLeftMs: round(left - start, 0), bobBackMs: round(now - start, 0) };
		first = false;
		await sleep(POLL_INTERVAL_MS);
	}
	return { bobLeftMs: Number.NaN, bobBackMs: Number.NaN };
}

/** A wait that fails says what it waited for (and, with `state`, how things stood then). */
async function named(what: string, wait: Promise<unknown>, state?: () => Promise<string>): Promise<void> {
	try {
		await wait;
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
		const then = state ? ` (${await state().catch(() => 'state unknown')})` : '';
		throw new Error(`waiting for ${what}: ${message}${then}`);
	}
}

/** What Bob's page says of its connection, and its last messages, for an error. */
async function bobState(bob: BrowserPeer): Promise<string> {
	const room = await bob.page.evaluate(() => {
		const state = window.store?.getState().room;
		return `room ${state?.state}, "${state?.reconnectStatus ?? ''}"`;
	});
	return `${room}; console: ${bob.console.slice(-3).join(' | ')}`;
}

/** A peer's camera producer on the server (the bench runs the server in its own process). */
async function cameraProducer(setup: Setup, roomId: string, peerId: string): Promise<types.Producer> {
	const room = await setup.env.server.server.rooms.find(roomId);
	const producers = [...(room?.peers.get(peerId)?.producers.values() ?? [])];
	const camera = producers.find((producer) => producer.kind === 'video' && producer.appData.source !== 'share');
	if (!camera) throw new Error(`${peerId} has no camera producer in room ${roomId}`);
	return camera;
}

/** The server's consumer, on `peerId`'s transports, of `producer`. */
async function consumerOf(
	setup: Setup,
	roomId: string,
	peerId: string,
	producer: types.Producer,
): Promise<types.Consumer> {
	const room = await setup.env.server.server.rooms.find(roomId);
	const consumers = [...(room?.peers.get(peerId)?.consumers.values() ?? [])];
	const consumer = consumers.find((candidate) => candidate.producerId === producer.id);
	if (!consumer) throw new Error(`${peerId} has no consumer of producer ${producer.id} in room ${roomId}`);
	return consumer;
}

type TimelineMark = 'scoreMs' | 'layersMs' | 'pliMs' | 'keyFrameMs';

/**
 * Where the time of a resume goes between Bob's RTP reaching the server and
 * Alice decoding it, from mediasoup's events, in ms since `start`: Bob's
 * camera scored again (`scoreMs`: the first of its streams above 0), Alice's
 * consumer of it took a layer (`layersMs`), the server asked Bob for a key
 * frame (`pliMs`) and one came (`keyFrameMs`). NaN: it did not happen before
 * the frame was decoded.
 */
class MediaTimeline {
	readonly #start: number;
	readonly #producer: types.Producer;
	readonly #consumer: types.Consumer;
	readonly #seen: Record<TimelineMark, number> = {
		scoreMs: Number.NaN,
		layersMs: Number.NaN,
		pliMs: Number.NaN,
		keyFrameMs: Number.NaN,
	};
	readonly #onScore = (scores: types.ProducerScore[]) => {
		if (scores.some((score) => score.score > 0)) this.#mark('scoreMs');
	};
	readonly #onLayers = (layers?: types.ConsumerLayers) => {
		if (layers) this.#mark('layersMs');
	};
	readonly #onTrace = (trace: types.ProducerTraceEventData) => {
		if (trace.type === 'pli' && trace.direction === 'out') this.#mark('pliMs');
		if (trace.type === 'keyframe' && trace.direction === 'in') this.#mark('keyFrameMs');
	};

	constructor(producer: types.Producer, consumer: types.Consumer, start: number) {
		this.#start = start;
		this.#producer = producer;
		this.#consumer = consumer;
		producer.on('score', this.#onScore);
		producer.on('trace', this.#onTrace);
		consumer.on('layerschange', this.#onLayers);
		void producer.enableTraceEvent(['pli', 'keyframe']).catch(() => {});
	}

	stop(): Record<string, number> {
		this.#producer.off('score', this.#onScore);
		this.#producer.off('trace', this.#onTrace);
		this.#consumer.off('layerschange', this.#onLayers);
		void this.#producer.enableTraceEvent([]).catch(() => {});
		return { ...this.#seen };
	}

	#mark(what: TimelineMark): void {
		if (Number.isNaN(this.#seen[what])) this.#seen[what] = round(performance.now() - this.#start, 0);
	}
}

/**
 * Where the time of a resume goes, on the server: when Bob's camera RTP
 * reached the server again (its producer's byte count grew), in ms since
 * `start`, at the poll interval's resolution.
 */
async function rtpBack(producer: types.Producer, start: number): Promise<number> {
	const bytes = async () => (await producer.getStats()).reduce((sum, stats) => sum + stats.byteCount, 0);
	const before = await bytes();
	const deadline = start + FRAME_TIMEOUT_MS;
	while (performance.now() < deadline && !producer.closed) {
		if ((await bytes()) > before) return round(performance.now() - start, 0);
		await sleep(POLL_INTERVAL_MS);
	}
	return Number.NaN;
}

function consumerIds(peer: BrowserPeer): Promise<string[]> {
	return peer.page.evaluate(() => [...(window.store?.getState().consumers.ids ?? [])].map(String));
}

function since(start: number, seen: FrameSeen): { ms: number; earliestMs: number } {
	return { ms: round(seen.latest - start, 0), earliestMs: round(Math.max(0, seen.earliest - start), 0) };
}

function report(
	path: `resume (${OutageKind})` | 'rejoin',
	{ rows, failures }: { rows: Row[]; failures: string[] },
	targetP95Ms: number,
	parameters: ScenarioReport['parameters'],
): ScenarioReport {
	const times = rows.map((row) => row.ms ?? Number.NaN);
	const p95 = rows.length > 0 ? percentile(times, 95) : Number.NaN;
	return {
		scenario: 'reconnect',
		title:
			path === 'rejoin'
				? "Rejoin: room's worker SIGKILLed -> media back at both pages"
				: `Resume, ${path.slice('resume ('.length, -1)} outage: network back -> first new frame at the other side`,
		parameters,
		rows,
		summary: {
			trials: rows.length,
			failedTrials: failures.length,
			...(failures.length > 0 ? { failures: failures.join('; ') } : {}),
			p50Ms: rows.length > 0 ? percentile(times, 50) : Number.NaN,
			p95Ms: p95,
			maxMs: rows.length > 0 ? Math.max(...times) : Number.NaN,
			p50EarliestMs:
				rows.length > 0
					? percentile(
							rows.map((row) => row.earliestMs ?? Number.NaN),
							50,
						)
					: Number.NaN,
			targetP95Ms,
			met: failures.length === 0 && p95 <= targetP95Ms,
		},
		plots: [{ title: `${path}: time per trial (ms)`, x: 'trial', y: ['ms', 'earliestMs'] }],
	};
}
