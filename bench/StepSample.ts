// One reading of every counter the bench has, taken at the same instant (the
// start of a sender tick, see RtpSender.atNextCycle). A step's row is the
// difference of two of them.
import { performance } from 'node:perf_hooks';
import type { DropSockets } from './kernel/DropSockets.ts';
import { type ProcessStats, readProcessGroupStats, readProcessStats } from './processStats.ts';
import type { RtpSender, SentCounts } from './RtpSender.ts';
import type { RtpSink, SinkSnapshot } from './RtpSink.ts';

export const RTP_DROP_SOCKET = 0;
export const RTCP_DROP_SOCKET = 1;

export interface StepSample {
	atMs: number;
	sent: SentCounts;
	sink: SinkSnapshot;
	/** Datagrams the kernel dropped (and counted) for the RTP drop socket. */
	countedRtp: number;
	/** The same for the RTCP drop socket, where every receiver's RTCP goes. */
	rtcp: number;
	/** Undefined when attached to a server we did not start: its processes are not ours to read. */
	workers: ProcessStats | undefined;
	node: ProcessStats | undefined;
	/** This process: CPU from process.cpuUsage (microsecond resolution). */
	harness: ProcessStats;
}

export interface SampleSources {
	sender: RtpSender;
	sink: RtpSink;
	drops: DropSockets;
	workerPids: () => number[];
	nodePid: number | undefined;
}

export function takeSample(sources: SampleSources): StepSample {
	const { user, system } = process.cpuUsage();
	const workerPids = sources.workerPids();
	return {
		atMs: performance.now(),
		sent: sources.sender.sent,
		sink: sources.sink.snapshot(),
		countedRtp: sources.drops.drops(RTP_DROP_SOCKET),
		rtcp: sources.drops.drops(RTCP_DROP_SOCKET),
		workers: workerPids.length > 0 ? readProcessGroupStats(workerPids) : undefined,
		node: sources.nodePid === undefined ? undefined : readProcessStats(sources.nodePid),
		harness: { cpuMs: (user + system) / 1000, rssBytes: process.memoryUsage.rss() },
	};
}
