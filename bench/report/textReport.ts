// The bench report as plain text, for the terminal and report.txt: the
// machine, the comparisons against their targets first (what a reader came
// for), then each scenario's parameters, summary and rows as aligned tables.
import type { ScenarioReport } from '../ScenarioReport.ts';
import type { Comparison, MachineInfo } from './Comparison.ts';

export function textReport(reports: ScenarioReport[], comparisons: Comparison[], machine: MachineInfo): string {
	const sections = [machineSection(machine)];
	if (comparisons.length > 0) sections.push(comparisonSection(comparisons));
	for (const report of reports) sections.push(scenarioSection(report));
	return `${sections.join('\n\n')}\n`;
}

function machineSection(machine: MachineInfo): string {
	return [
		'Machine',
		`  ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB`,
		`  ${machine.kernel}; Node ${machine.node}; mediasoup ${machine.mediasoup}`,
		`  measured ${machine.date}`,
	].join('\n');
}

function comparisonSection(comparisons: Comparison[]): string {
	const rows = comparisons.map((comparison) => [
		comparison.title,
		formatNumber(comparison.value),
		comparison.target === undefined ? '' : `>= ${formatNumber(comparison.target)}`,
		verdict(comparison.pass),
		comparison.rounds.map(formatNumber).join(' '),
	]);
	const lines = [
		'Comparisons (median of rounds measured side by side)',
		...table(['', 'value', 'target', '', 'rounds'], rows),
	];
	for (const comparison of comparisons) {
		if (comparison.note) lines.push(`  ${comparison.title}: ${comparison.note}`);
	}
	return lines.join('\n');
}

function verdict(pass: boolean | undefined): string {
	if (pass === undefined) return '';
	return pass ? 'PASS' : 'MISS';
}

function scenarioSection(report: ScenarioReport): string {
	const parameters = Object.entries(report.parameters)
		.map(([key, value]) => `${key}=${formatScalar(value)}`)
		.join(' ');
	const summary = Object.entries(report.summary).map(([key, value]) => `  ${key}: ${formatScalar(value)}`);
	const columns = [...new Set(report.rows.flatMap((row) => Object.keys(row)))];
	const rows = report.rows.map((row) =>
		columns.map((column) => (row[column] === undefined ? '' : formatNumber(row[column]))),
	);
	return [
		`${report.title} [${report.scenario}]`,
		`  ${parameters}`,
		'  summary',
		...summary.map((line) => `  ${line}`),
		...(rows.length > 0 ? table(columns, rows) : ['  (no rows)']),
	].join('\n');
}

/** Columns padded to their widest cell; numbers read best right-aligned. */
function table(header: string[], rows: string[][]): string[] {
	const widths = header.map((title, column) =>
		Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
	);
	const line = (cells: string[]) =>
		`  ${cells
			.map((cell, column) => cell.padStart(widths[column] ?? 0))
			.join('  ')
			.trimEnd()}`;
	return [line(header), ...rows.map(line)];
}

function formatScalar(value: number | string | boolean): string {
	return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** Integers as they are, others to 3 significant digits (enough for noisy measurements). */
export function formatNumber(value: number | undefined): string {
	if (value === undefined || Number.isNaN(value)) return 'n/a';
	if (Number.isInteger(value)) return String(value);
	return String(Number(value.toPrecision(3)));
}
