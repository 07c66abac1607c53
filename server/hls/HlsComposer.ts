// The GStreamer process that composes one room's HLS stream (composer.py):
// started with the stream's settings, told over stdin which inputs to add
// and remove, and answering over stdout in JSON lines. gst-launch cannot add
// inputs to a running pipeline, so the composer is a small program on
// GStreamer's own Python bindings (Debian's python3-gi). Closing it kills the
// process; the process dying closes it (its stream cannot go on).
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Closable, type CloseEvents } from '../../lifecycle/Closable.ts';

/**
 * Debian's Python, the one python3-gi is built for: a python3 earlier on PATH
 * (pyenv, a virtualenv) would not find the GStreamer bindings.
 */
export const COMPOSER_PYTHON = '/usr/bin/python3';
const COMPOSER_SCRIPT = path.join(import.meta.dirname, 'composer.py');

/** A loaded machine may take seconds to load GStreamer's plugins and play. */
const READY_TIMEOUT_MS = 15_000;
const ANSWER_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 3000;
/** How much of the process's last output goes into an error message. */
const ERROR_OUTPUT_CHARS = 600;

export interface ComposerSettings {
	/** Where the playlist and segments are written (exists, and is the stream's own). */
	directory: string;
	/** The segments' file names in it, printf style (hlssink2's location), e.g. `run-%05d.ts`. */
	segments: string;
	width: number;
	height: number;
	framerate: number;
	videoBitrateKbps: number;
	/** AAC, bits per second. */
	audioBitrate: number;
	segmentSeconds: number;
	/** Segments listed in the live playlist. */
	playlistLength: number;
	/** x264's speed preset: how much CPU it spends per frame. */
	x264Preset: string;
	/** 'speaker': the input named by setSpeaker() large, the others beside it. */
	layout: 'grid' | 'speaker';
}

/** An input: one consumer's RTP, as the composer depayloads and decodes it. */
export interface ComposerInput {
	/** The input's name in the composer (the producer's id). */
	input: string;
	kind: 'audio' | 'video';
	/** VP8, VP9, H264 or OPUS. */
	encodingName: string;
	payloadType: number;
	clockRate: number;
}

/** What the composer writes on stdout: answers to commands, and events. */
const composerLineSchema = z.union([
	z.object({ id: z.number(), ok: z.literal(true), rtpPort: z.number().optional() }),
	z.object({ id: z.number().nullable(), ok: z.literal(false), error: z.string() }),
	z.object({ event: z.literal('ready'), rtcpPort: z.number() }),
	z.object({ event: z.literal('keyFrameNeeded'), input: z.string() }),
	z.object({ event: z.literal('inputFailed'), input: z.string(), error: z.string() }),
	z.object({ event: z.literal('error'), error: z.string() }),
]);
type ComposerLine = z.infer<typeof composerLineSchema>;

export type ComposerEvents = CloseEvents & {
	/** An input's decoder needs a key frame to go on. */
	keyframeneeded: [input: string];
	/** The composer took an input out: its stream could not be decoded. */
	inputfailed: [input: string, error: string];
};

interface Pending {
	resolve: (answer: { rtpPort?: number | undefined }) => void;
	reject: (error: Error) => void;
	timer: NodeJS.Timeout;
}

export class HlsComposer extends Closable<ComposerEvents> {
	/** Where every input's RTCP goes (read and dropped by the composer). */
	readonly rtcpPort: number;
	readonly #process: ChildProcess;
	readonly #log: Logger;
	readonly #pending = new Map<number, Pending>();
	readonly #exited: Promise<void>;
	#nextId = 1;
	/** Why the process ended by itself: its last error, or how it exited. */
	#failure: string | undefined;

	/** Starts the process; resolves once its pipeline plays, rejects (the process killed) when it cannot. */
	static async start(settings: ComposerSettings, log: Logger): Promise<HlsComposer> {
		const child = spawn(COMPOSER_PYTHON, [COMPOSER_SCRIPT, JSON.stringify(settings)], {
			stdio: ['pipe', 'pipe', 'pipe'],
			// Untranslated GStreamer messages, whatever the server's locale.
			env: { ...process.env, LC_ALL: 'C.UTF-8' },
		});
		// Always listened to: an 'error' event without a listener would crash the server.
		child.on('error', (error) => log.error({ error }, 'hls: cannot run the composer'));
		child.stdin?.on('error', () => {}); // a write after the process died: its exit says why
		let said = '';
		child.stderr?.on('data', (chunk: Buffer) => {
			said = (said + chunk.toString()).slice(-4096);
			log.warn({ gstreamer: chunk.toString().trim() }, 'hls composer');
		});
		const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
		try {
			const rtcpPort = await new Promise<number>((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`the HLS composer did not play within ${READY_TIMEOUT_MS} ms`)),
					READY_TIMEOUT_MS,
				);
				const onLine = (line: string) => {
					const message = parseLine(line);
					if (message && 'event' in message && message.event === 'ready') settle(undefined, message.rtcpPort);
					else if (message && 'event' in message && message.event === 'error') settle(new Error(message.error));
				};
				const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
					const how = code === null ? `was killed (${signal})` : `exited with code ${code}`;
					const output = said.trim().slice(-ERROR_OUTPUT_CHARS);
					settle(new Error(`the HLS composer ${how} before playing${output ? `: ${output}` : ''}`));
				};
				const onError = (error: Error) =>
					settle(new Error(`cannot run ${COMPOSER_PYTHON} (Debian package python3-gi): ${error.message}`));
				const settle = (error?: Error, port?: number) => {
					clearTimeout(timer);
					lines.off('line', onLine);
					child.off('close', onClose);
					child.off('error', onError);
					if (error || port === undefined) reject(error);
					else resolve(port);
				};
				lines.on('line', onLine);
				child.once('close', onClose);
				child.once('error', onError);
			});
			return new HlsComposer(child, lines, rtcpPort, log, () => said.trim().slice(-ERROR_OUTPUT_CHARS));
		} catch (error) {
			child.kill('SIGKILL');
			throw error;
		}
	}

	private constructor(
		child: ChildProcess,
		lines: ReturnType<typeof createInterface>,
		rtcpPort: number,
		log: Logger,
		/** The end of what the process wrote on stderr. */
		output: () => string,
	) {
		super();
		this.#process = child;
		this.rtcpPort = rtcpPort;
		this.#log = log;
		this.#exited = new Promise((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) resolve();
			else child.once('exit', () => resolve());
		});
		lines.on('line', (line) => this.#onLine(line));
		child.once('exit', (code, signal) => {
			if (this.closed) return;
			const how = code === null ? `was killed (${signal})` : `exited with code ${code}`;
			this.#failure ??= `the HLS composer ${how}${output() ? `: ${output()}` : ''}`;
			log.error({ code, signal, failure: this.#failure }, 'hls: the composer ended by itself');
			this.close();
		});
	}

	/** Adds an input; answers the local port its RTP goes to. */
	async addInput(input: ComposerInput): Promise<{ rtpPort: number }> {
		const { rtpPort } = await this.#command({ cmd: 'add', ...input });
		if (rtpPort === undefined) throw new Error('the HLS composer answered add without a port');
		return { rtpPort };
	}

	/** The video input the speaker layout shows large (null: none); the grid is laid out again. */
	async setSpeaker(input: string | null): Promise<void> {
		await this.#command({ cmd: 'speaker', input });
	}

	/** Takes an input out; the grid is laid out again without it. */
	async removeInput(input: string): Promise<void> {
		await this.#command({ cmd: 'remove', input });
	}

	#command(command: Record<string, unknown>): Promise<{ rtpPort?: number | undefined }> {
		if (this.closed) return Promise.reject(new Error('the HLS composer has stopped'));
		const id = this.#nextId++;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(id);
				reject(new Error(`the HLS composer did not answer ${String(command.cmd)} within ${ANSWER_TIMEOUT_MS} ms`));
			}, ANSWER_TIMEOUT_MS);
			this.#pending.set(id, { resolve, reject, timer });
			this.#process.stdin?.write(`${JSON.stringify({ id, ...command })}\n`);
		});
	}

	#onLine(line: string): void {
		const message = parseLine(line);
		if (!message) {
			this.#log.warn({ line: line.slice(0, 200) }, 'hls: the composer said something unexpected');
			return;
		}
		if ('ok' in message) {
			const pending = message.id === null ? undefined : this.#pending.get(message.id);
			if (!pending || message.id === null) return;
			this.#pending.delete(message.id);
			clearTimeout(pending.timer);
			if (message.ok) pending.resolve({ rtpPort: message.rtpPort });
			else pending.reject(new Error(message.error));
			return;
		}
		switch (message.event) {
			case 'keyFrameNeeded':
				this.observer.emit('keyframeneeded', message.input);
				break;
			case 'inputFailed':
				this.#log.warn({ input: message.input, error: message.error }, 'hls: an input failed');
				this.observer.emit('inputfailed', message.input, message.error);
				break;
			case 'error':
				this.#failure = `the HLS composer failed: ${message.error}`;
				this.#log.error({ error: message.error }, 'hls: the composer failed');
				break;
			case 'ready':
				break;
		}
	}

	/** Why the process ended by itself (undefined: it runs, or was closed). */
	get failure(): string | undefined {
		return this.#failure;
	}

	/** The process's id (the terminal and the tests look at it). */
	get pid(): number | undefined {
		return this.#process.pid;
	}

	/** Resolves once the process has exited (after close()). */
	exited(): Promise<void> {
		return this.#exited;
	}

	protected closing(): void {
		for (const [id, pending] of this.#pending) {
			clearTimeout(pending.timer);
			pending.reject(new Error('the HLS composer stopped'));
			this.#pending.delete(id);
		}
		const child = this.#process;
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
		void this.#exited.then(() => clearTimeout(killer));
	}
}

function parseLine(line: string): ComposerLine | undefined {
	let json: unknown;
	try {
		json = JSON.parse(line);
	} catch {
		return undefined;
	}
	const parsed = composerLineSchema.safeParse(json);
	return parsed.success ? parsed.data : undefined;
}
