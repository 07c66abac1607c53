// The protoo requests of peers, by method and outcome, and how long the
// handled ones took: counted where the signaling answers them
// (signaling/ProtooSignaling.ts), including those refused before a handler
// ran (rate limit, bad data). Labels stay bounded: a method the protocol does
// not define counts as "unknown", and an outcome is "ok", a 4xx status, or
// "5xx".
import { Counter, Histogram, type Registry } from 'prom-client';
import { isMethodOf } from '../../protocol/methodMap.ts';
import { clientRequests } from '../../protocol/signaling.ts';

/** What the signaling reports of each request it answered. */
export interface RequestObserver {
	/**
	 * `status`: undefined when it was answered with success, else the error
	 * status it was refused with; `seconds`: how long its handler took
	 * (undefined: refused before one ran).
	 */
	answered(method: unknown, status: number | undefined, seconds: number | undefined): void;
}

export class RequestMetrics implements RequestObserver {
	readonly #requests: Counter<'method' | 'outcome'>;
	readonly #duration: Histogram<'method'>;
	readonly #iceRestarts: Counter;

	constructor(registry: Registry) {
		const registers = [registry];
		this.#requests = new Counter({
			name: 'msconf_signaling_requests_total',
			help: 'protoo requests of peers, by method and outcome: ok, the 4xx status they were refused with, or 5xx',
			labelNames: ['method', 'outcome'],
			registers,
		});
		this.#duration = new Histogram({
			name: 'msconf_signaling_request_duration_seconds',
			help: 'How long the server took to answer a protoo request that passed validation, by method',
			labelNames: ['method'],
			buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
			registers,
		});
		this.#iceRestarts = new Counter({
			name: 'msconf_ice_restarts_total',
			help: 'ICE restarts the server made for its clients (restartIce requests answered with success)',
			registers,
		});
	}

	answered(method: unknown, status: number | undefined, seconds: number | undefined): void {
		const name = isMethodOf(clientRequests, method) ? method : 'unknown';
		this.#requests.inc({ method: name, outcome: outcome(status) });
		if (seconds !== undefined) this.#duration.observe({ method: name }, seconds);
		if (name === 'restartIce' && status === undefined) this.#iceRestarts.inc();
	}
}

function outcome(status: number | undefined): string {
	if (status === undefined) return 'ok';
	return status >= 400 && status < 500 ? String(status) : '5xx';
}
