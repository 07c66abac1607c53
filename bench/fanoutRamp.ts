// The part of fanout and raw that is the same: ramp the number of receivers
// step by step (the sender paused while receivers are added), measure each
// step over a window, stop at the first step with loss, then bisect between
// the last good and the first bad count. Capacity is the largest count the
// worker kept up with (see steady()). A --sequence instead measures the given
// counts in their order, all of them.
import { setTimeout as sleep } from 'node:timers/promises';
import { AUDIO_STREAM, VIDEO_STREAM } from './benchMedia.ts';
import type { FanoutOptions, RampPlan } from './FanoutOptions.ts';
import type { FanoutRoom } from './FanoutRoom.ts';
import { DropSockets } from './kernel/DropSockets.ts';
import { ReceiverSet } from './ReceiverSet.ts';
import { RtpSender } from './RtpSender.ts';
import { RtpSink } from './RtpSink.ts';
import { RTCP_DROP_SOCKET, RTP_DROP_SOCKET, type SampleSources, takeSample } from './StepSample.ts';
import { stepRow } from './stepRow.ts';

const SETTLE_PROBE_MS = 1000;
const MAX_SETTLE_MS = 15_000;
const RECOVERY_MS = 2000;

export interface RampResult {
	/** By receiver count. */
	rows: Record<string, number>[];
	/** Largest receiver count measured with loss under the threshold; 0 if none. */
	capacity: number;
	capacityRow: Record<string, number> | undefined;
	/** True when a step had loss: capacity is then bracketed, not just a lower bound. */
	limited: boolean;
	keyFrames: { sent: number; requested: number };
}

export async function runFanoutRamp(
	room: FanoutRoom,
	options: FanoutOptions,
	progress: (line: string) => void,
	label: string,
): Promise<RampResult> {
	const sink = await RtpSink.open();
	const drops = await DropSockets.open(2);
	const sender = await RtpSender.open({ target: room.ingest, audio: AUDIO_STREAM, video: VIDEO_STREAM });
	try {
		const rtcpPort = drops.ports[RTCP_DROP_SOCKET] as number;
		const targets = {
			sampled: { ...sink.address, rtcpPort },
			counted: { ip: drops.ip, port: drops.ports[RTP_DROP_SOCKET] as number, rtcpPort },
		};
		const receivers = new ReceiverSet(room, sink, targets, options.samples, options.setupConcurrency);
		const sources: SampleSources = {
			sender,
			sink,
			drops,
			workerPids: () => room.workerPids(),
			nodePid: room.nodePid,
		};
		// After an overloaded step the worker still has a backlog (queued
		// channel requests such as the closes of the receivers just removed,
		// a full socket buffer): measured at once, a smaller count would
		// inherit the loss of the larger one. Short probes until one is
		// clean, or the probes stop improving: then the step is steady.
		const settle = async (count: number): Promise<number> => {
			const started = Date.now();
			let previousLoss = Number.POSITIVE_INFINITY;
			while (Date.now() - started < MAX_SETTLE_MS) {
				const start = await sender.atNextCycle(() => takeSample(sources));
				await sleep(SETTLE_PROBE_MS);
				const end = await sender.atNextCycle(() => takeSample(sources));
				const probe = stepRow(receivers.population(), start, end);
				const loss = probe.lossPercent ?? 100;
				if (steady(probe, options.lossThreshold) || loss >= previousLoss) break;
				progress(`${label}: N=${count} settling, loss ${loss}%`);
				previousLoss = loss;
			}
			return (Date.now() - started) / 1000;
		};
		let lastLossy = false;
		const measure = async (count: number): Promise<Record<string, number>> => {
			const setupStarted = Date.now();
			// Receivers are added while the sender pauses: set-up then does not
			// compete with forwarding (a saturated worker answers its channel
			// late, and adding hundreds of receivers took minutes), and after
			// an overloaded step the worker drains its backlog meanwhile, so a
			// smaller count does not inherit the loss of the larger one.
			sender.pause();
			if (lastLossy) await sleep(RECOVERY_MS);
			await receivers.resize(count);
			sender.start();
			const setupS = (Date.now() - setupStarted) / 1000;
			await sleep(options.warmupMs);
			const settleS = await settle(count);
			const start = await sender.atNextCycle(() => takeSample(sources));
			await sleep(options.windowMs);
			const end = await sender.atNextCycle(() => takeSample(sources));
			const row: Record<string, number> = {
				...stepRow(receivers.population(), start, end),
				setupS: Math.round(setupS * 10) / 10,
				settleS: Math.round(settleS * 10) / 10,
			};
			progress(`${label}: ${describeRow(row)}`);
			lastLossy = !steady(row, options.lossThreshold);
			return row;
		};
		const result = await ramp(options, measure);
		return { ...result, keyFrames: sender.keyFrames };
	} finally {
		await sender.close();
		await drops.close();
		await sink.close();
	}
}

/** The counts to measure and their order; measure() is one step of the ramp. */
export async function ramp(
	options: Pick<FanoutOptions, 'ramp' | 'lossThreshold'>,
	measure: (count: number) => Promise<Record<string, number>>,
): Promise<Omit<RampResult, 'keyFrames'>> {
	const rows: Record<string, number>[] = [];
	const good = (row: Record<string, number>) => steady(row, options.lossThreshold);
	const sequence = options.ramp.sequence !== undefined;
	let lastGood: Record<string, number> | undefined;
	let firstBad: Record<string, number> | undefined;
	for (const count of coarseSteps(options.ramp)) {
		const row = await measure(count);
		rows.push(row);
		if (good(row)) {
			if ((row.receivers ?? 0) >= (lastGood?.receivers ?? 0)) lastGood = row;
			continue;
		}
		firstBad ??= row;
		if (!sequence) break;
	}
	if (firstBad && options.ramp.receivers === undefined && !sequence) {
		let low = lastGood?.receivers ?? 0;
		let high = firstBad.receivers ?? 0;
		for (let step = 0; step < options.ramp.refine; step++) {
			const middle = Math.round((low + high) / 2);
			// Finer than ~2% is below what run-to-run noise lets us tell apart.
			if (middle <= low || middle >= high || high - low <= Math.max(2, low * 0.02)) break;
			const row = await measure(middle);
			rows.push(row);
			if (good(row)) {
				low = middle;
				if (middle > (lastGood?.receivers ?? 0)) lastGood = row;
			} else high = middle;
		}
	}
	rows.forEach((row, order) => {
		row.order = order;
	});
	// A sequence is read in the order it was measured.
	if (!sequence) rows.sort((a, b) => (a.receivers ?? 0) - (b.receivers ?? 0));
	return { rows, capacity: lastGood?.receivers ?? 0, capacityRow: lastGood, limited: firstBad !== undefined };
}

/**
 * A step the worker keeps up with: loss under the threshold, and not more
 * forwarded than was sent in the window either. A worker still draining the
 * backlog of an overloaded step delivers late packets on top (measured: 1.12x
 * at 100% CPU with no loss), which is saturation, not capacity.
 */
export function steady(row: Record<string, number>, lossThreshold: number): boolean {
	const loss = row.lossPercent ?? 100;
	const expected = row.expectedPps ?? 0;
	const forwarded = row.forwardedPps ?? 0;
	return loss < lossThreshold * 100 && forwarded <= expected * (1 + lossThreshold);
}

/** A sequence, explicit counts, or start, start + step, ... (or doubling) up to max. */
export function coarseSteps(plan: RampPlan): number[] {
	if (plan.sequence) return plan.sequence;
	if (plan.receivers) return plan.receivers;
	const steps: number[] = [];
	for (let count = plan.start; count <= plan.max; count = plan.step ? count + plan.step : count * 2) {
		steps.push(count);
		if (count <= 0) break;
	}
	if (steps[steps.length - 1] !== plan.max && (steps[steps.length - 1] ?? 0) < plan.max) steps.push(plan.max);
	return steps;
}

function describeRow(row: Record<string, number>): string {
	const parts = [
		`N=${row.receivers}`,
		`forwarded ${row.forwardedPps} pps`,
		`loss ${row.lossPercent}% (sampled ${row.sampledLossPercent}%, counted ${row.countedLossPercent}%)`,
		`worker ${row.workerCpuPercent}% CPU, ${row.workerUsPerPacket} us/pkt`,
	];
	if (row.nodeCpuPercent !== undefined) parts.push(`node ${row.nodeCpuPercent}%`);
	parts.push(`harness ${row.harnessCpuPercent}%`, `set-up ${row.setupS} s`, `settle ${row.settleS} s`);
	return parts.join(', ');
}
