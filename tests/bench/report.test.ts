// The bench report renderers: what a reader of report.txt and report.html
// sees: the comparisons with their verdicts, every scenario's summary and
// rows, a chart per plot with the points in x order, and nothing from the
// run injected as markup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Comparison, MachineInfo } from '../../bench/report/Comparison.ts';
import { machineInfo, median } from '../../bench/report/Comparison.ts';
import { escapeHtml } from '../../bench/report/escapeHtml.ts';
import { htmlReport } from '../../bench/report/htmlReport.ts';
import { lineChart, plotFiles } from '../../bench/report/lineChart.ts';
import { formatNumber, textReport } from '../../bench/report/textReport.ts';
import type { ScenarioReport } from '../../bench/ScenarioReport.ts';

const machine: MachineInfo = {
	cpuModel: 'Test CPU <model>',
	cores: 2,
	memoryGb: 24,
	kernel: 'Linux 6.1',
	node: 'v24.0.0',
	mediasoup: '3.27.0',
	date: '2026-12-03T00:00:00.000Z',
};

const comparisons: Comparison[] = [
	{
		title: 'server / raw, 1 worker',
		metric: 'capacity ratio',
		value: 0.97,
		target: 0.95,
		pass: true,
		rounds: [0.96, 0.97, 1.01],
	},
	{
		title: 'spread share',
		metric: 'share of raw',
		value: 0.8,
		target: 0.9,
		pass: false,
		rounds: [0.8],
		note: 'noisy host',
	},
];

const report: ScenarioReport = {
	scenario: 'fanout',
	title: 'Fanout <script>alert(1)</script>',
	parameters: { workers: 1, spread: 'never' },
	rows: [
		{ receivers: 200, lossPercent: 0.5 },
		{ receivers: 100, lossPercent: 0.25 },
		{ receivers: 150, lossPercent: 1.333333 },
	],
	summary: { capacity: 150, bracketed: true },
	plots: [{ title: 'Loss (%)', x: 'receivers', y: ['lossPercent', 'notAColumn'] }],
};

describe('bench report', () => {
	test('median of odd and even counts, NaN for none', () => {
		assert.equal(median([3, 1, 2]), 2);
		assert.equal(median([4, 1, 3, 2]), 2.5);
		assert.ok(Number.isNaN(median([])));
	});

	test('machineInfo describes this host', () => {
		const info = machineInfo();
		assert.ok(info.cores >= 1);
		assert.match(info.mediasoup, /^3\.\d+\.\d+/);
		assert.equal(info.node, process.version);
	});

	test('numbers: integers as they are, the rest to 3 significant digits', () => {
		assert.equal(formatNumber(1200), '1200');
		assert.equal(formatNumber(1.333333), '1.33');
		assert.equal(formatNumber(0.0012345), '0.00123');
		assert.equal(formatNumber(Number.NaN), 'n/a');
	});

	test('text: machine, comparisons with verdicts and notes, then every scenario', () => {
		const text = textReport([report], comparisons, machine);
		assert.match(text, /Test CPU <model>, 2 cores, 24 GB/);
		assert.match(text, /server \/ raw, 1 worker\s+0\.97\s+>= 0\.95\s+PASS\s+0\.96 0\.97 1\.01/);
		assert.match(text, /spread share\s+0\.8\s+>= 0\.9\s+MISS/);
		assert.match(text, /spread share: noisy host/);
		assert.match(text, /workers=1 spread=never/);
		assert.match(text, /capacity: 150/);
		assert.match(text, /receivers\s+lossPercent\n\s+200\s+0\.5\n\s+100\s+0\.25\n\s+150\s+1\.33/);
		assert.ok(text.indexOf('Comparisons') < text.indexOf('Fanout'), 'comparisons come first');
	});

	test('html: escaped text, verdicts, one chart per plot with points in x order', () => {
		const html = htmlReport([report], comparisons, machine);
		assert.ok(!html.includes('<script>'), 'text from the run is escaped');
		assert.ok(html.includes('Fanout &#60;script&#62;'));
		assert.ok(html.includes('Test CPU &#60;model&#62;'));
		assert.match(html, /class="pass">PASS/);
		assert.match(html, /class="miss">MISS/);
		assert.equal(html.match(/<svg /g)?.length, 1);
		const points = html.match(/points="([^"]+)"/)?.[1]?.split(' ') ?? [];
		assert.equal(points.length, 3, 'only the column that exists is drawn');
		const xs = points.map((point) => Number(point.split(',')[0]));
		assert.deepEqual(
			xs,
			[...xs].sort((a, b) => a - b),
			'x ascending',
		);
		assert.match(html, /<details><summary>3 rows<\/summary>/);
	});

	test('each plot is also a standalone SVG file named after its scenario and title', () => {
		const files = plotFiles([report]);
		assert.equal(files.length, 1);
		const [file] = files;
		assert.ok(file);
		assert.match(file.name, /^fanout-[a-z0-9-]+\.svg$/);
		assert.match(file.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
		assert.match(file.svg, /<rect width="100%" height="100%" fill="#fff"\/>/);
		assert.ok(!file.svg.includes('<script>'));
		// Several reports of one scenario (rounds, alternated runs) each keep their own files.
		const names = plotFiles([report, report]).map((plot) => plot.name);
		assert.deepEqual(names, [`1-${file.name}`, `2-${file.name}`]);
	});

	test('a plot without data says so instead of drawing an empty chart', () => {
		assert.equal(lineChart({ title: 'Empty', x: 'x', y: ['y'] }, [{ x: 1 }]), undefined);
		const html = htmlReport([{ ...report, plots: [{ title: 'Empty', x: 'x', y: ['nope'] }] }], [], machine);
		assert.match(html, /Empty: no data/);
		assert.ok(!html.includes('<svg '));
		assert.equal(escapeHtml(`a&b"'`), 'a&#38;b&#34;&#39;');
	});
});
