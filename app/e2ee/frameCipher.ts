// End-to-end encryption of encoded media frames (e2eKey): AES-GCM with a key
// derived from the shared passphrase, so the server forwards frames it cannot
// read. Pure functions, used by the worker (e2eeWorker.ts) and testable alone.
//
// An encrypted frame is: [clear header][ciphertext + tag][IV (12 bytes)].
// The first bytes stay clear because the SFU and the receiving browser read
// them: VP8's payload header (10 bytes of a key frame, 3 of a delta frame)
// says key frame or not and the picture size; Opus's first byte (TOC) says
// how the packet is built. The clear header is authenticated as AAD.

const IV_BYTES = 12;
const SALT = new TextEncoder().encode('mediasoup-conference e2ee v1');
const ITERATIONS = 100_000;

export type FrameKind = 'audio' | 'video-key' | 'video-delta';

export function clearBytes(kind: FrameKind): number {
	if (kind === 'video-key') return 10;
	if (kind === 'video-delta') return 3;
	return 1;
}

/** The AES-GCM key every peer with the same passphrase derives. */
export async function deriveKey(passphrase: string): Promise<CryptoKey> {
	const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, [
		'deriveKey',
	]);
	return crypto.subtle.deriveKey(
		{ name: 'PBKDF2', salt: SALT, iterations: ITERATIONS, hash: 'SHA-256' },
		material,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt'],
	);
}

export async function encryptFrame(key: CryptoKey, data: ArrayBuffer, kind: FrameKind): Promise<ArrayBuffer> {
	const bytes = new Uint8Array(data);
	const header = bytes.subarray(0, Math.min(clearBytes(kind), bytes.length));
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const sealed = new Uint8Array(
		await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, bytes.subarray(header.length)),
	);
	const out = new Uint8Array(header.length + sealed.length + IV_BYTES);
	out.set(header, 0);
	out.set(sealed, header.length);
	out.set(iv, header.length + sealed.length);
	return out.buffer;
}

/** Throws when the frame was not encrypted with this key (or not at all). */
export async function decryptFrame(key: CryptoKey, data: ArrayBuffer, kind: FrameKind): Promise<ArrayBuffer> {
	const bytes = new Uint8Array(data);
	const headerLength = clearBytes(kind);
	if (bytes.length < headerLength + IV_BYTES + 16) throw new Error('frame too short to be encrypted');
	const header = bytes.subarray(0, headerLength);
	const iv = bytes.subarray(bytes.length - IV_BYTES);
	const opened = new Uint8Array(
		await crypto.subtle.decrypt(
			{ name: 'AES-GCM', iv, additionalData: header },
			key,
			bytes.subarray(headerLength, bytes.length - IV_BYTES),
		),
	);
	const out = new Uint8Array(headerLength + opened.length);
	out.set(header, 0);
	out.set(opened, headerLength);
	return out.buffer;
}
