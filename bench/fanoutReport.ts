// A fanout or raw ramp as a ScenarioReport: the rows per receiver count, the
// capacity as the headline, and what to plot.
import type { types } from 'mediasoup';
import type { FanoutOptions } from './FanoutOptions.ts';
import type { RampResult } from './fanoutRamp.ts';
import type { ScenarioReport } from './ScenarioReport.ts';

export function fanoutReport(
	scenario: 'fanout' | 'raw',
	title: string,
	options: FanoutOptions,
	result: RampResult,
): ScenarioReport {
	const at = result.capacityRow;
	const summary: ScenarioReport['summary'] = {
		capacityReceivers: result.capacity,
		// false: no step had loss, so the capacity is only a lower bound (raise --max).
		capacityBracketed: result.limited,
		forwardedPpsAtCapacity: at?.forwardedPps ?? 0,
		lossPercentAtCapacity: at?.lossPercent ?? 0,
		workerCpuPercentAtCapacity: at?.workerCpuPercent ?? 0,
		workerUsPerPacketAtCapacity: at?.workerUsPerPacket ?? 0,
		keyFramesSent: result.keyFrames.sent,
		keyFramesRequested: result.keyFrames.requested,
	};
	if (at?.nodeCpuPercent !== undefined) summary.nodeCpuPercentAtCapacity = at.nodeCpuPercent;
	return {
		scenario,
		title: options.round === undefined ? title : `${title}, round ${options.round}`,
		parameters: {
			workers: options.workers,
			roomSpread: options.roomSpread,
			receivers: describeReceivers(options.srtp),
			...(options.workerBin === undefined ? {} : { workerBin: options.workerBin.label }),
			...(options.round === undefined ? {} : { round: options.round }),
			warmupS: options.warmupMs / 1000,
			windowS: options.windowMs / 1000,
			lossThresholdPercent: options.lossThreshold * 100,
			sampledReceivers: options.samples,
			ramp: describeRamp(options),
		},
		rows: result.rows,
		summary,
		plots: [
			{ title: 'Packets per second to all receivers', x: 'receivers', y: ['expectedPps', 'forwardedPps'] },
			{ title: 'Loss (%)', x: 'receivers', y: ['lossPercent', 'sampledLossPercent', 'countedLossPercent'] },
			{ title: 'CPU (% of one core)', x: 'receivers', y: ['workerCpuPercent', 'nodeCpuPercent', 'harnessCpuPercent'] },
			{ title: 'Worker CPU per forwarded packet (us)', x: 'receivers', y: ['workerUsPerPacket'] },
			{ title: 'Memory (MB)', x: 'receivers', y: ['workerRssMB', 'nodeRssMB', 'harnessRssMB'] },
		],
	};
}

/** How reports name what receivers get. */
export function describeReceivers(srtp: types.SrtpCryptoSuite | undefined): string {
	return srtp === undefined ? 'plain RTP' : `SRTP (${srtp})`;
}

/** For progress lines: which binary and suite, when chosen. */
export function variantTag(options: Pick<FanoutOptions, 'srtp' | 'workerBin'>): string {
	const binary = options.workerBin === undefined ? '' : ` ${options.workerBin.label}`;
	return `${binary}${options.srtp === undefined ? '' : ` ${options.srtp}`}`;
}

function describeRamp(options: FanoutOptions): string {
	const { receivers, sequence, start, step, max, refine } = options.ramp;
	if (sequence) return `sequence ${sequence.join(',')}, in this order`;
	if (receivers) return receivers.join(',');
	return `${start}${step ? ` +${step}` : ' x2'} to ${max}, ${refine} bisection steps`;
}
