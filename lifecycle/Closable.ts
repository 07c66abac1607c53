// How every owning class closes, in the server and in the app, mediasoup's
// way: a `closed` getter, an idempotent `close()`, and an `observer` that
// emits `close` once, after the object let go of what it owns. A parent closes
// its children with their close() and learns of a child closing on its own (a
// socket gone, a worker dead) from the child's observer.
//
// `events`, not `node:events`: Node resolves it to its own module, and the
// app's bundle (esbuild, platform browser) to the npm package of the same API.
import { EventEmitter } from 'events';

/** What every observer emits; a class adds its own events beside `close`. */
export type CloseEvents = { close: [] };

export abstract class Closable<Events extends Record<keyof Events, unknown[]> & CloseEvents = CloseEvents> {
	readonly observer = new EventEmitter<Events>();
	#closed = false;

	get closed(): boolean {
		return this.#closed;
	}

	/** Closes what this object owns, once; later calls do nothing. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.closing();
		// EventEmitter cannot see that every Events has `close: []`.
		(this.observer as unknown as EventEmitter<CloseEvents>).emit('close');
	}

	/** What closing does: runs once, inside the first close(). */
	protected abstract closing(): void;
}
