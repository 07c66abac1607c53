// The TURN servers this page's transports may use, with the short-lived
// credentials the server hands out (getIceServers, docs/PROTOCOL.md "TURN").
// A transport gathers candidates, and so opens TURN allocations, when it is
// first used (the receiving one at its first consumer, which may come long
// after it was made) and at every ICE restart, however long the call has
// lasted. So credentials are asked for afresh before the transports are made
// and before every ICE restart, and again at half their lifetime, each time
// given to every transport: none ever holds credentials past their expiry.
// One lives as long as the transports of a session (RoomClient closes it with
// them).
import type { types } from 'mediasoup-client';
import { Closable } from '../../lifecycle/Closable.ts';
import type { IceServer } from '../../protocol/iceServers.ts';
import type { SignalingChannel } from '../signaling/SignalingChannel.ts';

/** After a refresh that failed (the connection is away, say), the next try. */
export const REFRESH_RETRY_MS = 10_000;

export interface IceServersSources {
	/** The current connection (throws when there is none). */
	signaling(): SignalingChannel;
	/** The transports the credentials go to. */
	transports(): readonly types.Transport[];
}

export class IceServers extends Closable {
	readonly #sources: IceServersSources;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(sources: IceServersSources) {
		super();
		this.#sources = sources;
	}

	/**
	 * Fresh ICE servers from the server, given to every open transport; the
	 * next refresh is due at half their ttl. Empty: the server has no TURN.
	 */
	async refresh(): Promise<IceServer[]> {
		const { iceServers, ttl } = await this.#sources.signaling().request('getIceServers');
		if (this.closed) return iceServers;
		this.#schedule(ttl === undefined ? undefined : (ttl * 1000) / 2);
		const open = this.#sources.transports().filter((transport) => !transport.closed);
		// Settled, not all: a transport that closes meanwhile refuses them, and needs none.
		await Promise.allSettled(open.map((transport) => transport.updateIceServers({ iceServers })));
		return iceServers;
	}

	#schedule(delayMs: number | undefined): void {
		clearTimeout(this.#timer);
		this.#timer =
			delayMs === undefined
				? undefined
				: setTimeout(() => {
						this.#timer = undefined;
						this.refresh().catch(() => {
							// Not now: the next ICE restart asks anyway, and this tries again.
							if (!this.closed && this.#timer === undefined) this.#schedule(REFRESH_RETRY_MS);
						});
					}, delayMs);
	}

	protected override closing(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}
}
