// The receivers of a fanout room and where their RTP goes: the first few
// (every third of the first 3 * samples, so that with receivers placed round
// robin over routers every router has sampled ones) to the sink that reads
// them, all others to a drop socket the kernel counts for. Everyone's RTCP
// goes to a second drop socket, so the RTP counts hold RTP only.
import type { FanoutRoom, ReceiverTarget } from './FanoutRoom.ts';
import { inPool } from './inPool.ts';
import type { RtpSink } from './RtpSink.ts';
import type { StepPopulation } from './stepRow.ts';

export class ReceiverSet {
	readonly #room: FanoutRoom;
	readonly #sink: RtpSink;
	readonly #sampled: ReceiverTarget;
	readonly #counted: ReceiverTarget;
	readonly #samples: number;
	readonly #concurrency: number;
	/** SSRCs per receiver index, for the sampled ones only. */
	readonly #sampledSsrcs = new Map<number, number[]>();
	/** Receivers 0 .. count - 1 exist. */
	#count = 0;

	constructor(
		room: FanoutRoom,
		sink: RtpSink,
		targets: { sampled: ReceiverTarget; counted: ReceiverTarget },
		samples: number,
		concurrency: number,
	) {
		this.#room = room;
		this.#sink = sink;
		this.#sampled = targets.sampled;
		this.#counted = targets.counted;
		this.#samples = samples;
		this.#concurrency = concurrency;
	}

	isSampled(index: number): boolean {
		return index % 3 === 0 && index < 3 * this.#samples;
	}

	/** Adds or removes receivers (the most recent first) until there are `count`. */
	async resize(count: number): Promise<void> {
		while (this.#count > count) {
			const index = this.#count - 1;
			this.#sampledSsrcs.delete(index);
			await this.#room.removeReceiver(index);
			this.#count--;
		}
		const first = this.#count;
		if (first >= count) return;
		// A small pool of set-ups in flight: the server handles requests one
		// channel round trip at a time, so a few at once hide the latency.
		const indexes = Array.from({ length: count - first }, (_, offset) => first + offset);
		await inPool(indexes, this.#concurrency, (index) => this.#add(index));
		this.#count = count;
	}

	population(): StepPopulation {
		return {
			receivers: this.#count,
			sampledReceivers: this.#sampledSsrcs.size,
			sampledSsrcs: [...this.#sampledSsrcs.values()].flat(),
		};
	}

	async #add(index: number): Promise<void> {
		const sampled = this.isSampled(index);
		const ssrcs = await this.#room.addReceiver(index, sampled ? this.#sampled : this.#counted);
		if (!sampled) return;
		for (const ssrc of ssrcs) this.#sink.track(ssrc);
		this.#sampledSsrcs.set(index, ssrcs);
	}
}
