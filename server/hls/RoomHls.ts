// A room's live HLS stream, off or on: POST /rooms/:roomId/hls starts an
// HlsStream, DELETE stops it, every new producer of the room is added while it
// runs. Owned by the Room: closing it (the room closing) stops the stream.
import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import type { HlsStarted } from '../../protocol/hls.ts';
import type { ResolvedConfig } from '../config/Config.ts';
import { errorMessage } from '../errorMessage.ts';
import { createHttpError } from '../errors.ts';
import { recordingFolderName } from '../recording/RoomRecorder.ts';
import { HlsStream, type StreamedRoom } from './HlsStream.ts';
import { PLAYLIST } from './hlsFiles.ts';

export class RoomHls extends Closable {
	/** The stream's folder: a safe form of the room id plus a hash, under the configured folder. */
	readonly directory: string;
	readonly #room: StreamedRoom;
	readonly #settings: ResolvedConfig['hls'];
	readonly #log: Logger;
	#stream: HlsStream | undefined;
	#starting = false;

	constructor(room: StreamedRoom, settings: ResolvedConfig['hls'], log: Logger) {
		super();
		this.#room = room;
		this.#settings = settings;
		this.directory = path.join(settings.directory, recordingFolderName(room.id));
		this.#log = log.child({ roomId: room.id });
	}

	/** The running stream; undefined when off (or still starting). */
	get stream(): HlsStream | undefined {
		return this.#stream;
	}

	/** Where players load the stream (the path on this server). */
	get url(): string {
		return `/hls/${encodeURIComponent(this.#room.id)}/${PLAYLIST}`;
	}

	/** Starts the stream; answers once its playlist can be loaded. 409 when it runs or is starting. */
	async start(): Promise<HlsStarted> {
		if (this.#stream || this.#starting) throw createHttpError(409, `room "${this.#room.id}" is already streamed`);
		this.#starting = true;
		let stream: HlsStream;
		try {
			stream = await HlsStream.start({
				room: this.#room,
				directory: this.directory,
				settings: this.#settings,
				log: this.#log,
			});
		} catch (error) {
			this.#log.error({ error: errorMessage(error) }, 'hls: cannot start');
			throw createHttpError(500, `HLS could not start: ${errorMessage(error)}`);
		} finally {
			this.#starting = false;
		}
		if (this.closed) {
			// The room closed while the stream was starting.
			stream.close();
			await stream.removed();
			throw createHttpError(404, `room "${this.#room.id}" closed`);
		}
		this.#stream = stream;
		stream.observer.once('close', () => {
			if (this.#stream === stream) this.#stream = undefined;
		});
		this.#log.info({ directory: this.directory }, 'hls: stream started');
		return { url: this.url, startedAt: stream.startedAt };
	}

	/** Stops the stream; answers once its process is gone and its folder removed. 404 when off. */
	async stop(): Promise<void> {
		const stream = this.#stream;
		if (!stream) throw createHttpError(404, `room "${this.#room.id}" is not streamed`);
		this.#stream = undefined;
		stream.close();
		await stream.removed();
	}

	/** The room's active speaker changed (a member's id): the speaker layout shows its video large. */
	speaker(memberId: string): void {
		this.#stream?.speaker(memberId);
	}

	/** A new producer of the room: added to the running stream. */
	add(ownerId: string, producer: types.Producer): void {
		void this.#stream?.add(ownerId, producer);
	}

	protected closing(): void {
		this.#stream?.close();
		this.#stream = undefined;
	}
}
