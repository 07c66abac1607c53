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
