// The time a peer whose connection dropped is kept for its client to come
// back (config reconnect.graceMs). What is meant for the peer meanwhile (the
// server's requests) waits for its return here; when the time is up without
// it, onExpired runs (the peer closes). Owned by the Peer; end() it once.
export class GracePeriod {
	/** When the time is up (ms since the epoch). */
	readonly endsAt: number;
	readonly #timer: ReturnType<typeof setTimeout>;
	readonly #return = Promise.withResolvers<void>();

	constructor(graceMs: number, onExpired: () => void) {
		this.endsAt = Date.now() + graceMs;
		this.#timer = setTimeout(onExpired, graceMs);
		// Nobody may be waiting when the peer closes: that is not an error.
		this.#return.promise.catch(() => {});
	}

	/** Resolves when the peer is back, rejects when it is gone for good. */
	get returned(): Promise<void> {
		return this.#return.promise;
	}

	/** Whole seconds left, for what a refused client is told. */
	get secondsLeft(): number {
		return Math.max(0, Math.ceil((this.endsAt - Date.now()) / 1000));
	}

	/** The peer is back (true) or closed (false): the timer stops and whoever waits goes on. */
	end(back: boolean): void {
		clearTimeout(this.#timer);
		if (back) this.#return.resolve();
		else this.#return.reject(new Error('peer closed'));
	}
}
