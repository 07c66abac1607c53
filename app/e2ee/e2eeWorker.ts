// The worker behind every RTCRtpScriptTransform of the page (a separate
// bundle, dist/app/e2eeWorker.js): encrypts what the senders encode and
// decrypts what the receivers get, with the key the page posts first.
import { decryptFrame, encryptFrame, type FrameKind } from './frameCipher.ts';

interface TransformOptions {
	operation: 'encrypt' | 'decrypt';
	kind: 'audio' | 'video';
	/** Names the stream in the "cannot decrypt" message to the page. */
	label: string;
}

type EncodedFrame = RTCEncodedVideoFrame | RTCEncodedAudioFrame;

interface Transformer {
	readable: ReadableStream<EncodedFrame>;
	writable: WritableStream<EncodedFrame>;
	options: TransformOptions;
}

// The DOM lib describes the page, not a worker: the few worker globals used.
const scope = globalThis as unknown as {
	onmessage: ((event: MessageEvent<{ key: CryptoKey }>) => void) | null;
	onrtctransform: ((event: { transformer: Transformer }) => void) | null;
	postMessage(message: unknown): void;
};

let key: CryptoKey | undefined;

scope.onmessage = (event) => {
	key = event.data.key;
};

function frameKind(frame: EncodedFrame, kind: 'audio' | 'video'): FrameKind {
	if (kind === 'audio') return 'audio';
	return (frame as RTCEncodedVideoFrame).type === 'key' ? 'video-key' : 'video-delta';
}

scope.onrtctransform = ({ transformer }) => {
	const { operation, kind, label } = transformer.options;
	let reported = false;
	const transform = new TransformStream<EncodedFrame, EncodedFrame>({
		async transform(frame, controller) {
			// Without a key nothing leaves in the clear and nothing garbled is decoded.
			if (!key || frame.data.byteLength === 0) return;
			try {
				const kindOfFrame = frameKind(frame, kind);
				frame.data =
					operation === 'encrypt'
						? await encryptFrame(key, frame.data, kindOfFrame)
						: await decryptFrame(key, frame.data, kindOfFrame);
				controller.enqueue(frame);
			} catch {
				// A frame we cannot open is dropped; the page hears about it once.
				if (!reported) {
					reported = true;
					scope.postMessage({ type: 'decrypt-failed', label });
				}
			}
		},
	});
	void transformer.readable.pipeThrough(transform).pipeTo(transformer.writable);
};
