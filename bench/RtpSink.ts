// Where the sampled receivers' RTP lands: one UDP socket in this process that
// reads every packet, counts it per SSRC and follows sequence numbers to find
// gaps, like a receiver's jitter buffer would (RFC 3550 A.1). Only a handful
// of receivers are sampled this way because reading a packet in Node costs
// about as much CPU as the worker spends forwarding it; the others are counted
// by the kernel (KernelCounter). State lives in preallocated typed arrays: the
// per-packet path allocates nothing beyond the Buffer dgram hands over.
import dgram from 'node:dgram';

export interface SinkSnapshot {
	/** Per tracked SSRC, in the order track() was called. */
	ssrcs: number[];
	received: Float64Array;
	/** Extended highest sequence number seen (cycles * 65536 + seq); -1 before the first packet. */
	highestSeq: Float64Array;
	/** Sequence-number jumps: each is one or more packets missing. */
	gaps: Float64Array;
	rtcp: Float64Array;
	/** RTP or RTCP for an SSRC nobody tracks, and datagrams that are not RTP at all. */
	unknown: number;
}

const INITIAL_CAPACITY = 64;

export class RtpSink {
	readonly #socket: dgram.Socket;
	readonly #slots = new Map<number, number>();
	#ssrcs: number[] = [];
	#received = new Float64Array(INITIAL_CAPACITY);
	#maxSeq = new Int32Array(INITIAL_CAPACITY);
	#cycles = new Float64Array(INITIAL_CAPACITY);
	#started = new Uint8Array(INITIAL_CAPACITY);
	#gaps = new Float64Array(INITIAL_CAPACITY);
	#rtcp = new Float64Array(INITIAL_CAPACITY);
	#unknown = 0;

	static async open(ip = '127.0.0.1'): Promise<RtpSink> {
		// A large buffer so bursts (a video frame for every sampled receiver at
		// once) wait in the kernel instead of being dropped before we read them.
		const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
		await new Promise<void>((resolve, reject) => {
			socket.once('error', reject);
			socket.bind(0, ip, () => {
				socket.off('error', reject);
				resolve();
			});
		});
		return new RtpSink(socket);
	}

	private constructor(socket: dgram.Socket) {
		this.#socket = socket;
		socket.on('message', (message) => this.#onMessage(message));
	}

	get address(): { ip: string; port: number } {
		const { address, port } = this.#socket.address();
		return { ip: address, port };
	}

	/** Starts counting an SSRC (a consumer's); packets of untracked SSRCs count as unknown. */
	track(ssrc: number): void {
		if (this.#slots.has(ssrc)) return;
		const slot = this.#ssrcs.length;
		if (slot === this.#received.length) this.#grow();
		this.#slots.set(ssrc, slot);
		this.#ssrcs.push(ssrc);
	}

	/** A copy of the counters, to subtract from a later one. */
	snapshot(): SinkSnapshot {
		const count = this.#ssrcs.length;
		const highestSeq = new Float64Array(count);
		for (let slot = 0; slot < count; slot++) {
			highestSeq[slot] = this.#started[slot] ? (this.#cycles[slot] as number) + (this.#maxSeq[slot] as number) : -1;
		}
		return {
			ssrcs: this.#ssrcs.slice(),
			received: this.#received.slice(0, count),
			highestSeq,
			gaps: this.#gaps.slice(0, count),
			rtcp: this.#rtcp.slice(0, count),
			unknown: this.#unknown,
		};
	}

	close(): Promise<void> {
		return new Promise((resolve) => this.#socket.close(() => resolve()));
	}

	#onMessage(message: Buffer): void {
		if (message.length < 8 || (message[0] as number) >> 6 !== 2) {
			this.#unknown++;
			return;
		}
		const second = message[1] as number;
		// RFC 5761: RTCP packet types 192-223 share the byte with RTP's marker + payload type.
		if (second >= 192 && second <= 223) {
			const slot = this.#slots.get(message.readUInt32BE(4));
			if (slot === undefined) this.#unknown++;
			else this.#rtcp[slot] = (this.#rtcp[slot] as number) + 1;
			return;
		}
		if (message.length < 12) {
			this.#unknown++;
			return;
		}
		const slot = this.#slots.get(message.readUInt32BE(8));
		if (slot === undefined) {
			this.#unknown++;
			return;
		}
		this.#onRtp(slot, message.readUInt16BE(2));
	}

	#onRtp(slot: number, seq: number): void {
		this.#received[slot] = (this.#received[slot] as number) + 1;
		if (!this.#started[slot]) {
			this.#started[slot] = 1;
			this.#maxSeq[slot] = seq;
			return;
		}
		const max = this.#maxSeq[slot] as number;
		const delta = (seq - max) & 0xffff;
		// delta 0 is a duplicate, >= 0x8000 a late (reordered) packet: neither moves the highest.
		if (delta === 0 || delta >= 0x8000) return;
		if (seq < max) this.#cycles[slot] = (this.#cycles[slot] as number) + 0x10000;
		if (delta > 1) this.#gaps[slot] = (this.#gaps[slot] as number) + 1;
		this.#maxSeq[slot] = seq;
	}

	#grow(): void {
		const size = this.#received.length * 2;
		this.#received = grown(this.#received, new Float64Array(size));
		this.#maxSeq = grown(this.#maxSeq, new Int32Array(size));
		this.#cycles = grown(this.#cycles, new Float64Array(size));
		this.#started = grown(this.#started, new Uint8Array(size));
		this.#gaps = grown(this.#gaps, new Float64Array(size));
		this.#rtcp = grown(this.#rtcp, new Float64Array(size));
	}
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
	to.set(from);
	return to;
}
