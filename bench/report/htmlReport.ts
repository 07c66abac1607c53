// The bench report as one standalone HTML page (report.html): no scripts, no
// fetches, so it opens from disk or a CI artifact. Each plot a scenario asks
// for is drawn as an inline SVG line chart; every text from the run is
// escaped, since parameters can come from the command line.
import type { ScenarioReport } from '../ScenarioReport.ts';
import type { Comparison, MachineInfo } from './Comparison.ts';
import { formatNumber } from './textReport.ts';

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 16, bottom: 40 };
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

export function htmlReport(reports: ScenarioReport[], comparisons: Comparison[], machine: MachineInfo): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Bench report ${escapeHtml(machine.date)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2rem; color: #111; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.pass { color: #15803d; font-weight: bold; }
.miss { color: #b91c1c; font-weight: bold; }
figure { display: inline-block; margin: 0 1rem 1rem 0; }
svg text { font-size: 11px; }
</style>
</head>
<body>
<h1>Bench report</h1>
<p>${escapeHtml(machine.cpuModel)}, ${machine.cores} cores, ${machine.memoryGb} GB; ${escapeHtml(machine.kernel)};
Node ${escapeHtml(machine.node)}; mediasoup ${escapeHtml(machine.mediasoup)}; ${escapeHtml(machine.date)}</p>
${comparisons.length > 0 ? comparisonTable(comparisons) : ''}
${reports.map(scenarioHtml).join('\n')}
</body>
</html>
`;
}

function comparisonTable(comparisons: Comparison[]): string {
	const rows = comparisons.map((comparison) => {
		const verdict =
			comparison.pass === undefined
				? ''
				: `<span class="${comparison.pass ? 'pass' : 'miss'}">${comparison.pass ? 'PASS' : 'MISS'}</span>`;
		return `<tr><td>${escapeHtml(comparison.title)}<br><small>${escapeHtml(comparison.metric)}</small></td><td>${formatNumber(comparison.value)}</td><td>${
			comparison.target === undefined ? '' : `&ge; ${formatNumber(comparison.target)}`
		}</td><td>${verdict}</td><td>${comparison.rounds.map(formatNumber).join(', ')}</td><td>${escapeHtml(comparison.note ?? '')}</td></tr>`;
	});
	return `<h2>Comparisons</h2>
<p>Medians of per-round values; the compared runs alternate within each round on the same machine.</p>
<table><tr><th>comparison</th><th>value</th><th>target</th><th></th><th>rounds</th><th>note</th></tr>
${rows.join('\n')}
</table>`;
}

function scenarioHtml(report: ScenarioReport): string {
	const parameters = Object.entries(report.parameters)
		.map(([key, value]) => `<tr><td>${escapeHtml(key)}</td><td>${escapeHtml(String(value))}</td></tr>`)
		.join('');
	const summary = Object.entries(report.summary)
		.map(
			([key, value]) =>
				`<tr><td>${escapeHtml(key)}</td><td>${typeof value === 'number' ? formatNumber(value) : escapeHtml(String(value))}</td></tr>`,
		)
		.join('');
	const plots = report.plots.map((plot) => lineChart(plot.title, plot.x, plot.y, report.rows)).join('\n');
	return `<section>
<h2>${escapeHtml(report.title)} <small>(${escapeHtml(report.scenario)})</small></h2>
<table><tr><th colspan="2">parameters</th></tr>${parameters}</table>
<table><tr><th colspan="2">summary</th></tr>${summary}</table>
${plots}
${rowsTable(report.rows)}
</section>`;
}

function rowsTable(rows: Record<string, number>[]): string {
	if (rows.length === 0) return '<p>(no rows)</p>';
	const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
	const header = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
	const body = rows
		.map(
			(row) =>
				`<tr>${columns.map((column) => `<td>${row[column] === undefined ? '' : formatNumber(row[column])}</td>`).join('')}</tr>`,
		)
		.join('\n');
	return `<details><summary>${rows.length} rows</summary><table><tr>${header}</tr>\n${body}</table></details>`;
}

interface Series {
	name: string;
	points: [number, number][];
}

/** One SVG line per y column, points sorted by x (ramps revisit counts when they bisect). */
export function lineChart(title: string, x: string, ys: string[], rows: Record<string, number>[]): string {
	const series: Series[] = ys
		.map((y) => ({
			name: y,
			points: rows
				.filter((row) => Number.isFinite(row[x]) && Number.isFinite(row[y]))
				.map((row): [number, number] => [row[x] as number, row[y] as number])
				.sort((a, b) => a[0] - b[0]),
		}))
		.filter((line) => line.points.length > 0);
	if (series.length === 0) return `<figure><figcaption>${escapeHtml(title)}: no data</figcaption></figure>`;
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
	return `<figure><figcaption>${escapeHtml(title)}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">
${axes.join('')}${lines.join('')}${legend}
</svg></figure>`;
}

function range(values: number[]): { min: number; max: number; span: number } {
	const min = Math.min(...values);
	const max = Math.max(...values);
	return { min, max, span: max > min ? max - min : 1 };
}

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
