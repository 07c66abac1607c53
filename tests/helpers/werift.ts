// mediasoup-client's browser handlers (Chrome111) drive the global WebRTC
// classes. werift, a WebRTC stack in TypeScript, provides them in Node, so
// tests and tools get a real ICE + DTLS + SRTP peer without a browser.
import * as werift from 'werift';

export function installWeriftGlobals(): void {
	Object.assign(globalThis, {
		RTCPeerConnection: werift.RTCPeerConnection,
		RTCSessionDescription: werift.RTCSessionDescription,
		MediaStream: werift.MediaStream,
		MediaStreamTrack: werift.MediaStreamTrack,
		RTCRtpSender: werift.RTCRtpSender,
		RTCRtpReceiver: werift.RTCRtpReceiver,
	});
}

/** A werift track that sends what `writeRtp` is given; mediasoup-client types it as a DOM track. */
export function createRtpTrack(kind: 'audio' | 'video'): { track: MediaStreamTrack; source: werift.MediaStreamTrack } {
	const source = new werift.MediaStreamTrack({ kind });
	return { track: source as unknown as MediaStreamTrack, source };
}

/** The werift object behind a track mediasoup-client handed out (for a consumer's received RTP). */
export function asWeriftTrack(track: MediaStreamTrack): werift.MediaStreamTrack {
	return track as unknown as werift.MediaStreamTrack;
}

/**
 * A minimal RTP packet (RFC 3550 fixed header + payload). werift rewrites SSRC,
 * payload type and header extensions to what was negotiated; the payload is
 * opaque to an SFU, so filler bytes do.
 */
export function rtpPacket(sequenceNumber: number, timestamp: number, payloadSize = 160): Buffer {
	const packet = Buffer.alloc(12 + payloadSize, 0xaa);
	packet[0] = 0x80; // version 2, no padding, no extension, no CSRC
	packet[1] = 100; // payload type, replaced by the sender
	packet.writeUInt16BE(sequenceNumber & 0xffff, 2);
	packet.writeUInt32BE(timestamp >>> 0, 4);
	packet.writeUInt32BE(0x12345678, 8);
	return packet;
}
