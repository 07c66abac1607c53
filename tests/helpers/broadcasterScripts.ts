// Runs the shell scripts of broadcasters/ as a user would, against the
// in-process test server: each in its own process group (detached), so a test
// can send Ctrl+C to the whole group like a terminal does, and so nothing the
// script started (ffmpeg, gst-launch-1.0) outlives the test.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { types } from 'mediasoup';
import type { TestServer } from './testServer.ts';

const run = promisify(execFile);

export const rootDir = path.resolve(import.meta.dirname, '../..');
const scriptsDir = path.join(rootDir, 'broadcasters');

export interface ScriptExit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

export interface ScriptRun {
	readonly child: ChildProcess;
	/** Also the process group id: the script leads its group. */
	readonly pid: number;
	readonly exited: Promise<ScriptExit>;
	/** stdout and stderr so far, interleaved. */
	output(): string;
	/** Sends a signal to the script alone, or to its whole group (a terminal's Ctrl+C). */
	signal(signal: NodeJS.Signals, target?: 'script' | 'group'): void;
	/** Whether any process of the group (the script or what it started) is alive. */
	groupAlive(): boolean;
	/**
	 * For clean-up after a failed test: SIGTERM to the group (the script then
	 * removes its broadcaster and temporary files), SIGKILL if it lingers.
	 */
	kill(): Promise<void>;
}

const started: ScriptRun[] = [];

export function runScript(script: string, env: Record<string, string>): ScriptRun {
	const child = spawn('bash', [path.join(scriptsDir, script)], {
		env: { ...process.env, ...env },
		cwd: os.tmpdir(),
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const pid = child.pid;
	if (pid === undefined) throw new Error(`could not start ${script}`);
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	const exited = new Promise<ScriptExit>((resolve) => {
		child.once('exit', (code, signal) => resolve({ code, signal }));
	});
	/** Signals the whole group; false when no process of it is left. */
	const signalGroup = (signal: NodeJS.Signals | 0) => {
		try {
			process.kill(-pid, signal);
			return true;
		} catch {
			return false;
		}
	};
	const groupAlive = () => signalGroup(0);
	const scriptRun: ScriptRun = {
		child,
		pid,
		exited,
		output: () => output,
		signal: (signal, target = 'script') => process.kill(target === 'group' ? -pid : pid, signal),
		groupAlive,
		kill: async () => {
			if (!signalGroup('SIGTERM')) return;
			const deadline = Date.now() + 5000;
			while (groupAlive() && Date.now() < deadline) await sleep(100);
			signalGroup('SIGKILL');
		},
	};
	started.push(scriptRun);
	return scriptRun;
}

/** Stops whatever is left of every script started so far (for after()). */
export async function killScripts(): Promise<void> {
	await Promise.all(started.splice(0).map((scriptRun) => scriptRun.kill()));
}

/** Waits for a script to end; past the deadline, kills it and fails with its output. */
export async function waitForExit(scriptRun: ScriptRun, timeoutMs: number): Promise<ScriptExit> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			scriptRun
				.kill()
				.finally(() =>
					reject(new Error(`script still running after ${timeoutMs} ms; its output:\n${scriptRun.output()}`)),
				);
		}, timeoutMs);
	});
	try {
		return await Promise.race([scriptRun.exited, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** A folder for one test file's files, and the server's certificate in it. */
export function scriptFixture(server: TestServer): { dir: string; env: Record<string, string>; cleanup(): void } {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'conference-broadcasters-'));
	const caFile = path.join(dir, 'ca.pem');
	writeFileSync(caFile, server.ca);
	return {
		dir,
		env: { SERVER_URL: `https://127.0.0.1:${server.port}`, CA_FILE: caFile },
		cleanup: () => rmSync(dir, { recursive: true, force: true }),
	};
}

/**
 * The small test file the tests stream (4 s, 320x180 at 15 fps: cheap to
 * encode on a busy machine), made by make-test-media.sh into the project's
 * media cache when missing.
 */
export async function testMedia(): Promise<string> {
	const { stdout } = await run('bash', [path.join(scriptsDir, 'make-test-media.sh')], {
		env: { ...process.env, MEDIA_SIZE: '320x180', MEDIA_FPS: '15', MEDIA_DURATION: '4' },
	});
	return stdout.trim();
}

/** Settings that keep the senders light: low bitrate, a key frame every second. */
export const lightSender = { VIDEO_BITRATE: '300', AUDIO_BITRATE: '32', KEYFRAME_INTERVAL: '1', VIDEO_FPS: '15' };

/**
 * A PATH with every command of the current one except `missing`: symlinks
 * in a folder of `dir`, so a script finds bash, curl, coreutils... but not
 * the tools under test.
 */
export function pathWithout(dir: string, missing: string[]): string {
	const bin = path.join(dir, `path-without-${missing.join('-')}`);
	mkdirSync(bin, { recursive: true });
	for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
		if (!entry || !existsSync(entry)) continue;
		for (const name of readdirSync(entry)) {
			const link = path.join(bin, name);
			if (missing.includes(name) || existsSync(link)) continue;
			symlinkSync(path.join(entry, name), link);
		}
	}
	return bin;
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	if (address === null || typeof address === 'string') throw new Error('no port');
	return address.port;
}

export interface ProbedStream {
	codec: string;
	type: string;
	/** Frames that decoded (ffprobe -count_frames). */
	frames: number;
	/** Packets in the file, and the time span they cover (first to last pts, in seconds). */
	packets: number;
	span: number;
}

/** ffprobe with decoding: each stream's codec, decodable frames and timing; the file's duration. */
export async function probe(file: string): Promise<{ streams: ProbedStream[]; duration: number }> {
	const ffprobe = async (args: string[]) =>
		(await run('ffprobe', ['-v', 'error', ...args, '-of', 'json', file], { maxBuffer: 64 * 1024 * 1024 })).stdout;
	const info = JSON.parse(
		await ffprobe([
			'-count_frames',
			'-show_entries',
			'stream=index,codec_name,codec_type,nb_read_frames:format=duration',
		]),
	) as {
		streams: { index: number; codec_name: string; codec_type: string; nb_read_frames?: string }[];
		format: { duration?: string };
	};
	const { packets } = JSON.parse(await ffprobe(['-show_entries', 'packet=stream_index,pts_time'])) as {
		packets: { stream_index: number; pts_time: string }[];
	};
	const streams = info.streams.map((stream) => {
		const times = packets.filter((packet) => packet.stream_index === stream.index).map((p) => Number(p.pts_time));
		return {
			codec: stream.codec_name,
			type: stream.codec_type,
			frames: Number(stream.nb_read_frames ?? 0),
			packets: times.length,
			span: times.length > 1 ? Math.max(...times) - Math.min(...times) : 0,
		};
	});
	return { streams, duration: Number(info.format.duration) };
}

/** RTP packets each producer has received so far, by kind. */
export async function packetCounts(producers: Iterable<types.Producer>): Promise<Record<string, number>> {
	const counts: Record<string, number> = {};
	for (const producer of producers) {
		const stats = await producer.getStats();
		counts[producer.kind] = stats.reduce((sum, stat) => sum + stat.packetCount, 0);
	}
	return counts;
}
