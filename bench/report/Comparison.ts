// What a bench report puts next to the scenarios: comparisons (one headline
// number, the median over rounds, against its target) and the machine it was
// measured on, so numbers from different hosts are never compared blind.
import { cpus, release, totalmem, type } from 'node:os';
import { version } from 'mediasoup';

export interface Comparison {
	title: string;
	/** e.g. 'server / raw capacity, 1 worker' */
	metric: string;
	value: number;
	target?: number;
	pass?: boolean;
	/** per-round values, what the median was taken of */
	rounds: number[];
	note?: string;
}

export interface MachineInfo {
	cpuModel: string;
	cores: number;
	memoryGb: number;
	kernel: string;
	node: string;
	mediasoup: string;
	date: string;
}

const GB = 1024 ** 3;

/** The host this process runs on, and when. */
export function machineInfo(): MachineInfo {
	const processors = cpus();
	return {
		cpuModel: processors[0]?.model.trim() ?? 'unknown',
		cores: processors.length,
		memoryGb: Math.round((totalmem() / GB) * 10) / 10,
		kernel: `${type()} ${release()}`,
		node: process.version,
		mediasoup: version,
		date: new Date().toISOString(),
	};
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	const upper = sorted[middle];
	if (upper === undefined) return Number.NaN;
	if (sorted.length % 2 === 1) return upper;
	return ((sorted[middle - 1] ?? upper) + upper) / 2;
}
