// The bench's media source: opus-like audio and 1 Mbps VP8-like video as RTP
// over one UDP socket, with the packet sizes and timing of a real sender
// (20 ms audio packets, a burst of ~1150-byte packets per video frame, 30
// frames a second) so the server forwards what it would forward for a
// webcam. Packets are preallocated and rewritten in place: the sender must
// cost nothing next to what it measures.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

export interface RtpStreamSpec {
	ssrc: number;
	payloadType: number;
}

export interface RtpSenderOptions {
	/** Where the producers' plain transport listens (comedia: it learns our address from the first packet). */
	target: { ip: string; port: number };
	audio: RtpStreamSpec;
	video: RtpStreamSpec;
	/** Video bitrate in bits/s of RTP payload; default 1 Mbps. */
	videoBitrate?: number;
	/** Largest video RTP payload; default 1150 bytes, what browsers send on a 1200-byte MTU budget. */
	maxVideoPayload?: number;
	/** Opus at ~40 kbit/s in 20 ms packets: ~100 bytes. */
	audioPayload?: number;
	/** A key frame every this many frames even if nobody asks; default 60 (2 s). */
	keyFrameInterval?: number;
}

export interface SentCounts {
	audio: number;
	video: number;
}

const RTP_HEADER = 12;
const AUDIO_PTIME_MS = 20;
const AUDIO_CLOCK = 48000;
const FPS = 30;
// 100 ms: the least common multiple of the audio (20 ms) and video (33.3 ms) intervals.
const AUDIO_PACKETS_PER_CYCLE = 5;
const VIDEO_CLOCK = 90000;
// Packets in flight are never rewritten: a slot is reused only after this many
// later packets of its stream, long after the kernel has taken it.
const AUDIO_RING = 64;
const VIDEO_RING_FRAMES = 32;
// If the timer falls this far behind (a stalled event loop), skip ahead rather
// than send a burst the receivers would see as jitter.
const MAX_CATCH_UP_MS = 500;

export class RtpSender {
	readonly #socket: dgram.Socket;
	readonly #audio: RtpStreamSpec;
	readonly #video: RtpStreamSpec;
	readonly #audioPackets: Buffer[];
	/** [frame slot][packet index] */
	readonly #videoFrames: Buffer[][];
	readonly #frameIntervalMs: number;
	readonly #keyFrameInterval: number;
	readonly #sent: SentCounts = { audio: 0, video: 0 };
	#timer: NodeJS.Timeout | undefined;
	#startedAt = 0;
	#nextAudioAt = 0;
	#nextFrameAt = 0;
	#audioSeq = randomUint16();
	#videoSeq = randomUint16();
	#audioTs = randomUint32();
	#videoTs = randomUint32();
	#frames = 0;
	#keyFrameRequested = true;
	#keyFramesSent = 0;
	#keyFrameRequests = 0;
	#onCycle: (() => void)[] = [];

	static async open(options: RtpSenderOptions): Promise<RtpSender> {
		const socket = dgram.createSocket('udp4');
		await new Promise<void>((resolve, reject) => {
			socket.once('error', reject);
			socket.connect(options.target.port, options.target.ip, () => {
				socket.off('error', reject);
				resolve();
			});
		});
		return new RtpSender(socket, options);
	}

	private constructor(socket: dgram.Socket, options: RtpSenderOptions) {
		this.#socket = socket;
		this.#audio = options.audio;
		this.#video = options.video;
		this.#frameIntervalMs = 1000 / FPS;
		this.#keyFrameInterval = options.keyFrameInterval ?? 60;
		const frameBytes = Math.round((options.videoBitrate ?? 1_000_000) / 8 / FPS);
		const payloadSizes = splitFrame(frameBytes, options.maxVideoPayload ?? 1150);
		this.#audioPackets = Array.from({ length: AUDIO_RING }, () =>
			makePacket(options.audio, RTP_HEADER + (options.audioPayload ?? 100)),
		);
		this.#videoFrames = Array.from({ length: VIDEO_RING_FRAMES }, () =>
			payloadSizes.map((size, index) => makeVideoPacket(options.video, size, index === 0)),
		);
		// Key frame requests (PLI, FIR) from the server: new consumers wait for
		// a key frame before forwarding video, so answer them as a browser would.
		socket.on('message', (message) => {
			if (isKeyFrameRequest(message)) {
				this.#keyFrameRequested = true;
				this.#keyFrameRequests++;
			}
		});
		// A connected socket reports ICMP errors (nothing listening yet); not fatal for a sender.
		socket.on('error', () => {});
	}

	/** Nominal packets per second (audio + video) that each receiver should get. */
	get packetsPerSecond(): number {
		return 1000 / AUDIO_PTIME_MS + (this.#videoFrames[0]?.length ?? 0) * (1000 / this.#frameIntervalMs);
	}

	/** Packets sent so far; a copy. */
	get sent(): SentCounts {
		return { ...this.#sent };
	}

	get keyFrames(): { sent: number; requested: number } {
		return { sent: this.#keyFramesSent, requested: this.#keyFrameRequests };
	}

	/** Starts sending, or sends again after pause(), beginning with a key frame. */
	start(): void {
		if (this.#timer) return;
		this.#keyFrameRequested = true;
		this.#startedAt = performance.now();
		this.#nextAudioAt = this.#startedAt;
		this.#nextFrameAt = this.#startedAt;
		this.#schedule();
	}

	/** Wakes up when the next packet is due, not on a fixed short interval: fewer wake-ups, less harness CPU. */
	#schedule(): void {
		const due = Math.min(this.#nextAudioAt, this.#nextFrameAt);
		this.#timer = setTimeout(
			() => {
				this.#tick();
				if (this.#timer) this.#schedule();
			},
			Math.max(0, due - performance.now()),
		);
	}

	/**
	 * Runs `read` at the start of the next 100 ms cycle (5 audio packets, 3
	 * frames), just before its packets go out: the last video frame left 33 ms
	 * earlier, the last audio packet 20 ms earlier, the quietest moment of the
	 * schedule. Even near capacity the worker has finished forwarding them by
	 * then, so counters read now agree with `sent`, and every window spans
	 * whole cycles.
	 */
	atNextCycle<T>(read: () => T): Promise<T> {
		return new Promise((resolve, reject) => {
			this.#onCycle.push(() => {
				try {
					resolve(read());
				} catch (error) {
					reject(error);
				}
			});
		});
	}

	/** Stops sending until start(); sequence numbers and timestamps go on from where they were. */
	pause(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	async close(): Promise<void> {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		for (const pending of this.#onCycle.splice(0)) pending();
		await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
	}

	#tick(): void {
		const now = performance.now();
		const cycleStarts = this.#nextAudioAt <= now && this.#sent.audio % AUDIO_PACKETS_PER_CYCLE === 0;
		if (cycleStarts && this.#onCycle.length > 0) for (const pending of this.#onCycle.splice(0)) pending();
		if (now - this.#nextAudioAt > MAX_CATCH_UP_MS) this.#nextAudioAt = now;
		if (now - this.#nextFrameAt > MAX_CATCH_UP_MS) this.#nextFrameAt = now;
		while (this.#nextAudioAt <= now) {
			this.#sendAudio();
			this.#nextAudioAt += AUDIO_PTIME_MS;
		}
		while (this.#nextFrameAt <= now) {
			this.#sendFrame();
			this.#nextFrameAt += this.#frameIntervalMs;
		}
	}

	#sendAudio(): void {
		const packet = this.#audioPackets[this.#sent.audio % AUDIO_RING] as Buffer;
		writeHeader(packet, this.#audio.payloadType, true, this.#audioSeq, this.#audioTs);
		this.#socket.send(packet);
		this.#audioSeq = (this.#audioSeq + 1) & 0xffff;
		this.#audioTs = (this.#audioTs + (AUDIO_CLOCK * AUDIO_PTIME_MS) / 1000) >>> 0;
		this.#sent.audio++;
	}

	#sendFrame(): void {
		const packets = this.#videoFrames[this.#frames % VIDEO_RING_FRAMES] as Buffer[];
		const keyFrame = this.#keyFrameRequested || this.#frames % this.#keyFrameInterval === 0;
		if (keyFrame) {
			this.#keyFrameRequested = false;
			this.#keyFramesSent++;
		}
		writeVp8FrameTag(packets[0] as Buffer, keyFrame);
		for (let index = 0; index < packets.length; index++) {
			const packet = packets[index] as Buffer;
			writeHeader(packet, this.#video.payloadType, index === packets.length - 1, this.#videoSeq, this.#videoTs);
			this.#socket.send(packet);
			this.#videoSeq = (this.#videoSeq + 1) & 0xffff;
			this.#sent.video++;
		}
		this.#videoTs = (this.#videoTs + VIDEO_CLOCK / (1000 / this.#frameIntervalMs)) >>> 0;
		this.#frames++;
	}
}

/** Payload sizes of one frame: full packets and the remainder, the way packetizers split. */
function splitFrame(frameBytes: number, maxPayload: number): number[] {
	const count = Math.ceil(frameBytes / maxPayload);
	const sizes = Array.from({ length: count }, () => maxPayload);
	sizes[count - 1] = frameBytes - maxPayload * (count - 1);
	return sizes;
}

function makePacket(stream: RtpStreamSpec, length: number): Buffer {
	const packet = Buffer.alloc(length);
	// Something other than zeros, like compressed media.
	for (let i = RTP_HEADER; i < length; i++) packet[i] = (i * 131 + 7) & 0xff;
	packet.writeUInt32BE(stream.ssrc, 8);
	return packet;
}

/**
 * A VP8 payload descriptor of one byte (RFC 7741: no picture id, partition 0),
 * S set on the frame's first packet, which also carries the VP8 frame header
 * mediasoup reads the key-frame bit from.
 */
function makeVideoPacket(stream: RtpStreamSpec, payloadSize: number, first: boolean): Buffer {
	const packet = makePacket(stream, RTP_HEADER + payloadSize);
	packet[RTP_HEADER] = first ? 0x10 : 0x00;
	return packet;
}

/** Frame tag (RFC 6386 9.1): bit 0 is 0 for a key frame, which then has the start code and a size. */
function writeVp8FrameTag(packet: Buffer, keyFrame: boolean): void {
	const tag = RTP_HEADER + 1;
	packet[tag] = keyFrame ? 0x10 : 0x11; // show_frame set, version 0
	if (!keyFrame) return;
	packet[tag + 3] = 0x9d;
	packet[tag + 4] = 0x01;
	packet[tag + 5] = 0x2a;
	packet.writeUInt16LE(640, tag + 6);
	packet.writeUInt16LE(360, tag + 8);
}

function writeHeader(packet: Buffer, payloadType: number, marker: boolean, seq: number, timestamp: number): void {
	packet[0] = 0x80;
	packet[1] = (marker ? 0x80 : 0) | payloadType;
	packet.writeUInt16BE(seq, 2);
	packet.writeUInt32BE(timestamp, 4);
}

/** PLI (PSFB, FMT 1) or FIR (PSFB, FMT 4) anywhere in a compound RTCP packet. */
function isKeyFrameRequest(message: Buffer): boolean {
	let offset = 0;
	while (offset + 4 <= message.length) {
		const first = message[offset] as number;
		const type = message[offset + 1] as number;
		if (first >> 6 !== 2) return false;
		if (type === 206 && ((first & 0x1f) === 1 || (first & 0x1f) === 4)) return true;
		offset += (message.readUInt16BE(offset + 2) + 1) * 4;
	}
	return false;
}

function randomUint16(): number {
	return Math.floor(Math.random() * 0x10000);
}

function randomUint32(): number {
	return Math.floor(Math.random() * 0x100000000);
}
