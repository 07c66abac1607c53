// mediasoup-client's browser handlers (Chrome111) drive the global WebRTC
// classes. werift, a WebRTC stack in TypeScript, provides them in Node, so
// tests and tools get a real ICE + DTLS + SRTP peer without a browser.
import * as werift from 'werift';

export interface WeriftGlobalsOptions {
	/**
	 * Behave as a browser where mediasoup can tell: negotiate the ssrc-audio-level
	 * header extension on audio (the router's audio level observer, hence
	 * `activeSpeaker`) and transport-wide-cc with transport-cc feedback on
	 * VP8 video (the server's outgoing bandwidth estimation, hence
	 * `downlinkBwe`; werift's receiver answers with transport-cc feedback),
	 * which werift leaves off by default; and work around two werift bugs
	 * (ICE restart, late DTLS handshake messages: see BrowserLikePeerConnection).
	 */
	browserRtp?: boolean;
}

export function installWeriftGlobals({ browserRtp = false }: WeriftGlobalsOptions = {}): void {
	Object.assign(globalThis, {
		RTCPeerConnection: browserRtp ? BrowserLikePeerConnection : werift.RTCPeerConnection,
		RTCSessionDescription: werift.RTCSessionDescription,
		MediaStream: werift.MediaStream,
		MediaStreamTrack: werift.MediaStreamTrack,
		RTCRtpSender: werift.RTCRtpSender,
		RTCRtpReceiver: werift.RTCRtpReceiver,
	});
}

// werift's codec, feedback and extension factories are named like React hooks
// (useOPUS, ...), which the linter's hook rules would misread.
const codec = { opus: werift.useOPUS, pcmu: werift.usePCMU, vp8: werift.useVP8 };
const feedback = { nack: werift.useNACK, pli: werift.usePLI, remb: werift.useREMB, twcc: werift.useTWCC };
const extension = {
	mid: werift.useSdesMid,
	audioLevel: werift.useAudioLevelIndication,
	transportWideCc: werift.useTransportWideCC,
};

/**
 * werift's peer connection with a browser's RTP header extensions (see
 * WeriftGlobalsOptions), with ICE restarts that work and DTLS handshakes
 * that end, as in a browser: each description applied is followed by both
 * workarounds.
 */
class BrowserLikePeerConnection extends werift.RTCPeerConnection {
	readonly #guarded = new WeakSet<werift.RTCDtlsTransport>();

	constructor(config: ConstructorParameters<typeof werift.RTCPeerConnection>[0] = {}) {
		// Fresh objects per connection: werift numbers the extensions it is given in place.
		super({
			codecs: {
				audio: [codec.opus(), codec.pcmu()],
				video: [codec.vp8({ rtcpFeedback: [feedback.nack(), feedback.pli(), feedback.remb(), feedback.twcc()] })],
			},
			headerExtensions: {
				audio: [extension.mid(), extension.audioLevel()],
				video: [extension.mid(), extension.transportWideCc()],
			},
			...config,
		});
	}

	override setLocalDescription(description: { type: 'rollback' }): Promise<void>;
	override setLocalDescription(description?: werift.RTCLocalSessionDescriptionInit): Promise<werift.SessionDescription>;
	override async setLocalDescription(
		description?: werift.RTCLocalSessionDescriptionInit | { type: 'rollback' },
	): Promise<unknown> {
		// One call for both overloads: werift's implementation takes either.
		const result = await super.setLocalDescription(description as werift.RTCLocalSessionDescriptionInit);
		this.#afterDescription();
		return result;
	}

	override async setRemoteDescription(description: werift.RTCSessionDescriptionInit): Promise<void> {
		await super.setRemoteDescription(description);
		this.#afterDescription();
	}

	#afterDescription(): void {
		for (const dtlsTransport of this.dtlsTransports) {
			if (this.#guarded.has(dtlsTransport)) continue;
			this.#guarded.add(dtlsTransport);
			if (dtlsTransport.state === 'connected') endHandshakeWhenConnected(dtlsTransport);
			dtlsTransport.onStateChange.subscribe((state) => {
				if (state === 'connected') endHandshakeWhenConnected(dtlsTransport);
			});
		}
		this.#startRestartedIce();
	}

	/**
	 * werift 0.25.2 bug: an ICE restart resets the ICE connection (no pair
	 * selected any more), but the connect() that follows the new offer /
	 * answer skips ICE on any transport whose DTLS is still connected: no new
	 * checks are made, no pair is selected and every packet is silently
	 * dropped. A browser runs the checks of the new ICE session and keeps its
	 * DTLS association; so does this, once both ICE parameters are known.
	 */
	#startRestartedIce(): void {
		for (const dtlsTransport of this.dtlsTransports) {
			const { iceTransport } = dtlsTransport;
			const { connection } = iceTransport;
			const restarted = connection.nominated === undefined && iceTransport.state !== 'checking';
			const ready = iceTransport.gatheringState === 'complete' && connection.remoteUsername !== '';
			if (dtlsTransport.state === 'connected' && restarted && ready) {
				iceTransport.start().catch(() => {});
			}
		}
	}
}

/**
 * werift 0.25.2 bug: its DTLS client ignores a retransmitted ServerHello once
 * connected, but not the rest of the server's flight (Certificate ...
 * ServerHelloDone), and a copy that arrived just before the Finished is
 * still processed just after it: either way a new client flight starts,
 * whose retransmissions wait for a Finished that never comes again, for
 * about 30 s, and go on after the peer connection is closed, holding the
 * process open. mediasoup retransmits its flight after 100 ms, so a slow or
 * loaded client (over TCP most often) receives such late copies. Once
 * connected, the handshake is over, as in a browser: late handshake messages
 * are dropped, and the handshake stays at its final flight, so a flight
 * started late stops at its first check (half a second) instead of retrying.
 */
function endHandshakeWhenConnected({ dtls }: werift.RTCDtlsTransport): void {
	if (!dtls) return;
	const handle = dtls.onHandleHandshakes;
	dtls.onHandleHandshakes = async (assembled) => {
		if (!dtls.connected) await handle(assembled);
	};
	const finalFlight = dtls.dtls.flight;
	Object.defineProperty(dtls.dtls, 'flight', { configurable: true, get: () => finalFlight, set: () => {} });
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

/** An RTP header extension element: its negotiated id and its data. */
export interface RtpHeaderExtension {
	id: number;
	payload: Buffer;
}

/**
 * A minimal RTP packet (RFC 3550 fixed header + payload). werift rewrites SSRC,
 * payload type and the header extensions it knows how to fill (mid,
 * transport-wide-cc, ...) to what was negotiated, and keeps the others it is
 * given (RFC 8285 one-byte form); the payload is opaque to an SFU, so filler
 * bytes do.
 */
export function rtpPacket(
	sequenceNumber: number,
	timestamp: number,
	payloadSize = 160,
	{
		extensions = [],
		payload = Buffer.alloc(payloadSize, 0xaa),
	}: { extensions?: RtpHeaderExtension[]; payload?: Buffer } = {},
): Buffer {
	const header = new werift.RtpHeader({
		payloadType: 100, // replaced by the sender
		sequenceNumber: sequenceNumber & 0xffff,
		timestamp: timestamp >>> 0,
		ssrc: 0x12345678, // replaced by the sender
		extensions,
	});
	return new werift.RtpPacket(header, payload).serialize();
}

/**
 * The ssrc-audio-level header extension (RFC 6464): the V (voice activity)
 * bit and the level in -dBov, 0 the loudest and 127 silence.
 */
export function audioLevelExtension(id: number, level: number, voice = true): RtpHeaderExtension {
	return { id, payload: Buffer.from([(voice ? 0x80 : 0) | (level & 0x7f)]) };
}

/**
 * A VP8 payload an SFU takes for a key frame (RFC 7741): a payload descriptor
 * with S=1 and partition 0, then a frame tag whose inverse key frame bit is 0.
 * mediasoup forwards video to a new consumer only from a key frame on.
 */
export function vp8KeyFramePayload(size = 600): Buffer {
	const payload = Buffer.alloc(size, 0xaa);
	payload[0] = 0x10; // X=0, N=0, S=1, PID=0
	payload[1] = 0x00; // frame tag: key frame
	return payload;
}

/**
 * An opus packet a parser takes (RFC 6716): a TOC byte for one 20 ms
 * CELT-only fullband mono frame, then the frame's bytes. Recorders drop
 * packets whose TOC does not add up.
 */
export function opusPayload(size = 160): Buffer {
	const payload = Buffer.alloc(size, 0xaa);
	payload[0] = (31 << 3) | 0b000; // config 31, mono, one frame
	return payload;
}
