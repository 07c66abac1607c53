// The bench report as one standalone HTML page (report.html): no scripts, no
// fetches, so it opens from disk or a CI artifact. Each plot a scenario asks
// for is drawn as an inline SVG line chart; every text from the run is
// escaped, since parameters can come from the command line.
import type { ScenarioReport } from '../ScenarioReport.ts';
import type { Comparison, MachineInfo } from './Comparison.ts';
import { escapeHtml } from './escapeHtml.ts';
import { lineChart } from './lineChart.ts';
import { formatNumber } from './textReport.ts';

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
	const plots = report.plots
		.map((plot) => {
			const svg = lineChart(plot, report.rows);
			const caption = `<figcaption>${escapeHtml(plot.title)}${svg ? '' : ': no data'}</figcaption>`;
			return `<figure>${caption}\n${svg ?? ''}</figure>`;
		})
		.join('\n');
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
