// Turns two samples into one row of a fanout report: what each receiver
// should have got (what the sender sent in the window), what the sampled
// receivers did get (read packet by packet) and what the kernel counted for
// the others, and what it cost in CPU and memory.
import { cpuPercent } from './processStats.ts';
import type { StepSample } from './StepSample.ts';

export interface StepPopulation {
	receivers: number;
	sampledReceivers: number;
	/** The sampled receivers' consumer SSRCs. */
	sampledSsrcs: readonly number[];
}

const MB = 1024 * 1024;

export function stepRow(population: StepPopulation, start: StepSample, end: StepSample): Record<string, number> {
	const windowMs = end.atMs - start.atMs;
	const seconds = windowMs / 1000;
	const sentPerReceiver = end.sent.audio + end.sent.video - (start.sent.audio + start.sent.video);
	const sampled = sampledCounts(population.sampledSsrcs, start, end);
	const countedReceivers = population.receivers - population.sampledReceivers;
	const countedRtp = end.countedRtp - start.countedRtp;
	const rtcp = end.rtcp - start.rtcp;
	const forwarded = sampled.received + countedRtp;
	const row: Record<string, number> = {
		receivers: population.receivers,
		sampledReceivers: population.sampledReceivers,
		countedReceivers,
		windowS: round(seconds, 3),
		senderPps: round(sentPerReceiver / seconds, 1),
		expectedPps: round((sentPerReceiver * population.receivers) / seconds, 0),
		forwardedPps: round(forwarded / seconds, 0),
		lossPercent: lossPercent(forwarded, sentPerReceiver * population.receivers),
		sampledLossPercent: lossPercent(sampled.received, sentPerReceiver * population.sampledReceivers),
		seqLossPercent: lossPercent(sampled.received, sampled.expectedBySeq),
		countedLossPercent: lossPercent(countedRtp, sentPerReceiver * countedReceivers),
		// Unclamped, to check the kernel count against the sender: 1 when both agree.
		countedRatio: countedReceivers > 0 ? round(countedRtp / (sentPerReceiver * countedReceivers), 4) : 1,
		gaps: sampled.gaps,
		// Datagrams of no consumer's SSRC at the sink, e.g. bandwidth probes (RTP padding on SSRC 1234).
		sinkUnknown: end.sink.unknown - start.sink.unknown,
		ssrcsWithPackets: sampled.ssrcsWithPackets,
		minSsrcPackets: sampled.minPackets,
		rtcpPerReceiverPerS: population.receivers > 0 ? round(rtcp / population.receivers / seconds, 2) : 0,
		harnessCpuPercent: round(cpuPercent(start.harness, end.harness, windowMs), 1),
		harnessRssMB: round(end.harness.rssBytes / MB, 1),
	};
	if (start.workers && end.workers) {
		row.workerCpuPercent = round(cpuPercent(start.workers, end.workers, windowMs), 1);
		const workerUs = (end.workers.cpuMs - start.workers.cpuMs) * 1000;
		row.workerUsPerPacket = forwarded > 0 ? round(workerUs / forwarded, 2) : 0;
		row.workerRssMB = round(end.workers.rssBytes / MB, 1);
	}
	if (start.node && end.node) {
		row.nodeCpuPercent = round(cpuPercent(start.node, end.node, windowMs), 1);
		row.nodeRssMB = round(end.node.rssBytes / MB, 1);
	}
	return row;
}

interface SampledCounts {
	received: number;
	expectedBySeq: number;
	gaps: number;
	ssrcsWithPackets: number;
	minPackets: number;
}

function sampledCounts(ssrcs: readonly number[], start: StepSample, end: StepSample): SampledCounts {
	const counts: SampledCounts = { received: 0, expectedBySeq: 0, gaps: 0, ssrcsWithPackets: 0, minPackets: 0 };
	let minPackets = Number.POSITIVE_INFINITY;
	for (const ssrc of ssrcs) {
		const at = end.sink.ssrcs.indexOf(ssrc);
		const before = start.sink.ssrcs.indexOf(ssrc);
		if (at < 0) continue;
		const value = (array: Float64Array, index: number) => (index < 0 ? 0 : (array[index] as number));
		const received = value(end.sink.received, at) - value(start.sink.received, before);
		const highestBefore = before < 0 ? -1 : value(start.sink.highestSeq, before);
		const highest = value(end.sink.highestSeq, at);
		counts.received += received;
		// RFC 3550 A.3: expected is how far the highest sequence number moved.
		counts.expectedBySeq += highestBefore < 0 ? received : highest - highestBefore;
		counts.gaps += value(end.sink.gaps, at) - value(start.sink.gaps, before);
		if (received > 0) counts.ssrcsWithPackets++;
		minPackets = Math.min(minPackets, received);
	}
	counts.minPackets = Number.isFinite(minPackets) ? minPackets : 0;
	return counts;
}

/** In %, never negative: a count slightly above expectation (packets in flight at the window's edge) is no loss. */
function lossPercent(received: number, expected: number): number {
	if (expected <= 0) return 0;
	return round(Math.max(0, (1 - received / expected) * 100), 3);
}

function round(value: number, digits: number): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
