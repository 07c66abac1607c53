// `node bench/hlsLatency.ts [--seconds 30] [--rounds 2]`: how late a room's
// live HLS stream shows what a member sent: the time from a frame leaving
// its sender to the same frame on the screen of an hls.js player.
//
// A server process as `npm start` runs it (bench/ServerUnderTest.ts, the
// default 1280x720 at 25 fps, 2 s segments); an ffmpeg broadcaster in a room
// sends VP8 frames that carry the wall clock at which ffmpeg made them, in 20
// white-or-black boxes (the time in units of 10 ms, modulo 2^20, one bit a
// box: setpts puts the clock into the frame's timestamp, a drawbox per bit
// reads it back in its `enable` expression); the room's HLS stream is
// started over REST, and Chromium pages with hls.js play it. For every frame
// the page presents (requestVideoFrameCallback), it reads the boxes back
// from the picture through a canvas and subtracts the time they say from the
// time the frame is shown. Sender, server and player share the machine's
// clock: nothing to synchronise. A frame whose boxes do not read as a
// plausible time (0 to 60 s ago) is counted and left out.
//
// Two player settings alternate, one page at a time, in every round:
// hls.js's defaults (it starts 3 segment durations behind the live edge,
// liveSyncDurationCount 3) and liveSyncDurationCount 1. Results go to
// stdout and to bench/results/hls-latency.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { browserBundle } from '../tests/helpers/webrtcHttp.ts';
import { RestClient } from './RestClient.ts';
import { startServerProcess } from './ServerUnderTest.ts';

const rootDir = path.resolve(import.meta.dirname, '..');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BITS = 20;
const COLUMNS = 5;
const ROWS = 4;
const WIDTH = 640;
const HEIGHT = 360;
const FPS = 25;

const PLAYERS = [
	{ name: 'hls.js defaults (liveSyncDurationCount 3)', config: {} },
	{ name: 'liveSyncDurationCount 1', config: { liveSyncDurationCount: 1 } },
	{
		name: 'liveSyncDurationCount 1, maxLiveSyncPlaybackRate 1.5',
		config: { liveSyncDurationCount: 1, maxLiveSyncPlaybackRate: 1.5 },
	},
] as const;

/** The ffmpeg filters that draw the wall clock (10 ms units, modulo 2^BITS) into each frame as boxes. */
function clockFilters(): string {
	const boxWidth = WIDTH / COLUMNS;
	const boxHeight = HEIGHT / ROWS;
	const boxes = Array.from({ length: BITS }, (_, bit) => {
		const x = (bit % COLUMNS) * boxWidth;
		const y = Math.floor(bit / COLUMNS) * boxHeight;
		return `drawbox=x=${x}:y=${y}:w=${boxWidth}:h=${boxHeight}:color=white:t=fill:enable='eq(mod(floor(t*100/${2 ** bit}),2),1)'`;
	});
	// The clock goes into the timestamps only while the boxes are drawn; then the frames count again from 0.
	return ['settb=1/1000', 'setpts=RTCTIME/(TB*1000000)', ...boxes, `setpts=N/(${FPS}*TB)`].join(',');
}

/** In the page: reads the boxes of every presented frame, keeps the latency of each. */
const PLAYER_SCRIPT = `
window.startPlayer = (src, config, bits, columns, rows) => {
	const video = document.querySelector('video');
	const state = { latencies: [], edges: [], unreadable: 0, fatal: [] };
	const hls = new Hls(config);
	hls.on(Hls.Events.ERROR, (_event, data) => { if (data.fatal) state.fatal.push(data.type + ' ' + data.details); });
	hls.on(Hls.Events.MANIFEST_PARSED, () => video.play());
	hls.loadSource(src);
	hls.attachMedia(video);
	const canvas = document.createElement('canvas');
	const context = canvas.getContext('2d', { willReadFrequently: true });
	const modulo = 2 ** bits;
	const onFrame = (_now, metadata) => {
		const shownAt = performance.timeOrigin + metadata.expectedDisplayTime;
		canvas.width = video.videoWidth;
		canvas.height = video.videoHeight;
		context.drawImage(video, 0, 0);
		let value = 0;
		for (let bit = 0; bit < bits; bit++) {
			const x = Math.round(((bit % columns) + 0.5) / columns * canvas.width);
			const y = Math.round((Math.floor(bit / columns) + 0.5) / rows * canvas.height);
			const data = context.getImageData(x - 2, y - 2, 4, 4).data;
			let sum = 0;
			for (let i = 0; i < data.length; i += 4) sum += Math.max(data[i], data[i + 1], data[i + 2]);
			if (sum / (data.length / 4) > 128) value += 2 ** bit;
		}
		const now = Math.floor(shownAt / 10) % modulo;
		const latencyMs = (((now - value) % modulo) + modulo) % modulo * 10;
		if (latencyMs > 0 && latencyMs < 60000) {
			state.latencies.push(latencyMs);
			// How far behind the live edge of the playlist hls.js plays (its own estimate).
			if (Number.isFinite(hls.latency)) state.edges.push(Math.round(hls.latency * 1000));
		} else state.unreadable++;
		video.requestVideoFrameCallback(onFrame);
	};
	video.requestVideoFrameCallback(onFrame);
	window.player = { hls, video, state };
};
`;

interface RoundResult {
	player: string;
	round: number;
	frames: number;
	unreadable: number;
	fatal: string[];
	p50: number;
	p90: number;
	p99: number;
	max: number;
	min: number;
	/** Median of hls.js's own estimate of how far behind the playlist's live edge it plays. */
	edgeP50: number;
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: { seconds: { type: 'string', default: '30' }, rounds: { type: 'string', default: '2' } },
	});
	const seconds = Number(values.seconds);
	const rounds = Number(values.rounds);
	const say = (line: string) => process.stderr.write(`[hls-latency] ${line}\n`);
	const hlsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-hls-'));
	const script = await browserBundle('hls.js', 'Hls', { from: 'default' });
	const server = await startServerProcess({ workers: 1, env: { HLS_DIR: hlsDir } });
	const rest = new RestClient(server.baseUrl, server.ca);
	let sender: ChildProcess | undefined;
	const browser = await chromium.launch({
		executablePath: CHROMIUM_PATH,
		args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu'],
	});
	const results: RoundResult[] = [];
	try {
		const roomId = 'hls-latency';
		const api = `/rooms/${roomId}/broadcasters/clock`;
		await rest.post(`/rooms/${roomId}/broadcasters`, { id: 'clock', displayName: 'Clock', device: { name: 'ffmpeg' } });
		const transport = await rest.post<{ id: string; ip: string; port: number; rtcpPort: number }>(`${api}/transports`, {
			type: 'plain',
			comedia: true,
			rtcpMux: false,
		});
		await rest.post(`${api}/transports/${transport.id}/producers`, {
			kind: 'video',
			rtpParameters: {
				codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
				encodings: [{ ssrc: 22222222 }],
			},
		});
		sender = spawn(
			'ffmpeg',
			// biome-ignore format: option/value pairs read better on one line.
			['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=black:size=${WIDTH}x${HEIGHT}:rate=${FPS}`,
				'-vf', clockFilters(), '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-g', String(FPS),
				'-payload_type', '96', '-ssrc', '22222222', '-f', 'rtp',
				`rtp://${transport.ip}:${transport.port}?rtcpport=${transport.rtcpPort}&pkt_size=1200`],
			{ stdio: ['ignore', 'ignore', 'inherit'] },
		);
		const { url } = await rest.post<{ url: string }>(`/rooms/${roomId}/hls`);
		say(`streaming ${url}; ${rounds} rounds of ${seconds} s per player setting`);
		const html =
			'<!doctype html><html><body style="margin:0"><video muted playsinline style="width:640px"></video>' +
			`<script>${script.replaceAll('</script', '<\\/script')}</script><script>${PLAYER_SCRIPT}</script></body></html>`;
		for (let round = 1; round <= rounds; round++) {
			const order = round % 2 === 1 ? PLAYERS : [...PLAYERS].reverse();
			for (const player of order) {
				const context = await browser.newContext({ ignoreHTTPSErrors: true });
				const page = await context.newPage();
				await page.route(`${server.baseUrl}/hls-latency.html`, (route) =>
					route.fulfill({ contentType: 'text/html', body: html }),
				);
				await page.goto(`${server.baseUrl}/hls-latency.html`);
				await page.evaluate(
					({ src, config, bits, columns, rows }) =>
						(window as unknown as { startPlayer(...args: unknown[]): void }).startPlayer(
							src,
							config,
							bits,
							columns,
							rows,
						),
					{ src: url, config: player.config, bits: BITS, columns: COLUMNS, rows: ROWS },
				);
				// The first seconds are the player finding its place: measured from then on.
				await page.waitForFunction(
					() => (window as unknown as { player: { video: HTMLVideoElement } }).player.video.currentTime > 2,
					undefined,
					{ timeout: 60_000 },
				);
				await page.evaluate(() => {
					const { state } = (window as unknown as { player: { state: { latencies: number[]; unreadable: number } } })
						.player;
					state.latencies = [];
					state.unreadable = 0;
				});
				await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
				const state = await page.evaluate(
					() =>
						(
							window as unknown as {
								player: { state: { latencies: number[]; edges: number[]; unreadable: number; fatal: string[] } };
							}
						).player.state,
				);
				await context.close();
				const sorted = [...state.latencies].sort((a, b) => a - b);
				const result: RoundResult = {
					player: player.name,
					round,
					frames: sorted.length,
					unreadable: state.unreadable,
					fatal: state.fatal,
					min: sorted[0] ?? Number.NaN,
					p50: percentile(sorted, 50),
					p90: percentile(sorted, 90),
					p99: percentile(sorted, 99),
					max: sorted.at(-1) ?? Number.NaN,
					edgeP50: percentile(
						[...state.edges].sort((a, b) => a - b),
						50,
					),
				};
				results.push(result);
				say(
					`round ${round}, ${player.name}: ${result.frames} frames (${result.unreadable} unreadable), latency p50 ${result.p50} ms, p90 ${result.p90}, p99 ${result.p99}, max ${result.max}, min ${result.min}; behind the live edge (hls.js) p50 ${result.edgeP50} ms`,
				);
			}
		}
		await rest.delete(`/rooms/${roomId}/hls`);
	} finally {
		sender?.kill('SIGKILL');
		await browser.close();
		rest.close();
		await server.close();
		rmSync(hlsDir, { recursive: true, force: true });
	}
	const outDir = path.join(rootDir, 'bench', 'results');
	mkdirSync(outDir, { recursive: true });
	writeFileSync(
		path.join(outDir, 'hls-latency.json'),
		`${JSON.stringify({ date: new Date().toISOString(), seconds, rounds, results }, null, '\t')}\n`,
	);
	process.stdout.write(
		`${[
			'| player | round | frames (unreadable) | p50 ms | p90 | p99 | max | min | behind the live edge (hls.js), p50 |',
			'|---|---|---|---|---|---|---|---|---|',
		]
			.concat(
				results.map(
					(r) =>
						`| ${r.player} | ${r.round} | ${r.frames} (${r.unreadable}) | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} | ${r.min} | ${r.edgeP50} |`,
				),
			)
			.join('\n')}\n`,
	);
}

await main();
