// One run of a room's live HLS stream: the composer process, one HlsInput per
// audio and video producer of the room (those there at the start and those
// that come later), and the folder the playlist and segments are written to.
// Closing it closes the inputs (their transports and consumers), kills the
// composer and removes the folder; the composer ending by itself closes it.
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { errorMessage } from '../errorMessage.ts';
import type { RecordedRoom } from '../recording/RoomRecorder.ts';
import { type ComposerSettings, HlsComposer } from './HlsComposer.ts';
import { HlsInput } from './HlsInput.ts';
import { PLAYLIST, segmentPattern } from './hlsFiles.ts';

/** What a stream needs of its room: the recorder's view of it, without the notifications. */
export type StreamedRoom = Pick<RecordedRoom, 'id' | 'router' | 'producers' | 'toHome'>;

const SEGMENT_SECONDS = 2;
/** Segments in the live playlist: a player joins about this many segments behind the edge at most. */
const PLAYLIST_LENGTH = 6;
const AUDIO_BITRATE = 128_000;
const X264_PRESET = 'veryfast';
/** The first segment is written after SEGMENT_SECONDS; a loaded machine takes longer. */
const FIRST_SEGMENT_TIMEOUT_MS = 20_000;
/** A new active speaker takes the large tile at most this often. */
const SPEAKER_HOLD_MS = 3000;

export class HlsStream extends Closable {
	readonly directory: string;
	readonly startedAt = Date.now();
	readonly #room: StreamedRoom;
	readonly #composer: HlsComposer;
	readonly #log: Logger;
	readonly #inputs = new Map<string, HlsInput>();
	/** Producers whose input is being made (not made twice), and the making: removed() waits for it. */
	readonly #adding = new Map<string, Promise<void>>();
	#removed: Promise<void> | undefined;
	readonly #settings: ResolvedConfig['hls'];
	/** The member shown large (speaker layout), and since when. */
	#speaker: string | undefined;
	#speakerSince = 0;

	/**
	 * Starts the composer in an empty folder, adds every producer of the room,
	 * and resolves once the playlist exists (a player can load it). On failure
	 * nothing is left: no process, no transport, no folder.
	 */
	static async start(options: {
		room: StreamedRoom;
		directory: string;
		settings: ResolvedConfig['hls'];
		log: Logger;
	}): Promise<HlsStream> {
		const { directory, settings, log } = options;
		// A folder left by a server that did not stop cleanly would hold old segments.
		await rm(directory, { recursive: true, force: true });
		await mkdir(directory, { recursive: true });
		let composer: HlsComposer;
		try {
			const run = Date.now().toString(36);
			composer = await HlsComposer.start(composerSettings(directory, segmentPattern(run), settings), log);
		} catch (error) {
			await rm(directory, { recursive: true, force: true });
			throw error;
		}
		const stream = new HlsStream(options.room, directory, composer, settings, log);
		try {
			await Promise.all(options.room.producers().map(({ ownerId, producer }) => stream.add(ownerId, producer)));
			await stream.#firstSegment();
			return stream;
		} catch (error) {
			stream.close();
			await stream.removed();
			throw error;
		}
	}

	private constructor(
		room: StreamedRoom,
		directory: string,
		composer: HlsComposer,
		settings: ResolvedConfig['hls'],
		log: Logger,
	) {
		super();
		this.#settings = settings;
		this.#room = room;
		this.directory = directory;
		this.#composer = composer;
		this.#log = log;
		composer.observer.once('close', () => this.close());
		composer.observer.on('keyframeneeded', (input) => this.#inputs.get(input)?.requestKeyFrame());
		composer.observer.on('inputfailed', (input) => this.#inputs.get(input)?.close());
	}

	/** The producer's input: its tile in the grid, or its voice in the mix. A failure is logged, the stream goes on. */
	add(ownerId: string, producer: types.Producer): Promise<void> {
		if (this.closed || producer.closed || this.#inputs.has(producer.id)) return Promise.resolve();
		const adding = this.#adding.get(producer.id) ?? this.#add(ownerId, producer);
		this.#adding.set(producer.id, adding);
		return adding;
	}

	async #add(ownerId: string, producer: types.Producer): Promise<void> {
		try {
			await this.#room.toHome(producer.id);
			if (this.closed || producer.closed) return;
			const input = await HlsInput.start({
				router: this.#room.router,
				producer,
				ownerId,
				composer: this.#composer,
				log: this.#log,
			});
			if (this.closed || producer.closed) {
				// Stopped, or the producer went, while the input was being made.
				input.close();
				return;
			}
			this.#inputs.set(producer.id, input);
			input.observer.once('close', () => this.#inputs.delete(producer.id));
			this.#log.info({ producerId: producer.id, ownerId, kind: producer.kind }, 'hls: input added');
		} catch (error) {
			if (!this.closed) {
				this.#log.error({ error: errorMessage(error), producerId: producer.id, ownerId }, 'hls: cannot add input');
			}
		} finally {
			this.#adding.delete(producer.id);
		}
	}

	/**
	 * The active speaker (a member's id) changed: in the speaker layout, its
	 * video is shown large. Silence keeps the last speaker, and a new one
	 * takes over at most every SPEAKER_HOLD_MS, so that two people talking at
	 * once do not make the picture jump at every reading of the levels.
	 */
	speaker(memberId: string): void {
		if (this.closed || this.#settings.layout !== 'speaker' || memberId === this.#speaker) return;
		const now = Date.now();
		if (now - this.#speakerSince < SPEAKER_HOLD_MS) return;
		const video = [...this.#inputs.values()].find((input) => input.ownerId === memberId && input.kind === 'video');
		if (!video) return;
		this.#speaker = memberId;
		this.#speakerSince = now;
		void this.#composer.setSpeaker(video.producerId).catch(() => {});
	}

	/** The composer process's id. */
	get composerPid(): number | undefined {
		return this.#composer.pid;
	}

	/** The producers shown and heard now. */
	get inputs(): ReadonlyMap<string, HlsInput> {
		return this.#inputs;
	}

	async #firstSegment(): Promise<void> {
		const playlist = path.join(this.directory, PLAYLIST);
		const deadline = Date.now() + FIRST_SEGMENT_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (this.closed) throw new Error(this.#composer.failure ?? 'the HLS composer stopped before its first segment');
			if (
				await access(playlist).then(
					() => true,
					() => false,
				)
			) {
				return;
			}
			await sleep(200);
		}
		throw new Error(`the HLS composer wrote no playlist within ${FIRST_SEGMENT_TIMEOUT_MS} ms`);
	}

	/** Resolves once the composer has exited and the folder is gone (after close()). */
	async removed(): Promise<void> {
		await Promise.all([...this.#adding.values(), this.#removed]);
	}

	protected closing(): void {
		for (const input of [...this.#inputs.values()]) input.close();
		this.#inputs.clear();
		this.#composer.close();
		// Once the process is gone, so that it writes no segment after the folder went.
		this.#removed = this.#composer
			.exited()
			.then(() => rm(this.directory, { recursive: true, force: true }))
			.catch((error: unknown) => this.#log.warn({ error, directory: this.directory }, 'hls: cannot remove folder'));
		this.#log.info({ directory: this.directory }, 'hls: stream stopped');
	}
}

function composerSettings(directory: string, segments: string, settings: ResolvedConfig['hls']): ComposerSettings {
	return {
		directory,
		segments,
		width: settings.width,
		height: settings.height,
		framerate: settings.framerate,
		videoBitrateKbps: settings.videoBitrateKbps,
		audioBitrate: AUDIO_BITRATE,
		segmentSeconds: SEGMENT_SECONDS,
		playlistLength: PLAYLIST_LENGTH,
		x264Preset: X264_PRESET,
		layout: settings.layout,
	};
}
