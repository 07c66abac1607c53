// A VP8 producer on a plain transport of a bare mediasoup router: what tests
// that exercise mediasoup or a recording directly, with no server, consume.
import type { types as ms } from 'mediasoup';

export async function plainVp8Producer(
	router: ms.Router,
): Promise<{ transport: ms.PlainTransport; producer: ms.Producer }> {
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const producer = await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
			encodings: [{ ssrc: 1111 }],
		},
	});
	return { transport, producer };
}
