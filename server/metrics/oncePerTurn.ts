// A value computed at most once per turn of the event loop. prom-client
// calls the collect() of every metric of a registry in the same turn when it
// is scraped (Registry.metrics() starts them all before awaiting any), so
// families that read the same thing (one walk over the rooms, one
// getResourceUsage() per worker) share one reading per scrape, and the next
// scrape reads afresh.
export function oncePerTurn<T>(take: () => T): () => T {
	let current: { value: T } | undefined;
	return () => {
		if (current === undefined) {
			current = { value: take() };
			queueMicrotask(() => {
				current = undefined;
			});
		}
		return current.value;
	};
}
