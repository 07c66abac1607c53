// Records a room: every audio and video producer, including producers that
// appear while recording, one file each in the room's recording folder, which
// also names its room in ROOM_ID_FILE. Every joined peer is told when
// recording starts and stops. Owned by the Room: closing it (the room closing)
// finalises every file.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import type { RecordedFile as WireRecordedFile } from '../../protocol/recording.ts';
import type { ServerNotificationData } from '../../protocol/signaling.ts';
import { errorMessage } from '../errorMessage.ts';
import { createHttpError } from '../errors.ts';
import { ProducerRecording, type RecordedFile } from './ProducerRecording.ts';

/**
 * The file in a recording folder that holds the room's id: the folder's name
 * holds only a safe part of it. A dot file, so it is neither listed nor served.
 */
export const ROOM_ID_FILE = '.room-id';

/** A producer of the room and the id of the member it belongs to. */
export interface OwnedProducer {
	ownerId: string;
	producer: types.Producer;
}

/** What the recorder needs of its room. */
export interface RecordedRoom {
	readonly id: string;
	/** The home router, where recording consumes. */
	readonly router: types.Router;
	/** Every producer of the room's members now. */
	producers(): OwnedProducer[];
	/** Makes a producer consumable on the home router (pipes it there if needed). */
	toHome(producerId: string): Promise<void>;
	/** Tells every joined peer. */
	tellAll<M extends 'recordingStarted' | 'recordingStopped'>(method: M, data: ServerNotificationData<M>): void;
}

export class RoomRecorder extends Closable {
	readonly directory: string;
	readonly #room: RecordedRoom;
	readonly #log: Logger;
	readonly #recordings = new Map<string, ProducerRecording>();
	/** Recordings whose producer closed while the room was recording: already finalised. */
	readonly #finished: Promise<RecordedFile>[] = [];
	#startedAt: number | undefined;

	constructor(room: RecordedRoom, recordingsDir: string, log: Logger) {
		super();
		this.#room = room;
		this.directory = path.join(recordingsDir, recordingFolderName(room.id));
		this.#log = log;
	}

	get active(): boolean {
		return this.#startedAt !== undefined;
	}

	get startedAt(): number | undefined {
		return this.#startedAt;
	}

	/** Records every producer, present and future; every peer is told. */
	async start(): Promise<{ startedAt: number }> {
		const producers = this.#room.producers();
		await Promise.all(producers.map(({ producer }) => this.#room.toHome(producer.id).catch(() => {})));
		const startedAt = await this.#startAll(producers);
		this.#room.tellAll('recordingStarted', { startedAt });
		return { startedAt };
	}

	/** Finalises every file; every peer is told which files were written. */
	async stop(): Promise<{ files: WireRecordedFile[] }> {
		const files = (await this.#stopAll()).map((file) => ({
			name: path.basename(file.file),
			producerId: file.producerId,
			peerId: file.ownerId,
			kind: file.kind,
			bytes: file.bytes,
		}));
		this.#room.tellAll('recordingStopped', { files });
		return { files };
	}

	/**
	 * Records every producer given, or none: if GStreamer fails for one of
	 * them, the others are stopped, their files removed, and the error names
	 * the producer and what GStreamer said.
	 */
	async #startAll(producers: OwnedProducer[]): Promise<number> {
		if (this.active) throw createHttpError(409, 'the room is already being recorded');
		await checkGStreamer();
		await mkdir(this.directory, { recursive: true });
		this.#startedAt = Date.now();
		const results = await Promise.allSettled(
			producers.map(({ ownerId, producer }) =>
				this.#record(ownerId, producer).catch((error: unknown) => {
					throw new Error(`the ${producer.kind} of ${ownerId}: ${errorMessage(error)}`);
				}),
			),
		);
		const failures = results.flatMap((result) => (result.status === 'rejected' ? [errorMessage(result.reason)] : []));
		if (failures.length > 0) {
			const files = this.active ? await this.#stopAll() : [];
			await Promise.all(files.map(({ file }) => rm(file, { force: true })));
			this.#log.error({ failures }, 'recording could not start');
			throw createHttpError(500, `recording could not start: ${failures.join('; ')}`);
		}
		// Only once recording runs: a start that failed leaves nothing behind.
		await writeFile(path.join(this.directory, ROOM_ID_FILE), this.#room.id);
		this.#log.info({ directory: this.directory }, 'recording started');
		return this.#startedAt;
	}

	/** Records a producer if the room is being recorded (called for every new producer). */
	async add(ownerId: string, producer: types.Producer): Promise<void> {
		if (!this.active) return;
		try {
			await this.#room.toHome(producer.id);
			await this.#record(ownerId, producer);
		} catch (error) {
			this.#log.error({ error, producerId: producer.id, ownerId }, 'recording: could not record producer');
		}
	}

	async #record(ownerId: string, producer: types.Producer): Promise<void> {
		if (!this.active || producer.closed || this.#recordings.has(producer.id)) return;
		const recording = await ProducerRecording.start({
			router: this.#room.router,
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
	async #stopAll(): Promise<RecordedFile[]> {
		if (!this.active) throw createHttpError(409, 'the room is not being recorded');
		this.#startedAt = undefined;
		const stopping = [...this.#recordings.values()].map((recording) => recording.stop());
		this.#recordings.clear();
		const files = await Promise.all([...this.#finished.splice(0), ...stopping]);
		this.#log.info({ files: files.map((f) => path.basename(f.file)) }, 'recording stopped');
		return files;
	}

	/** The room closes: GStreamer finalises every file on its own, before the routers go. */
	protected closing(): void {
		if (this.active) void this.#stopAll();
	}
}

/**
 * A folder name for a room id that cannot escape the recordings folder
 * ("../x") or collide after sanitising: safe characters plus a short hash.
 */
export function recordingFolderName(roomId: string): string {
	const safe = roomId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
	const hash = createHash('sha256').update(roomId).digest('hex').slice(0, 8);
	return `${safe}-${hash}`;
}

async function checkGStreamer(): Promise<void> {
	try {
		await promisify(execFile)('gst-launch-1.0', ['--version']);
	} catch {
		throw createHttpError(
			500,
			'recording needs GStreamer (Debian packages gstreamer1.0-tools, gstreamer1.0-plugins-good and -bad), which is not installed',
		);
	}
}
