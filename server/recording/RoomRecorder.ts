// Records a room: every audio and video producer, including producers that
// appear while recording, one file each in the room's recording folder, which
// also names its room in ROOM_ID_FILE. Owned by the Room; stopping (or the room
// closing) finalises every file.
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { errorMessage } from '../errorMessage.ts';
import { RequestError } from '../signaling/RequestError.ts';
import { ProducerRecording, type RecordedFile } from './ProducerRecording.ts';

/**
 * The file in a recording folder that holds the room's id: the folder's name
 * holds only a safe part of it. A dot file, so it is neither listed nor served.
 */
export const ROOM_ID_FILE = '.room-id';

export class RoomRecorder {
	readonly directory: string;
	readonly #roomId: string;
	readonly #router: types.Router;
	readonly #log: Logger;
	readonly #recordings = new Map<string, ProducerRecording>();
	/** Recordings whose producer closed while the room was recording: already finalised. */
	readonly #finished: Promise<RecordedFile>[] = [];
	#startedAt: number | undefined;

	constructor(router: types.Router, { directory, roomId }: { directory: string; roomId: string }, log: Logger) {
		this.#router = router;
		this.directory = directory;
		this.#roomId = roomId;
		this.#log = log;
	}

	get active(): boolean {
		return this.#startedAt !== undefined;
	}

	get startedAt(): number | undefined {
		return this.#startedAt;
	}

	/**
	 * Records every producer given, or none: if GStreamer fails for one of
	 * them, the others are stopped, their files removed, and the error names
	 * the producer and what GStreamer said.
	 */
	async start(producers: Iterable<{ ownerId: string; producer: types.Producer }>): Promise<number> {
		if (this.active) throw new RequestError(409, 'the room is already being recorded');
		await checkGStreamer();
		await mkdir(this.directory, { recursive: true });
		this.#startedAt = Date.now();
		const results = await Promise.allSettled(
			[...producers].map(({ ownerId, producer }) =>
				this.#record(ownerId, producer).catch((error: unknown) => {
					throw new Error(`the ${producer.kind} of ${ownerId}: ${errorMessage(error)}`);
				}),
			),
		);
		const failures = results.flatMap((result) => (result.status === 'rejected' ? [errorMessage(result.reason)] : []));
		if (failures.length > 0) {
			const files = this.active ? await this.stop() : [];
			await Promise.all(files.map(({ file }) => rm(file, { force: true })));
			this.#log.error({ failures }, 'recording could not start');
			throw new RequestError(500, `recording could not start: ${failures.join('; ')}`);
		}
		// Only once recording runs: a start that failed leaves nothing behind.
		await writeFile(path.join(this.directory, ROOM_ID_FILE), this.#roomId);
		this.#log.info({ directory: this.directory }, 'recording started');
		return this.#startedAt;
	}

	/** Records a producer if the room is being recorded (called for every new producer). */
	async add(ownerId: string, producer: types.Producer): Promise<void> {
		try {
			await this.#record(ownerId, producer);
		} catch (error) {
			this.#log.error({ error, producerId: producer.id, ownerId }, 'recording: could not record producer');
		}
	}

	async #record(ownerId: string, producer: types.Producer): Promise<void> {
		if (!this.active || producer.closed || this.#recordings.has(producer.id)) return;
		const recording = await ProducerRecording.start({
			router: this.#router,
			producer,
			ownerId,
			directory: this.directory,
			log: this.#log,
		});
		if (!this.active || producer.closed) {
			// Stopped, or the producer went, while GStreamer was starting.
			await recording.stop();
			return;
		}
		this.#recordings.set(producer.id, recording);
		producer.observer.once('close', () => {
			if (this.#recordings.delete(producer.id)) this.#finished.push(recording.stop());
		});
	}

	/** Stops and finalises every file; answers what was written. */
	async stop(): Promise<RecordedFile[]> {
		if (!this.active) throw new RequestError(409, 'the room is not being recorded');
		this.#startedAt = undefined;
		const stopping = [...this.#recordings.values()].map((recording) => recording.stop());
		this.#recordings.clear();
		const files = await Promise.all([...this.#finished.splice(0), ...stopping]);
		this.#log.info({ files: files.map((f) => path.basename(f.file)) }, 'recording stopped');
		return files;
	}
}

async function checkGStreamer(): Promise<void> {
	try {
		await promisify(execFile)('gst-launch-1.0', ['--version']);
	} catch {
		throw new RequestError(
			500,
			'recording needs GStreamer (Debian packages gstreamer1.0-tools, gstreamer1.0-plugins-good and -bad), which is not installed',
		);
	}
}
