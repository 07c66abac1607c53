// Watches the ICE/DTLS connection state of the transports: one that stays
// `disconnected` for a few seconds (the browser lost its path to the server
// and did not find it again) or goes `failed` is repaired (RoomClient
// restarts ICE, or finds out that the whole connection went). A transport
// repaired twice without getting connected again is given up on: the page
// rejoins.
import type { types } from 'mediasoup-client';
import { Closable } from '../../lifecycle/Closable.ts';

/** How long a transport may stay `disconnected` before it is repaired: ICE often recovers by itself within this. */
export const DISCONNECTED_GRACE_MS = 3000;

/** Repairs of one transport without it getting connected again, before the page rejoins instead. */
export const MAX_REPAIRS = 2;

export interface MediaWatchdogHandlers {
	repair(transport: types.Transport): void;
	/** Repairs did not bring it back. */
	gaveUp(transport: types.Transport): void;
}

interface Watched {
	timer: ReturnType<typeof setTimeout> | undefined;
	repairs: number;
}

export class MediaWatchdog extends Closable {
	readonly #handlers: MediaWatchdogHandlers;
	readonly #watched = new Map<types.Transport, Watched>();

	constructor(handlers: MediaWatchdogHandlers) {
		super();
		this.#handlers = handlers;
	}

	watch(transport: types.Transport): void {
		if (this.closed) return;
		this.#watched.set(transport, { timer: undefined, repairs: 0 });
		transport.on('connectionstatechange', (state) => this.#stateChanged(transport, state));
		transport.observer.once('close', () => this.#forget(transport));
	}

	/** A new start (the session was resumed): earlier repairs no longer count. */
	forgive(): void {
		for (const watched of this.#watched.values()) watched.repairs = 0;
	}

	#stateChanged(transport: types.Transport, state: types.ConnectionState): void {
		const watched = this.#watched.get(transport);
		if (!watched || this.closed) return;
		clearTimeout(watched.timer);
		watched.timer = undefined;
		if (state === 'connected') watched.repairs = 0;
		else if (state === 'failed') this.#repair(transport, watched);
		else if (state === 'disconnected') {
			watched.timer = setTimeout(() => this.#repair(transport, watched), DISCONNECTED_GRACE_MS);
		}
	}

	#repair(transport: types.Transport, watched: Watched): void {
		watched.timer = undefined;
		if (this.closed || transport.closed) return;
		watched.repairs += 1;
		if (watched.repairs > MAX_REPAIRS) this.#handlers.gaveUp(transport);
		else this.#handlers.repair(transport);
	}

	#forget(transport: types.Transport): void {
		clearTimeout(this.#watched.get(transport)?.timer);
		this.#watched.delete(transport);
	}

	protected override closing(): void {
		for (const watched of this.#watched.values()) clearTimeout(watched.timer);
		this.#watched.clear();
	}
}
