// What the fanout ramp needs from "a room": a place to send one sender's
// audio and video to (the streams of benchMedia.ts), and receivers it can add
// and remove. The server scenario builds it through the REST broadcaster API,
// the raw one from bare mediasoup objects; everything else (sending, sinks,
// ramping, measuring) is shared, so the two numbers differ only by what the
// server adds.
export interface Endpoint {
	ip: string;
	port: number;
}

/** Where a receiver's RTP goes, and its RTCP (kept apart so RTP counts are RTP only). */
export interface ReceiverTarget extends Endpoint {
	rtcpPort: number;
}

export interface FanoutRoom {
	/** The producers' plain transport (comedia: it learns the sender's address from its first packet). */
	readonly ingest: Endpoint;
	/**
	 * Adds receiver number `index` (the caller numbers them): a plain transport
	 * without RTCP multiplexing, connected to `target`, and a consumer per
	 * producer. Resolves with the consumers' SSRCs (audio, video).
	 */
	addReceiver(index: number, target: ReceiverTarget): Promise<number[]>;
	removeReceiver(index: number): Promise<void>;
	/** The mediasoup worker processes doing the forwarding. */
	workerPids(): number[];
	/** The server's Node process, when there is one besides this process. */
	readonly nodePid: number | undefined;
}
