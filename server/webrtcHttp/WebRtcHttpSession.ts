// What a WHIP session (ingest) and a WHEP session (playback) share: the
// resource id in its URL, its one WebRtcTransport on the room's
// WebRtcServer, the SDP answer of its POST, the ICE session a PATCH restarts
// (and its entity tag), and when it ends by itself: its transport's DTLS
// failed or closed, its ICE has not connected within whip.iceTimeoutMs of
// the offer or of an ICE restart or stays disconnected that long (a client
// that went away without DELETE; it can restart ICE with a PATCH
// meanwhile), or its transport closed (the room's routers closed with the
// room). What closing a session releases is the subclass's.
import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { Closable } from '../../lifecycle/Closable.ts';
import type { Room } from '../room/Room.ts';

export interface SessionParts {
	room: Room;
	transport: types.WebRtcTransport;
	answer: string;
	/** The ICE username fragment of the offer. */
	clientUfrag: string;
	log: Logger;
}

export abstract class WebRtcHttpSession extends Closable {
	/** The resource id in the session's URL: unguessable, as it is all a client needs besides its token. */
	readonly id = randomBytes(16).toString('hex');
	readonly room: Room;
	readonly transport: types.WebRtcTransport;
	/** The SDP answer of the POST. */
	readonly answer: string;
	protected readonly log: Logger;
	readonly #protocol: string;
	/** The ICE username fragment of the client's current ICE session (a new one means an ICE restart). */
	#clientUfrag: string;
	#etag = newEtag();
	#iceTimer: NodeJS.Timeout | undefined;

	/** `protocol`: "WHIP" or "WHEP", for the log; `logFields`: what else names the session there. */
	protected constructor(parts: SessionParts, protocol: string, logFields: Record<string, string>) {
		super();
		this.room = parts.room;
		this.transport = parts.transport;
		this.answer = parts.answer;
		this.#protocol = protocol;
		this.#clientUfrag = parts.clientUfrag;
		this.log = parts.log.child({ roomId: this.room.id, ...logFields, [`${protocol.toLowerCase()}Session`]: this.id });
		this.transport.observer.once('close', () => this.close());
		this.transport.on('dtlsstatechange', (state) => {
			if (state === 'failed' || state === 'closed') this.end(`DTLS ${state}`);
		});
		this.transport.on('icestatechange', (state) => {
			if (state === 'connected' || state === 'completed') this.#clearIceTimer();
			if (state === 'disconnected') this.#startIceTimer('ICE disconnected');
		});
		this.#startIceTimer('ICE did not connect');
	}

	/** The entity tag of the current ICE session (If-Match of a PATCH). */
	get etag(): string {
		return this.#etag;
	}

	/**
	 * A PATCH's ICE username fragment: a new one is an ICE restart, which
	 * gives the transport new ICE parameters (answered to the client); the
	 * same one (or none) is trickle, and mediasoup, ICE-lite, needs no remote
	 * candidates: the client's checks tell it where the client is.
	 */
	async patchIce(clientUfrag: string | undefined): Promise<types.IceParameters | undefined> {
		if (clientUfrag === undefined || clientUfrag === this.#clientUfrag) return undefined;
		const iceParameters = await this.transport.restartIce();
		this.#clientUfrag = clientUfrag;
		this.#etag = newEtag();
		this.#startIceTimer('ICE did not connect after a restart');
		this.log.info(`${this.#protocol} session restarted ICE`);
		return iceParameters;
	}

	#startIceTimer(why: string): void {
		this.#clearIceTimer();
		const timeoutMs = this.room.config.whip.iceTimeoutMs;
		this.#iceTimer = setTimeout(() => this.end(`${why} within ${timeoutMs} ms`), timeoutMs);
		this.#iceTimer.unref();
	}

	#clearIceTimer(): void {
		if (this.#iceTimer) clearTimeout(this.#iceTimer);
		this.#iceTimer = undefined;
	}

	/** Ends the session by itself (not on its client's DELETE), saying why. */
	protected end(why: string): void {
		if (this.closed) return;
		this.log.warn({ why }, `${this.#protocol} session ends`);
		this.close();
	}

	/** What the session lets go of when it closes (its member, its consumers, its transport). */
	protected abstract release(): void;

	protected closing(): void {
		this.#clearIceTimer();
		this.release();
		this.log.info(`${this.#protocol} session closed`);
	}
}

function newEtag(): string {
	return `"${randomBytes(8).toString('hex')}"`;
}
