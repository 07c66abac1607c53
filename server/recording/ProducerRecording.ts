// Records one producer to a file: a PlainTransport consumer on the room's
// router sends its RTP to a local GStreamer process, which copies it (no
// transcoding) into WebM (VP8/VP9/opus) or Matroska (H264). The recording owns
// its transport (closing it closes the consumer) and its GStreamer process;
// stop() finalises the file: SIGINT makes `gst-launch-1.0 -e` send
// end-of-stream, and the muxer writes the container's index and duration.
import { type ChildProcess, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import { freeUdpPortPair } from './freeUdpPortPair.ts';
import { recordingExtension, recordingPipeline } from './recordingPipeline.ts';

export interface RecordedFile {
	file: string;
	producerId: string;
	ownerId: string;
	kind: types.MediaKind;
	bytes: number;
}

/** Key frames are asked for repeatedly at the start: a sender may ignore or rate-limit one request. */
const KEY_FRAME_REQUESTS = 5;
const KEY_FRAME_INTERVAL_MS = 1000;
/**
 * Media is sent once GStreamer says its pipeline plays (its udpsrc has bound
 * the port by then); a loaded machine can take seconds to get there, so a
 * fixed delay lost the first key frames. Past this, media is sent anyway.
 */
const RECORDER_READY_TIMEOUT_MS = 10_000;
const RECORDER_PLAYING = 'Setting pipeline to PLAYING';
const RECORDER_STOP_TIMEOUT_MS = 5000;

export class ProducerRecording extends Closable {
	readonly file: string;
	readonly producerId: string;
	readonly ownerId: string;
	readonly kind: types.MediaKind;
	readonly #transport: types.PlainTransport;
	readonly #consumer: types.Consumer;
	readonly #recorder: ChildProcess;
	readonly #exited: Promise<void>;
	readonly #log: Logger;
	#timers: NodeJS.Timeout[] = [];
	#stopping: Promise<RecordedFile> | undefined;

	static async start(options: {
		router: types.Router;
		producer: types.Producer;
		ownerId: string;
		directory: string;
		log: Logger;
		/** How long to wait for GStreamer to play before sending media anyway. */
		readyTimeoutMs?: number;
	}): Promise<ProducerRecording> {
		const { router, producer } = options;
		const rtpPort = await freeUdpPortPair();
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: false,
			comedia: false,
		});
		try {
			await transport.connect({ ip: '127.0.0.1', port: rtpPort, rtcpPort: rtpPort + 1 });
			const consumer = await transport.consume({
				producerId: producer.id,
				rtpCapabilities: router.rtpCapabilities,
				paused: true,
			});
			const extension = recordingExtension(consumer.rtpParameters);
			const stamp = new Date().toISOString().replace(/[:.]/g, '-');
			const file = path.join(
				options.directory,
				`${stamp}-${options.ownerId}-${producer.kind}-${producer.id}.${extension}`,
			);
			const recorder = startRecorder(
				recordingPipeline(consumer.kind, consumer.rtpParameters, rtpPort, file),
				file,
				options.log,
				options.readyTimeoutMs ?? RECORDER_READY_TIMEOUT_MS,
			);
			// Started means recording: peers are told once GStreamer listens.
			await recorder.playing;
			return new ProducerRecording({ ...options, transport, consumer, recorder, file });
		} catch (error) {
			transport.close();
			throw error;
		}
	}

	private constructor(parts: {
		producer: types.Producer;
		ownerId: string;
		transport: types.PlainTransport;
		consumer: types.Consumer;
		recorder: Recorder;
		file: string;
		log: Logger;
	}) {
		super();
		this.file = parts.file;
		this.producerId = parts.producer.id;
		this.ownerId = parts.ownerId;
		this.kind = parts.producer.kind;
		this.#transport = parts.transport;
		this.#consumer = parts.consumer;
		this.#recorder = parts.recorder.process;
		this.#log = parts.log;
		this.#exited = new Promise((resolve) => {
			this.#recorder.once('exit', () => resolve());
			this.#recorder.once('error', () => resolve()); // could not start: nothing to wait for
		});
		// A paused-then-resumed producer restarts with a key frame, so the file decodes on.
		this.#consumer.on('producerresume', () => void this.#consumer.requestKeyFrame().catch(() => {}));
		void this.#startMedia();
	}

	async #startMedia(): Promise<void> {
		if (this.#consumer.closed || this.#stopping) return;
		await this.#consumer.resume().catch(() => {});
		if (this.kind !== 'video') return;
		for (let i = 0; i < KEY_FRAME_REQUESTS; i++) {
			this.#timers.push(
				setTimeout(() => void this.#consumer.requestKeyFrame().catch(() => {}), i * KEY_FRAME_INTERVAL_MS),
			);
		}
	}

	/** Ends the recording and finalises the file; idempotent. */
	stop(): Promise<RecordedFile> {
		this.close();
		return this.#stopping ?? Promise.reject(new Error('recording closed without stopping'));
	}

	/** Closing stops GStreamer, which finalises the file; stop() gives the file once it is. */
	protected closing(): void {
		this.#stopping = this.#stop();
	}

	async #stop(): Promise<RecordedFile> {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#transport.close();
		if (this.#recorder.exitCode === null && this.#recorder.signalCode === null) {
			this.#recorder.kill('SIGINT');
			const killer = setTimeout(() => this.#recorder.kill('SIGKILL'), RECORDER_STOP_TIMEOUT_MS);
			await this.#exited;
			clearTimeout(killer);
		}
		const bytes = await stat(this.file).then(
			(info) => info.size,
			() => 0,
		);
		this.#log.info({ file: this.file, producerId: this.producerId, bytes }, 'recording finalised');
		return { file: this.file, producerId: this.producerId, ownerId: this.ownerId, kind: this.kind, bytes };
	}
}

interface Recorder {
	process: ChildProcess;
	/**
	 * Resolves when the pipeline plays, or after readyTimeoutMs;
	 * rejects, with what GStreamer said, when it ends or cannot run before that.
	 */
	playing: Promise<void>;
}

/** How much of GStreamer's last output goes into an error message. */
const ERROR_OUTPUT_CHARS = 400;

function startRecorder(pipeline: string[], file: string, log: Logger, readyTimeoutMs: number): Recorder {
	// Not -q: the state changes gst-launch prints on stdout tell when it listens.
	// Untranslated, so that RECORDER_PLAYING matches whatever the server's locale.
	const recorder = spawn('gst-launch-1.0', ['-e', ...pipeline], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, LC_ALL: 'C.UTF-8' },
	});
	// Always listened to: an 'error' event without a listener would crash the server.
	recorder.on('error', (error) => log.error({ error, file }, 'recording: gst-launch-1.0 failed'));
	let said = '';
	const hear = (chunk: Buffer) => {
		said = (said + chunk.toString()).slice(-4096);
	};
	recorder.stdout?.on('data', hear);
	recorder.stderr?.on('data', (chunk: Buffer) => {
		hear(chunk);
		log.warn({ file, gstreamer: chunk.toString().trim() }, 'recording');
	});
	const playing = new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			log.warn({ file }, `recording: GStreamer not playing after ${readyTimeoutMs} ms, sending media anyway`);
			settle();
		}, readyTimeoutMs);
		const settle = (error?: Error) => {
			clearTimeout(timer);
			recorder.stdout?.off('data', onStdout);
			recorder.off('close', onExit);
			recorder.off('error', onError);
			if (error) reject(error);
			else resolve();
		};
		const onStdout = () => {
			if (said.includes(RECORDER_PLAYING)) settle();
		};
		// A pipeline GStreamer cannot build or run ends the process before it plays.
		// 'close', not 'exit': by then its last output has been read.
		const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
			const how = code === null ? `was killed (${signal})` : `exited with code ${code}`;
			const output = said.trim().slice(-ERROR_OUTPUT_CHARS);
			settle(new Error(`GStreamer ${how} before recording${output ? `: ${output}` : ''}`));
		};
		const onError = (error: Error) =>
			settle(new Error(`cannot run gst-launch-1.0 (Debian package gstreamer1.0-tools): ${error.message}`));
		recorder.stdout?.on('data', onStdout);
		recorder.once('close', onExit);
		recorder.once('error', onError);
	});
	return { process: recorder, playing };
}
