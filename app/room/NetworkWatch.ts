// Tells when the page's network seems to have gone, and when it seems back,
// sooner than the signaling connection can: a WebSocket over a network that
// went away neither fails nor answers for seconds to minutes, and over one
// that came back it stays silent until a retransmission (backed off to
// seconds) gets through. Two signs, whichever comes first:
//  - the browser's `offline` and `online` events (its interface went down, or
//    came up: a Wi-Fi that went away and came back);
//  - the packets the media transports receive (the server's RTP, RTCP and
//    ICE answers never stop for long while a call is on): none for
//    STALL_MS is "gone", the first ones after that are "back". This sees a
//    network that stopped passing traffic with every link up, which no
//    browser event tells.
// The owner decides what a sign means (RoomClient probes the signaling, or
// hurries its reconnect attempts); a false "gone" (a transport with nothing
// to receive for a while) only costs it a probe.
import { Closable } from '../../lifecycle/Closable.ts';

/** How often the transports' received bytes are read. */
export const POLL_INTERVAL_MS = 500;

/**
 * No packet for this long on any media transport: the network may be gone.
 * Longer than the 2.5 s between the ICE checks Chromium sends on a quiet
 * connection (and the server answers), so that a call with nothing else to
 * receive does not stall.
 */
export const STALL_MS = 3000;

export interface NetworkWatchHandlers {
	/** The network seems gone (offline, or the transports stopped receiving). */
	gone(): void;
	/** It seems back (online, or the transports receive again after a stall). */
	back(): void;
}

export interface NetworkWatchOptions {
	/** Where `online`/`offline` come from (the page's window); none outside a browser. */
	events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
	now?: () => number;
	setInterval?: (run: () => void, ms: number) => unknown;
	clearInterval?: (timer: unknown) => void;
}

/**
 * The bytes received so far over the media transports, summed; undefined
 * while there are none (the watch waits for them).
 */
export type ReceivedBytes = () => Promise<number | undefined>;

export class NetworkWatch extends Closable {
	readonly #received: ReceivedBytes;
	readonly #handlers: NetworkWatchHandlers;
	readonly #events: NetworkWatchOptions['events'];
	readonly #now: () => number;
	readonly #clearInterval: (timer: unknown) => void;
	readonly #timer: unknown;
	readonly #onOffline = () => this.#gone();
	readonly #onOnline = () => this.#back();
	/** The last count read, and when it last grew. */
	#bytes: number | undefined;
	#grewAt = 0;
	#reading = false;
	#isGone = false;

	constructor(received: ReceivedBytes, handlers: NetworkWatchHandlers, options: NetworkWatchOptions = {}) {
		super();
		this.#received = received;
		this.#handlers = handlers;
		this.#events = options.events;
		this.#now = options.now ?? (() => performance.now());
		this.#clearInterval = options.clearInterval ?? ((timer) => clearInterval(timer as ReturnType<typeof setInterval>));
		const every = options.setInterval ?? ((run, ms) => setInterval(run, ms));
		this.#timer = every(() => void this.#read(), POLL_INTERVAL_MS);
		this.#events?.addEventListener('offline', this.#onOffline);
		this.#events?.addEventListener('online', this.#onOnline);
	}

	async #read(): Promise<void> {
		// A getStats that takes longer than the interval is not stacked up.
		if (this.#reading) return;
		this.#reading = true;
		let bytes: number | undefined;
		try {
			bytes = await this.#received();
		} catch {
			bytes = undefined;
		} finally {
			this.#reading = false;
		}
		if (this.closed) return;
		const now = this.#now();
		if (bytes === undefined) {
			// No transports (yet, or any more): nothing to judge by.
			this.#bytes = undefined;
			return;
		}
		if (this.#bytes === undefined || bytes < this.#bytes) {
			// New transports: their count starts here.
			this.#bytes = bytes;
			this.#grewAt = now;
			return;
		}
		if (bytes > this.#bytes) {
			this.#bytes = bytes;
			this.#grewAt = now;
			if (this.#isGone) this.#back();
		} else if (!this.#isGone && now - this.#grewAt >= STALL_MS) {
			this.#gone();
		}
	}

	#gone(): void {
		if (this.closed || this.#isGone) return;
		this.#isGone = true;
		this.#handlers.gone();
	}

	#back(): void {
		if (this.closed) return;
		this.#isGone = false;
		// From now on a stall counts from here, not from before the outage.
		this.#grewAt = this.#now();
		this.#handlers.back();
	}

	protected override closing(): void {
		this.#clearInterval(this.#timer);
		this.#events?.removeEventListener('offline', this.#onOffline);
		this.#events?.removeEventListener('online', this.#onOnline);
	}
}
