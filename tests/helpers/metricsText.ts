// Reading the Prometheus text format a test scraped: every sample with its
// name, labels and value, and sums over the samples that match some labels,
// as a PromQL `sum(name{labels})` would.

export interface MetricSample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

export function parseMetrics(text: string): MetricSample[] {
	const samples: MetricSample[] = [];
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#')) continue;
		const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!match) throw new Error(`not a sample line: ${line}`);
		const labels: Record<string, string> = {};
		for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
			labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, '$1');
		}
		samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
	}
	return samples;
}

/** The sum of the samples of `name` whose labels include `labels`; undefined when none matches. */
export function sumOf(
	samples: readonly MetricSample[],
	name: string,
	labels: Record<string, string> = {},
): number | undefined {
	const matching = samples.filter(
		(sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
	);
	return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
}
