// Hand-made RTP for tests that send straight to mediasoup's plain transports,
// and the UDP sockets and RTP/RTCP split their sinks need.
import dgram from 'node:dgram';

export interface RtpHeader {
	payloadType: number;
	ssrc: number;
	sequence: number;
	timestamp: number;
	/** Set on a frame's last packet. */
	marker?: boolean;
}

/** An RTP packet: the fixed 12-byte header (RFC 3550, no CSRCs or extension), then the payload. */
export function rtpPacket(
	{ payloadType, ssrc, sequence, timestamp, marker = false }: RtpHeader,
	payload: Buffer,
): Buffer {
	const header = Buffer.alloc(12);
	header[0] = 0x80;
	header[1] = (marker ? 0x80 : 0) | payloadType;
	header.writeUInt16BE(sequence & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc, 8);
	return Buffer.concat([header, payload]);
}

/** RTCP on a muxed port: its packet types 192-223 share the second byte with RTP's marker and payload type (RFC 5761). */
export function isRtcp(message: Buffer): boolean {
	const second = message.readUInt8(1);
	return second >= 192 && second <= 223;
}

/** A UDP socket bound to a free port on 127.0.0.1. */
export async function localUdpSocket(): Promise<dgram.Socket> {
	const socket = dgram.createSocket('udp4');
	await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
	return socket;
}

/** VP8 payload descriptor (S set, partition 0) and a key frame's header, so the consumer forwards from the start. */
export function vp8KeyFramePayload(): Buffer {
	const payload = Buffer.alloc(100, 0x33);
	payload[0] = 0x10;
	payload[1] = 0x10; // frame tag: key frame, show_frame
	payload[2] = 0x00;
	payload[3] = 0x00;
	payload.set([0x9d, 0x01, 0x2a], 4);
	payload.writeUInt16LE(640, 7);
	payload.writeUInt16LE(360, 9);
	return payload;
}

export interface SenderReportFields {
	ssrc: number;
	/** The sender's wall clock, in ms since 1970 (written as NTP time). */
	wallClockMs: number;
	/** The RTP timestamp that corresponds to the wall clock. */
	rtpTimestamp: number;
	packets: number;
	octets: number;
}

/** An RTCP sender report (RFC 3550 6.4.1) with no report blocks. */
export function senderReport({ ssrc, wallClockMs, rtpTimestamp, packets, octets }: SenderReportFields): Buffer {
	const report = Buffer.alloc(28);
	report[0] = 0x80; // V=2, no report blocks
	report[1] = 200; // SR
	report.writeUInt16BE(6, 2); // length in 32-bit words, minus one
	report.writeUInt32BE(ssrc, 4);
	const ntpSeconds = Math.floor(wallClockMs / 1000) + NTP_EPOCH_OFFSET_S;
	report.writeUInt32BE(ntpSeconds >>> 0, 8);
	report.writeUInt32BE(Math.floor(((wallClockMs % 1000) / 1000) * 2 ** 32) >>> 0, 12);
	report.writeUInt32BE(rtpTimestamp >>> 0, 16);
	report.writeUInt32BE(packets >>> 0, 20);
	report.writeUInt32BE(octets >>> 0, 24);
	return report;
}

/** Seconds from 1900 (NTP's epoch) to 1970 (Unix's). */
const NTP_EPOCH_OFFSET_S = 2_208_988_800;
