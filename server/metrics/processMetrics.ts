// Node's own process metrics (CPU, memory, heap, event-loop lag, GC pauses,
// handles), from prom-client's collectDefaultMetrics, as msconf_process_* and
// msconf_nodejs_*. They describe the process, not one server in it, and
// collectDefaultMetrics starts a GC observer and an event-loop histogram that
// cannot be stopped: so they are collected once per process, into a registry
// every server's registry includes (tests start many servers in one process).
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRIC_PREFIX = 'msconf_';

/**
 * prom-client's gauges named like counters (`promtool check metrics` refuses
 * them): each is the sum over the `type` label of the gauge of the same name
 * without `_total`, which stays.
 */
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

let shared: Registry | undefined;

export function processMetrics(): Registry {
	if (!shared) {
		shared = new Registry();
		collectDefaultMetrics({ register: shared, prefix: METRIC_PREFIX });
		for (const name of MISNAMED) shared.removeSingleMetric(`${METRIC_PREFIX}${name}`);
	}
	return shared;
}
