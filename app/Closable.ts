// How everything in the app that owns a resource closes, in mediasoup's own
// idiom: `closed` says whether it has, `close()` releases what it owns once (a
// second call does nothing), and then its typed `observer` emits 'close' for
// whoever holds it and must let go. Parts that live inside an owner are told
// by it instead (LocalMedia.transportClosed(), RemoteMedia.consumerClosed()),
// as mediasoup tells a Producer that its transport closed.
import { EnhancedEventEmitter } from 'mediasoup-client/enhancedEvents';

// A type alias, not an interface: EnhancedEventEmitter wants an index signature.
export type ClosableEvents = {
	close: [];
};

export abstract class Closable {
	readonly observer = new EnhancedEventEmitter<ClosableEvents>();
	#closed = false;

	get closed(): boolean {
		return this.#closed;
	}

	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.release();
		this.observer.safeEmit('close');
	}

	/** Releases what this object owns; close() calls it once. */
	protected abstract release(): void;
}
