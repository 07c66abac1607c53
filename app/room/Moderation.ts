// The moderators' requests (the roomAdmin grant, ours: docs/PROTOCOL.md):
// mute or remove a peer, lock the room, admit or deny who waits in the lobby,
// end the meeting. What follows (a tile's mute badge, a peer gone, the lock
// badge, the lobby list) comes back as notifications, as for every peer.
import { selectPeerMedia } from '../store/selectors.ts';
import { moderationActions } from '../store/slices/moderation.ts';
import { errorMessage } from './errors.ts';
import type { RoomContext } from './RoomContext.ts';

export class Moderation {
	readonly #ctx: RoomContext;

	constructor(ctx: RoomContext) {
		this.#ctx = ctx;
	}

	/** Pauses the peer's microphone on the server: everyone stops hearing it, and the peer is told. */
	async mutePeer(peerId: string): Promise<void> {
		const audio = selectPeerMedia(this.#ctx.store.getState(), peerId).audio;
		if (!audio) return;
		await this.#request('mute them', () =>
			this.#ctx.signaling().request('muteProducer', { producerId: audio.producerId }),
		);
	}

	async removePeer(peerId: string, reason = ''): Promise<void> {
		await this.#request('remove them', () => this.#ctx.signaling().request('removePeer', { peerId, reason }));
	}

	async setLocked(locked: boolean): Promise<void> {
		const done = await this.#request(locked ? 'lock the room' : 'unlock the room', () =>
			this.#ctx.signaling().request('lockRoom', { locked }),
		);
		if (done) this.#ctx.store.dispatch(moderationActions.lockChanged(locked));
	}

	async admit(peerId: string): Promise<void> {
		await this.#request('let them in', () => this.#ctx.signaling().request('admitPeer', { peerId }));
	}

	async deny(peerId: string): Promise<void> {
		await this.#request('turn them away', () => this.#ctx.signaling().request('denyPeer', { peerId }));
	}

	/** Everyone is told the meeting ended, this page too, and the room closes. */
	async endMeeting(): Promise<void> {
		await this.#request('end the meeting', () => this.#ctx.signaling().request('endRoom'));
	}

	/** Whether the server did it; a toast says why not. */
	async #request(what: string, send: () => Promise<unknown>): Promise<boolean> {
		try {
			await send();
			return true;
		} catch (error) {
			// Ending the meeting closes this page's connection too, maybe before the answer comes.
			if (this.#ctx.store.getState().room.state !== 'closed') {
				this.#ctx.notifier.notify('error', `Could not ${what}: ${errorMessage(error)}`);
			}
			return false;
		}
	}
}
