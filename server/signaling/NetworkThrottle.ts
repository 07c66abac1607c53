// Network throttling for testing clients on a bad network: Linux tc/netem on
// the loopback interface (Debian's iproute2), as root. Guarded by the
// configured throttle secret. Without tc, a clear 500, not a crash.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHttpError, isHttpError } from '../errors.ts';

const run = promisify(execFile);

export interface ThrottleSettings {
	uplink?: number | undefined; // kbit/s
	downlink?: number | undefined; // kbit/s
	rtt?: number | undefined; // ms
	packetLoss?: number | undefined; // percent
}

const DEVICE = 'lo';

export function checkThrottleSecret(configured: string | undefined, given: string): void {
	if (!configured) throw createHttpError(403, 'network throttle is disabled (no throttleSecret configured)');
	if (given !== configured) throw createHttpError(403, 'wrong throttle secret');
}

export async function applyThrottle(settings: ThrottleSettings): Promise<void> {
	const args = ['qdisc', 'replace', 'dev', DEVICE, 'root', 'netem'];
	if (settings.rtt) args.push('delay', `${Math.round(settings.rtt / 2)}ms`);
	if (settings.packetLoss) args.push('loss', `${settings.packetLoss}%`);
	// netem has one rate per device; loopback carries both directions.
	const rate = Math.min(settings.uplink ?? Number.POSITIVE_INFINITY, settings.downlink ?? Number.POSITIVE_INFINITY);
	if (Number.isFinite(rate) && rate > 0) args.push('rate', `${Math.round(rate)}kbit`);
	await tc(args);
}

export async function resetThrottle(): Promise<void> {
	try {
		await tc(['qdisc', 'del', 'dev', DEVICE, 'root']);
	} catch (error) {
		// Nothing applied: nothing to reset.
		if (isHttpError(error) && /No such file|Cannot delete qdisc/i.test(error.message)) return;
		throw error;
	}
}

async function tc(args: string[]): Promise<void> {
	try {
		await run('tc', args);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') {
			throw createHttpError(500, 'network throttle needs Linux tc (Debian package iproute2), which is not installed');
		}
		const stderr = (error as { stderr?: string }).stderr?.trim();
		throw createHttpError(500, `tc ${args.join(' ')} failed: ${stderr || String(error)}`);
	}
}
