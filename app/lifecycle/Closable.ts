// How everything in the app that owns a resource closes, mediasoup's way (and
// the server's, server/lifecycle/Closable.ts): a `closed` getter, an
// idempotent `close()`, and a typed `observer` that emits `close` once, after
// the object let go of what it owns, for whoever holds it. Parts that live
// inside an owner are told by it instead (LocalMedia.transportClosed(),
// RemoteMedia.consumerClosed()), as mediasoup tells a Producer that its
// transport closed. The browser has no node:events: the observer is
// mediasoup-client's own EnhancedEventEmitter.
import { EnhancedEventEmitter } from 'mediasoup-client/enhancedEvents';

// A type alias, not an interface: EnhancedEventEmitter wants an index signature.
export type CloseEvents = { close: [] };

export abstract class Closable {
	readonly observer = new EnhancedEventEmitter<CloseEvents>();
	#closed = false;

	get closed(): boolean {
		return this.#closed;
	}

	/** Closes what this object owns, once; later calls do nothing. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.closing();
		this.observer.safeEmit('close');
	}

	/** What closing does: runs once, inside the first close(). */
	protected abstract closing(): void;
}
