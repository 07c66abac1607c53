// A line chart as a standalone SVG document: the HTML report inlines it, and
// the bench also writes each one to its own file (bench/RESULTS.md shows them).
import type { ScenarioReport } from '../ScenarioReport.ts';
import { escapeHtml } from './escapeHtml.ts';
import { formatNumber } from './textReport.ts';

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 16, bottom: 40 };
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

interface Series {
	name: string;
	points: [number, number][];
}

/**
 * One line per y column, points sorted by x (ramps revisit counts when they
 * bisect), as a standalone SVG document; undefined when no row has the data.
 */
export function lineChart(
	{ title, x, y: ys }: ScenarioReport['plots'][number],
	rows: Record<string, number>[],
): string | undefined {
	const series: Series[] = ys
		.map((y) => ({
			name: y,
			points: rows
				.filter((row) => Number.isFinite(row[x]) && Number.isFinite(row[y]))
				.map((row): [number, number] => [row[x] as number, row[y] as number])
				.sort((a, b) => a[0] - b[0]),
		}))
		.filter((line) => line.points.length > 0);
	if (series.length === 0) return undefined;
	const all = series.flatMap((line) => line.points);
	const xRange = range(all.map((point) => point[0]));
	const yRange = range([0, ...all.map((point) => point[1])]);
	const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
	const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
	const sx = (value: number) => MARGIN.left + ((value - xRange.min) / xRange.span) * plotWidth;
	const sy = (value: number) => MARGIN.top + plotHeight - ((value - yRange.min) / yRange.span) * plotHeight;
	const lines = series.map((line, index) => {
		const colour = COLOURS[index % COLOURS.length];
		const path = line.points.map(([px, py]) => `${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join(' ');
		const dots = line.points
			.map(([px, py]) => `<circle cx="${sx(px).toFixed(1)}" cy="${sy(py).toFixed(1)}" r="2.5" fill="${colour}"/>`)
			.join('');
		return `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${path}"/>${dots}`;
	});
	const legend = series
		.map(
			(line, index) =>
				`<text x="${MARGIN.left + 8 + index * 150}" y="${MARGIN.top + 10}" fill="${COLOURS[index % COLOURS.length]}">${escapeHtml(line.name)}</text>`,
		)
		.join('');
	const axes = [
		`<line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${MARGIN.left + plotWidth}" y2="${MARGIN.top + plotHeight}" stroke="#444"/>`,
		`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotHeight}" stroke="#444"/>`,
		`<text x="${MARGIN.left}" y="${HEIGHT - 20}">${formatNumber(xRange.min)}</text>`,
		`<text x="${MARGIN.left + plotWidth}" y="${HEIGHT - 20}" text-anchor="end">${formatNumber(xRange.max)}</text>`,
		`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(x)}</text>`,
		`<text x="${MARGIN.left - 6}" y="${MARGIN.top + plotHeight}" text-anchor="end">${formatNumber(yRange.min)}</text>`,
		`<text x="${MARGIN.left - 6}" y="${MARGIN.top + 10}" text-anchor="end">${formatNumber(yRange.max)}</text>`,
	];
	// A white background and its own font: the file is also shown on its own (bench/plots/).
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>${axes.join('')}${lines.join('')}${legend}
</svg>`;
}

function range(values: number[]): { min: number; max: number; span: number } {
	const min = Math.min(...values);
	const max = Math.max(...values);
	return { min, max, span: max > min ? max - min : 1 };
}

/**
 * Every plot of every report as a file name and its SVG; plots without data
 * are left out. The name is `<scenario>-<title>.svg`, numbered by report
 * (`03-fanout-loss.svg`) when the run made several, which alternated runs and
 * rounds do.
 */
export function plotFiles(reports: ScenarioReport[]): { name: string; svg: string }[] {
	const width = String(reports.length).length;
	return reports.flatMap((report, index) =>
		report.plots.flatMap((plot) => {
			const prefix = reports.length > 1 ? `${String(index + 1).padStart(width, '0')}-` : '';
			const svg = lineChart(plot, report.rows);
			const slug = plot.title
				.toLowerCase()
				.replace(/[^a-z0-9]+/g, '-')
				.replace(/^-|-$/g, '');
			return svg ? [{ name: `${prefix}${report.scenario}-${slug}.svg`, svg }] : [];
		}),
	);
}
