// End-to-end encryption for this page (the e2eKey URL flag): one worker, one
// key from the passphrase, and a script transform on every RTP sender and
// receiver, so the server relays media it cannot decode. Covers audio and
// video (VP8 only: see frameCipher.ts); chat messages are not covered. The
// worker lives as long as the page: a rejoin encrypts with the same key.
import { deriveKey } from './frameCipher.ts';

export class E2eeSession {
	readonly #worker: Worker;

	static isSupported(): boolean {
		return typeof RTCRtpScriptTransform === 'function' && typeof Worker === 'function';
	}

	static async start(passphrase: string, onDecryptFailed: (label: string) => void): Promise<E2eeSession> {
		const key = await deriveKey(passphrase);
		const worker = new Worker(new URL('e2eeWorker.js', document.baseURI), { type: 'module' });
		worker.postMessage({ key });
		worker.onmessage = (event: MessageEvent<{ type: string; label: string }>) => {
			if (event.data.type === 'decrypt-failed') onDecryptFailed(event.data.label);
		};
		return new E2eeSession(worker);
	}

	private constructor(worker: Worker) {
		this.#worker = worker;
	}

	encrypt(sender: RTCRtpSender, kind: 'audio' | 'video', label: string): void {
		sender.transform = new RTCRtpScriptTransform(this.#worker, { operation: 'encrypt', kind, label });
	}

	decrypt(receiver: RTCRtpReceiver, kind: 'audio' | 'video', label: string): void {
		receiver.transform = new RTCRtpScriptTransform(this.#worker, { operation: 'decrypt', kind, label });
	}
}
