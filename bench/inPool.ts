// Runs a task for every item with at most `concurrency` in flight, in item
// order: a few REST or channel requests at once hide their round trips
// without flooding the server.
export async function inPool<T>(
	items: readonly T[],
	concurrency: number,
	task: (item: T) => Promise<void>,
): Promise<void> {
	let next = 0;
	const lane = async () => {
		while (next < items.length) await task(items[next++] as T);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
