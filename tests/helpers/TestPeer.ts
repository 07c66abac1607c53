// A headless client of our server for integration tests: protoo-client over a
// real WebSocket, and mediasoup-client's Device (FakeHandler for
// signaling-only peers) running the same join / produce / newConsumer
// protocol as the browser app. It records what a user's client would see.
// The protocol side is SignalingPeer's; see WebRtcTestPeer for media that flows.
import { Device, type types as msc } from 'mediasoup-client';
import * as fakeParameters from 'mediasoup-client/fakeParameters';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import type * as protooClient from 'protoo-client';
import { fakeTrack } from './fakeTrack.ts';
import { openProtoo, SignalingPeer, type SignalingPeerOptions } from './SignalingPeer.ts';

export type { Notification } from './SignalingPeer.ts';
export interface TestPeerOptions extends SignalingPeerOptions {
	/** The fake device's codecs, e.g. a client without video decoders (default: all of fakeParameters). */
	nativeCodecs?: (codec: msc.RtpCodecCapability) => boolean;
}

export class TestPeer extends SignalingPeer {
	static async connect(options: TestPeerOptions): Promise<TestPeer> {
		const peer = new TestPeer(openProtoo(options), options);
		await peer.opened;
		return peer;
	}

	private constructor(protoo: protooClient.Peer, options: TestPeerOptions) {
		const keep = options.nativeCodecs;
		const parameters = keep
			? {
					...fakeParameters,
					generateNativeRtpCapabilities: () => {
						const capabilities = fakeParameters.generateNativeRtpCapabilities();
						return { ...capabilities, codecs: capabilities.codecs?.filter(keep) };
					},
				}
			: fakeParameters;
		super(protoo, new Device({ handlerFactory: FakeHandler.createFactory(parameters) }), options);
	}

	async produce(kind: 'audio' | 'video'): Promise<msc.Producer> {
		if (!this.sendTransport) throw new Error('joined without a send transport');
		return this.sendTransport.produce({ track: fakeTrack(kind) });
	}
}
