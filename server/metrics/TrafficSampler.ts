// The traffic counters (bytes, RTP packets and losses, NACK/PLI/FIR) from
// the workers' own stats. mediasoup has no totals per worker or router, only
// getStats() per transport (bytes, no packets), per producer (what came in,
// and the NACKs, PLIs and FIRs the server sent its sender) and per consumer
// (what went out, and the NACKs, PLIs and FIRs its receiver sent). Each is a
// request to the worker: about 12 us of the server's CPU and 3 us of the
// worker's each, measured. A 200-peer room has 80,000 consumers: a reading
// of everything costs about a second of Node's CPU, far too much for every
// scrape (a scrape of that room must take under 50 ms, bench/RESULTS.md).
//
// So a scrape never waits for stats: it reads the totals of the last reading
// and, when that began long enough ago, starts the next one in the
// background. Long enough is `minIntervalMs` (metrics.statsIntervalMs), and
// at least DUTY_FACTOR times the time the last reading kept the workers
// busy: readings take at most 1/DUTY_FACTOR of the time whatever the size of
// the server (the 200-peer room's 80,000 consumers take about 1.5 s: one
// reading every 30 s). A reading runs `BATCH` requests at a time, so
// signaling requests get their turns between batches, and it spreads its
// batches over SPREAD_SHARE of minIntervalMs: a worker answers a batch in
// about 1.5 ms, but 2,000 objects read back to back held it for about 30 ms
// (measured), during which every packet it forwards waits, and a worker at
// full load forwarded over 1% fewer packets in the 3 s that held a reading
// (the metrics bench lost 8% of its fanout capacity to it). Nothing is read
// while nobody scrapes. The counters therefore trail the traffic by up to one
// interval plus one scrape interval, which rate() over a few minutes does not
// mind.
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import { Closable } from '../../lifecycle/Closable.ts';
import { transportConsumers } from '../media/transportConsumers.ts';
import { CumulativeTotals } from './CumulativeTotals.ts';
import type { MediaTracker } from './MediaTracker.ts';

export type TransportType = types.Transport['type'];
export const TRANSPORT_TYPES: readonly TransportType[] = ['webrtc', 'plain', 'pipe', 'direct'];

/** Columns of a transport's reading. */
export const BYTE_COUNTERS = ['bytesIn', 'bytesOut'] as const;
/** Columns of an RTP stream's reading (producers: received by the server; consumers: sent by it). */
export const RTP_COUNTERS = ['packets', 'packetsLost', 'nack', 'pli', 'fir'] as const;

/** Requests to the workers in flight at once during a reading. */
const BATCH = 100;
/** A reading waits at least this many times as long as the last one kept the workers busy (5% of the time at most). */
export const DUTY_FACTOR = 20;
/** A reading's batches are spread over this share of minIntervalMs. */
export const SPREAD_SHARE = 0.5;

export interface SampleReport {
	/** How long the last complete reading took, wall clock, with the pauses between its batches. */
	durationMs: number;
	/** How long its batches took, without the pauses: what the workers were asked to do. */
	busyMs: number;
	/** Objects it read (transports, producers, consumers). */
	objects: number;
}

export class TrafficSampler extends Closable {
	readonly transports = new CumulativeTotals(TRANSPORT_TYPES, BYTE_COUNTERS.length);
	/** What came in: one row per producer (all its encodings summed). */
	readonly producers = new CumulativeTotals(TRANSPORT_TYPES, RTP_COUNTERS.length);
	/** What went out: one row per consumer. */
	readonly consumers = new CumulativeTotals(TRANSPORT_TYPES, RTP_COUNTERS.length);
	readonly #tracker: MediaTracker;
	readonly #minIntervalMs: number;
	readonly #onConsumerScore: (score: number) => void;
	#generation = 0;
	#lastStart = Number.NEGATIVE_INFINITY;
	#running: Promise<void> | undefined;
	#last: SampleReport | undefined;
	#samples = 0;
	readonly #closing = new AbortController();

	/**
	 * `onConsumerScore`: the score (0..10) of each consumer a receiver gets
	 * (WebRTC and plain transports; a pipe's copy has none), once per reading:
	 * a histogram of them counts consumer-time by quality.
	 */
	constructor(tracker: MediaTracker, minIntervalMs: number, onConsumerScore: (score: number) => void) {
		super();
		this.#tracker = tracker;
		this.#minIntervalMs = minIntervalMs;
		this.#onConsumerScore = onConsumerScore;
	}

	/** The last complete reading; undefined before the first one ended. */
	get last(): SampleReport | undefined {
		return this.#last;
	}

	/** Readings completed. */
	get samples(): number {
		return this.#samples;
	}

	/**
	 * A scrape is on: a new reading starts unless one runs, or the last began
	 * less than minIntervalMs ago, or less than DUTY_FACTOR times its busy time ago.
	 */
	poke(): void {
		const wait = Math.max(this.#minIntervalMs, DUTY_FACTOR * (this.#last?.busyMs ?? 0));
		if (this.closed || this.#running || performance.now() - this.#lastStart < wait) return;
		this.#lastStart = performance.now();
		this.#running = this.#sample().finally(() => {
			this.#running = undefined;
		});
	}

	/** Resolves when the reading in progress (if any) has ended: for tests and the bench. */
	async settled(): Promise<void> {
		await this.#running;
	}

	async #sample(): Promise<void> {
		const generation = ++this.#generation;
		const started = performance.now();
		// What exists now; objects made during the reading wait for the next.
		const transports: types.Transport[] = [];
		const producers: { producer: types.Producer; type: TransportType }[] = [];
		const consumers: { consumer: types.Consumer; type: TransportType }[] = [];
		for (const { transport, producers: own } of this.#tracker.transports) {
			transports.push(transport);
			for (const producer of own) producers.push({ producer, type: transport.type });
			for (const consumer of transportConsumers(transport).values()) consumers.push({ consumer, type: transport.type });
		}
		const batches = new BatchPacer(
			batchCount(transports) + batchCount(producers) + batchCount(consumers),
			this.#minIntervalMs * SPREAD_SHARE,
			this.#closing.signal,
		);
		await batches.run(transports, async (transport) => {
			// Every kind of transport answers one BaseTransportStats (its own type adds fields).
			const [stats] = (await transport.getStats()) as types.BaseTransportStats[];
			if (stats)
				this.transports.record(transport.id, transport.type, generation, [stats.bytesReceived, stats.bytesSent]);
		});
		await batches.run(producers, async ({ producer, type }) => {
			this.producers.record(producer.id, type, generation, rtpSums(await producer.getStats(), 'inbound-rtp'));
		});
		await batches.run(consumers, async ({ consumer, type }) => {
			this.consumers.record(consumer.id, type, generation, rtpSums(await consumer.getStats(), 'outbound-rtp'));
			if (type === 'webrtc' || type === 'plain') this.#onConsumerScore(consumer.score.score);
		});
		if (this.closed) return;
		// What closed since the last reading keeps its last counts in the totals.
		this.transports.retireOthers(generation);
		this.producers.retireOthers(generation);
		this.consumers.retireOthers(generation);
		this.#samples++;
		this.#last = {
			durationMs: performance.now() - started,
			busyMs: batches.busyMs,
			objects: transports.length + producers.length + consumers.length,
		};
	}

	protected closing(): void {
		// A reading in progress stops at its next batch; its results no longer matter.
		this.#closing.abort();
	}
}

/** One RTP stream's counters: a producer's encodings, or a consumer's own stream (not its producer's). */
type RtpStats = Pick<
	types.RtpStreamRecvStats,
	'type' | 'packetCount' | 'packetsLost' | 'nackCount' | 'pliCount' | 'firCount'
>;

function rtpSums(stats: readonly RtpStats[], type: 'inbound-rtp' | 'outbound-rtp'): number[] {
	let packets = 0;
	let lost = 0;
	let nack = 0;
	let pli = 0;
	let fir = 0;
	for (const entry of stats) {
		if (entry.type !== type) continue;
		packets += entry.packetCount;
		// Cumulative loss from receiver reports can be negative (duplicates).
		lost += Math.max(0, entry.packetsLost);
		nack += entry.nackCount;
		pli += entry.pliCount;
		fir += entry.firCount;
	}
	return [packets, lost, nack, pli, fir];
}

function batchCount(items: readonly unknown[]): number {
	return Math.ceil(items.length / BATCH);
}

/**
 * Runs a reading's batches, BATCH requests at a time, with an equal pause
 * before each but the first so that they spread over `spreadMs`; counts the
 * time the batches took. An object that closed meanwhile is skipped; once
 * `stop` aborts, nothing more is read. The pauses keep no process alive.
 */
class BatchPacer {
	busyMs = 0;
	readonly #pauseMs: number;
	readonly #stop: AbortSignal;
	#started = 0;

	constructor(batches: number, spreadMs: number, stop: AbortSignal) {
		this.#pauseMs = batches > 1 ? spreadMs / batches : 0;
		this.#stop = stop;
	}

	async run<T>(items: readonly T[], read: (item: T) => Promise<void>): Promise<void> {
		for (let start = 0; start < items.length; start += BATCH) {
			if (this.#started++ > 0 && this.#pauseMs > 0) {
				await sleep(this.#pauseMs, undefined, { ref: false, signal: this.#stop }).catch(() => {});
			}
			if (this.#stop.aborted) return;
			const begun = performance.now();
			await Promise.allSettled(items.slice(start, start + BATCH).map(read));
			this.busyMs += performance.now() - begun;
		}
	}
}
