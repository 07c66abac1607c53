// A VP8 producer on a bare router and a plain transport that consumes it,
// paused: where tests of how mediasoup (and our patches to it) build a
// consumer's RTP parameters start. The router's capabilities give different
// consumer parameters without transport-wide-cc: mediasoup then keeps REMB
// feedback instead, and drops the extension.
import type { types as ms } from 'mediasoup';
import { plainVp8Producer } from './plainVp8Producer.ts';

export interface Vp8Consumers {
	producer: ms.Producer;
	/** A paused consumer of the producer, for a device with these capabilities. */
	consume(rtpCapabilities: ms.RtpCapabilities): Promise<ms.Consumer>;
	/** Closes both transports, and with them the producer and its consumers. */
	close(): void;
}

export async function vp8Consumers(router: ms.Router): Promise<Vp8Consumers> {
	const { transport: sending, producer } = await plainVp8Producer(router);
	const receiving = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	return {
		producer,
		consume: (rtpCapabilities) => receiving.consume({ producerId: producer.id, rtpCapabilities, paused: true }),
		close: () => {
			sending.close();
			receiving.close();
		},
	};
}

/** RTCP feedback as `type parameter` names ("nack", "nack pli"), to compare. */
export function feedbackNames(feedback: readonly ms.RtcpFeedback[] = []): string[] {
	return feedback.map((fb) => `${fb.type} ${fb.parameter ?? ''}`.trim());
}

/** The feedback types of a consumer's first codec. */
export function feedbackTypes(consumer: ms.Consumer): string[] | undefined {
	return consumer.rtpParameters.codecs[0]?.rtcpFeedback?.map((fb) => fb.type);
}

/** The same capabilities without the transport-wide-cc header extension. */
export function withoutTransportCc(capabilities: ms.RtpCapabilities): ms.RtpCapabilities {
	return {
		...capabilities,
		headerExtensions: capabilities.headerExtensions?.filter((ext) => !ext.uri.includes('transport-wide-cc')),
	};
}
