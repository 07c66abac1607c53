// Checks now and then that the server still answers a joined page: over a
// network that went away a WebSocket stays open for minutes, with nothing to
// tell, and the page would wait that long to resume.
import { Closable } from '../../lifecycle/Closable.ts';
import type { SignalingChannel } from '../signaling/SignalingChannel.ts';

/** How often the page asks. */
export const HEARTBEAT_INTERVAL_MS = 10_000;

/** How long the server has to answer before the connection counts as gone. */
export const PROBE_TIMEOUT_MS = 4000;

/**
 * The same when there is a sign that the network just went or came back
 * (NetworkWatch): a server that answers does so within a round trip, and a
 * connection that does not is resumed over a new one at once rather than
 * after seconds of waiting for it (a needless resume costs a round trip or
 * two, a needless wait costs the call those seconds).
 */
export const QUICK_PROBE_TIMEOUT_MS = 1000;

export class Heartbeat extends Closable {
	readonly #timer: ReturnType<typeof setInterval>;

	/** `dead`: the server did not answer in time (called once; the heartbeat closes). */
	constructor(signaling: SignalingChannel, dead: () => void) {
		super();
		this.#timer = setInterval(() => {
			void signaling.probe(PROBE_TIMEOUT_MS).then((alive) => {
				if (alive || this.closed || signaling.closed) return;
				this.close();
				dead();
			});
		}, HEARTBEAT_INTERVAL_MS);
	}

	protected override closing(): void {
		clearInterval(this.#timer);
	}
}
