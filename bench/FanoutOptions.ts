// Everything a fanout or raw run is asked to do, shared by both so that an
// interleaved comparison runs them with the same sizes and windows.
import type { types } from 'mediasoup';
import type { RoomSpread } from './ServerUnderTest.ts';

/** A mediasoup-worker binary to measure, and what reports call it. */
export interface WorkerBinary {
	label: string;
	path: string;
}

export interface RampPlan {
	/** Explicit receiver counts, in order; when set, start/step/max are ignored. */
	receivers: number[] | undefined;
	/**
	 * Counts measured in exactly this order, every one whatever the loss of
	 * the one before, with no bisection: how a worker comes back after an
	 * overloaded step. When set, receivers and start/step/max are ignored.
	 */
	sequence?: number[];
	start: number;
	/** Receivers added per step; undefined doubles the count instead. */
	step: number | undefined;
	max: number;
	/** Bisection steps between the last count without loss and the first with. */
	refine: number;
}

export interface FanoutOptions {
	/** Server: MEDIASOUP_NUM_WORKERS. Raw: workers created. */
	workers: number;
	/**
	 * Server: MEDIASOUP_ROOM_SPREAD. Raw: 'always' puts a router on every
	 * worker (producers piped to all), anything else one router on the first.
	 */
	roomSpread: RoomSpread;
	ramp: RampPlan;
	/** After changing the receiver count, before measuring: new consumers wait for a key frame. */
	warmupMs: number;
	windowMs: number;
	/** A step with more loss than this (0.01 = 1%) ends the ramp. */
	lossThreshold: number;
	/** Receivers whose every packet the sink reads; the rest are counted by the kernel. */
	samples: number;
	/** Receivers set up at once (REST requests in flight, or mediasoup calls). */
	setupConcurrency: number;
	/**
	 * Receivers get SRTP with this suite instead of plain RTP (AEAD_AES_256_GCM:
	 * what WebRTC with Chrome uses; AES_CM_128_HMAC_SHA1_80: the suite every
	 * endpoint must support). undefined: plain RTP.
	 */
	srtp: types.SrtpCryptoSuite | undefined;
	/** The worker binary of the run (server and raw); undefined: mediasoup's (MEDIASOUP_WORKER_BIN or its own). */
	workerBin: WorkerBinary | undefined;
	/** For the report: which round of an interleaved comparison this is. */
	round: number | undefined;
}

export const DEFAULT_FANOUT_OPTIONS: FanoutOptions = {
	workers: 1,
	roomSpread: 'never',
	// Linear steps: doubling overshoots capacity by up to 2x, and adding
	// receivers to a saturated worker takes minutes (its channel starves).
	ramp: { receivers: undefined, start: 100, step: 100, max: 4000, refine: 3 },
	warmupMs: 1500,
	windowMs: 3000,
	lossThreshold: 0.01,
	samples: 8,
	setupConcurrency: 8,
	srtp: undefined,
	workerBin: undefined,
	round: undefined,
};
