// One chart of one column across the alternated runs of a bench report, one
// line per variant (worker binary, receivers' SRTP suite), for RESULTS.md:
//
//   node bench/plotVariants.ts REPORT.json COLUMN ROUND OUT.svg [TITLE]
//
// e.g. `... bench/results/srtp-fanout/report.json workerUsPerPacket 1 out.svg`
// draws the worker's CPU per forwarded packet against the receiver count of
// every variant measured in round 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { lineChart } from './report/lineChart.ts';
import type { ScenarioReport } from './ScenarioReport.ts';

const [reportFile, column, roundText, outFile, title] = process.argv.slice(2);
if (!reportFile || !column || !roundText || !outFile) {
	console.error('usage: node bench/plotVariants.ts REPORT.json COLUMN ROUND OUT.svg [TITLE]');
	process.exit(2);
}
const { reports } = JSON.parse(readFileSync(reportFile, 'utf8')) as { reports: ScenarioReport[] };
const round = Number(roundText);
const variants = reports.filter((report) => report.parameters.round === round);
if (variants.length === 0) {
	console.error(`no report of round ${round} in ${reportFile}`);
	process.exit(1);
}
// One column per variant, named after what differs: the binary and the receivers.
const SHORT: Record<string, string> = {
	'SRTP (AEAD_AES_256_GCM)': 'GCM',
	'SRTP (AES_CM_128_HMAC_SHA1_80)': 'AES_CM',
	'plain RTP': 'plain',
};
const label = (report: ScenarioReport) => {
	const receivers = String(report.parameters.receivers);
	return `${report.parameters.workerBin} ${SHORT[receivers] ?? receivers}`;
};
const x = variants[0]?.plots[0]?.x ?? 'receivers';
const byX = new Map<number, Record<string, number>>();
for (const report of variants) {
	for (const row of report.rows) {
		const at = row[x];
		const value = row[column];
		if (at === undefined || value === undefined) continue;
		const merged = byX.get(at) ?? { [x]: at };
		merged[label(report)] = value;
		byX.set(at, merged);
	}
}
const svg = lineChart({ title: title ?? `${column}, round ${round}`, x, y: variants.map(label) }, [...byX.values()]);
if (!svg) {
	console.error(`no ${column} in the reports of round ${round}`);
	process.exit(1);
}
writeFileSync(outFile, svg);
console.error(`wrote ${outFile}: ${variants.map(label).join(', ')}`);
