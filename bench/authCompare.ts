// `npm run bench -- auth`: the join scenario in open mode and in token mode
// (every peer connects with its own token, which the server verifies at the
// WebSocket handshake), alternated round by round in one bench process like
// `compare`, so the ratio is of runs made side by side. Reports the median
// per-round ratio token/open of the join percentiles (p50, p95, p99, max)
// and of the handshake (connectMs), where the token check happens; and what
// one verification costs, measured on its own.
import { randomBytes } from 'node:crypto';
import { type ApiKey, mintToken, TokenVerifier } from '../server/auth/tokens.ts';
import type { BenchOptions } from './BenchOptions.ts';
import type { ComparisonRun } from './interleaved.ts';
import { type Comparison, median } from './report/Comparison.ts';
import type { ScenarioReport } from './ScenarioReport.ts';
import { withServerProcess } from './ServerUnderTest.ts';
import { runJoin } from './scenarios/join.ts';
import { workerBinaryEnv } from './workerBinary.ts';

type Mode = 'open' | 'token';

/** The join numbers compared, from the join report's summary. */
const METRICS = ['p50AllMs', 'p95AllMs', 'p99AllMs', 'maxAllMs', 'connectP50Ms', 'connectP99Ms'] as const;

export async function runAuthCompare(bench: BenchOptions, progress: (line: string) => void): Promise<ComparisonRun> {
	const apiKey: ApiKey = { key: 'bench', secret: randomBytes(32).toString('base64url') };
	const reports: ScenarioReport[] = [];
	const ratios = new Map<string, number[]>(METRICS.map((metric) => [metric, []]));
	for (let round = 1; round <= bench.rounds; round++) {
		// Alternating which goes first cancels a drift over the run.
		const order: Mode[] = round % 2 === 1 ? ['open', 'token'] : ['token', 'open'];
		const byMode: Partial<Record<Mode, ScenarioReport>> = {};
		for (const mode of order) {
			progress(`auth round ${round}/${bench.rounds}: join in ${mode} mode`);
			const env = {
				...workerBinaryEnv(bench.fanout.workerBin),
				...bench.serverEnv,
				...(mode === 'token' ? { AUTH_KEYS: `${apiKey.key}:${apiKey.secret}` } : {}),
			};
			const report = await withServerProcess({ workers: bench.joinWorkers, env }, (server) =>
				runJoin({ peers: bench.joinPeers, apiKey: mode === 'token' ? apiKey : undefined }, { server, progress }),
			);
			report.title = `${report.title} (${mode} mode, round ${round})`;
			byMode[mode] = report;
			reports.push(report);
		}
		for (const metric of METRICS) {
			const open = Number(byMode.open?.summary[metric]);
			const token = Number(byMode.token?.summary[metric]);
			if (open > 0 && Number.isFinite(token)) ratios.get(metric)?.push(token / open);
		}
		progress(`auth round ${round}: token/open join p50 ${last(ratios.get('p50AllMs'))}`);
	}
	const comparisons: Comparison[] = METRICS.map((metric) => {
		const rounds = (ratios.get(metric) ?? []).map((value) => Math.round(value * 100) / 100);
		return {
			title: `Join with tokens vs without, ${bench.joinPeers} peers: ${metric}`,
			metric: `token / open: ${metric}`,
			value: median(rounds),
			rounds,
		};
	});
	reports.push(await verificationCost(apiKey));
	return { reports, comparisons };
}

/** How many tokens verifyCost() checks: enough for a stable p99. */
const VERIFICATIONS = 5000;

/**
 * What the server spends on a token, measured directly: a join's own numbers
 * vary by more than a verification costs. Each of VERIFICATIONS distinct
 * tokens (as distinct peers would send) is verified by the server's
 * TokenVerifier, one at a time.
 */
async function verificationCost(apiKey: ApiKey): Promise<ScenarioReport> {
	const verifier = new TokenVerifier([apiKey]);
	const tokens = await Promise.all(
		Array.from({ length: VERIFICATIONS }, (_, index) =>
			mintToken({ apiKey, identity: `peer-${index}`, grants: { room: 'bench' } }),
		),
	);
	const micros: number[] = [];
	for (const token of tokens) {
		const start = performance.now();
		await verifier.verify(token);
		micros.push((performance.now() - start) * 1000);
	}
	micros.sort((a, b) => a - b);
	const at = (share: number) => Math.round(micros[Math.min(micros.length - 1, Math.floor(share * micros.length))] ?? 0);
	return {
		scenario: 'auth',
		title: `Token verification in the server's TokenVerifier, ${VERIFICATIONS} tokens`,
		parameters: { tokens: VERIFICATIONS, algorithm: 'HS256', measured: 'TokenVerifier.verify(), one after the other' },
		rows: [],
		summary: { p50Us: at(0.5), p99Us: at(0.99), maxUs: Math.round(micros.at(-1) ?? 0) },
		plots: [],
	};
}

function last(values: number[] | undefined): string {
	const value = values?.at(-1);
	return value === undefined ? 'n/a' : value.toFixed(2);
}
