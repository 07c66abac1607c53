// The metrics of one running server, in a prom-client Registry of its own
// (not prom-client's global one: tests start several servers in one
// process), plus Node's process metrics shared by the process
// (processMetrics.ts). Every family starts with msconf_. Gauges are counted
// from the live objects at each scrape; counters come from events (joins,
// requests, worker deaths, ICE and DTLS) or from the workers' stats
// (traffic). Labels stay bounded: worker index, state, kind, type, method,
// outcome, reason; never a peer, producer or consumer id, and a room id only
// when the operator turns it on (roomMetrics.ts).
import { Counter, Gauge, Registry } from 'prom-client';
import { Closable } from '../../lifecycle/Closable.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import type { Readiness } from '../health/Readiness.ts';
import type { WorkerPool } from '../media/WorkerPool.ts';
import type { RoomRegistry } from '../room/RoomRegistry.ts';
import { JoinMetrics } from './joinMetrics.ts';
import { takeCensus } from './MediaCensus.ts';
import { MediaTracker } from './MediaTracker.ts';
import { registerMediaGauges } from './mediaGauges.ts';
import { oncePerTurn } from './oncePerTurn.ts';
import { processMetrics } from './processMetrics.ts';
import { RequestMetrics, type RequestObserver } from './requestMetrics.ts';
import { registerRoomMetrics } from './roomMetrics.ts';
import { TrafficSampler } from './TrafficSampler.ts';
import { consumerScoreHistogram, registerTrafficMetrics } from './trafficMetrics.ts';
import { WorkerMetrics } from './workerMetrics.ts';

export interface ServerMetricsParts {
	pool: WorkerPool;
	rooms: RoomRegistry;
	readiness: Readiness;
	config: ResolvedConfig;
}

export class ServerMetrics extends Closable {
	/** What /metrics serves: this server's families and the process's. */
	readonly registry: Registry;
	/** For the signaling, which reports every request it answers. */
	readonly requests: RequestObserver;
	readonly sampler: TrafficSampler;
	readonly #tracker: MediaTracker;
	readonly #joins: JoinMetrics;
	readonly #workers: WorkerMetrics;

	/** Before any room or router exists: the tracker must see every router from its creation. */
	constructor({ pool, rooms, readiness, config }: ServerMetricsParts) {
		super();
		const own = new Registry();
		const connections = {
			iceDisconnects: counter(
				own,
				'msconf_ice_disconnects_total',
				'WebRTC transports whose ICE went disconnected (consent lost for 20 s, or TCP gone)',
			),
			iceFailures: counter(
				own,
				'msconf_ice_failures_total',
				'WebRTC transports that closed without ICE ever connecting, although their client had connected them',
			),
			dtlsFailures: counter(own, 'msconf_dtls_failures_total', 'WebRTC transports whose DTLS handshake failed'),
		};
		this.#tracker = new MediaTracker(pool, {
			iceDisconnected: () => connections.iceDisconnects.inc(),
			iceFailed: () => connections.iceFailures.inc(),
			dtlsFailed: () => connections.dtlsFailures.inc(),
		});
		const scores = consumerScoreHistogram(own);
		this.sampler = new TrafficSampler(this.#tracker, config.metrics.statsIntervalMs, (score) => scores.observe(score));
		registerMediaGauges(
			own,
			oncePerTurn(() => takeCensus(rooms, this.#tracker)),
		);
		registerTrafficMetrics(own, this.sampler);
		if (config.metrics.roomLabel.enabled) registerRoomMetrics(own, rooms, config.metrics.roomLabel.maxRooms);
		this.#workers = new WorkerMetrics(own, pool, config.mediasoup.numWorkers);
		this.#joins = new JoinMetrics(own, rooms);
		this.requests = new RequestMetrics(own);
		new Gauge({
			name: 'msconf_ready',
			help: 'Whether the server is ready for new calls, as GET /readyz answers (1) or not (0)',
			registers: [own],
			collect() {
				this.set(readiness.state().ready ? 1 : 0);
			},
		});
		this.registry = Registry.merge([own, processMetrics()]);
	}

	protected closing(): void {
		this.sampler.close();
		this.#joins.close();
		this.#workers.close();
		this.#tracker.close();
	}
}

function counter(registry: Registry, name: string, help: string): Counter {
	return new Counter({ name, help, registers: [registry] });
}
