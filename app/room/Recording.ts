// Recording the room on the server (ours, docs/PROTOCOL.md): start and stop,
// with the button busy meanwhile and a toast when the server refuses. Every
// peer, this one too, also hears recordingStarted / recordingStopped.
import { roomActions } from '../store/slices/room.ts';
import { errorMessage } from './errors.ts';
import type { RoomContext } from './RoomContext.ts';

export class Recording {
	readonly #ctx: RoomContext;

	constructor(ctx: RoomContext) {
		this.#ctx = ctx;
	}

	async start(): Promise<void> {
		await this.#request('start', async () => {
			const { startedAt } = await this.#ctx.signaling().request('startRecording');
			this.#ctx.store.dispatch(roomActions.recordingChanged(startedAt));
		});
	}

	async stop(): Promise<void> {
		await this.#request('stop', async () => {
			await this.#ctx.signaling().request('stopRecording');
			this.#ctx.store.dispatch(roomActions.recordingChanged(null));
		});
	}

	async #request(what: 'start' | 'stop', run: () => Promise<void>): Promise<void> {
		const { dispatch } = this.#ctx.store;
		dispatch(roomActions.recordingInProgressChanged(true));
		try {
			await run();
		} catch (error) {
			this.#ctx.notifier.notify('error', `Could not ${what} recording: ${errorMessage(error)}`);
		} finally {
			dispatch(roomActions.recordingInProgressChanged(false));
		}
	}
}
