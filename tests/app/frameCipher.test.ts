// The frame encryption of e2eKey: round trip, clear headers, wrong keys.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clearBytes, decryptFrame, deriveKey, encryptFrame } from '../../app/e2ee/frameCipher.ts';

const frame = (length: number) => Uint8Array.from({ length }, (_, index) => index % 251).buffer;

describe('frame cipher', () => {
	test('a frame encrypted with a passphrase decrypts with the same passphrase', async () => {
		const key = await deriveKey('open sesame');
		for (const kind of ['audio', 'video-key', 'video-delta'] as const) {
			const plain = frame(300);
			const sealed = await encryptFrame(key, plain, kind);
			assert.notDeepEqual(
				new Uint8Array(sealed).subarray(clearBytes(kind), 300),
				new Uint8Array(plain).subarray(clearBytes(kind)),
			);
			assert.deepEqual(
				new Uint8Array(await decryptFrame(await deriveKey('open sesame'), sealed, kind)),
				new Uint8Array(plain),
			);
		}
	});

	test('the codec header stays readable for the SFU and the depacketizer', async () => {
		const key = await deriveKey('k');
		const plain = new Uint8Array(frame(100));
		const sealed = new Uint8Array(await encryptFrame(key, plain.buffer, 'video-key'));
		assert.deepEqual(sealed.subarray(0, 10), plain.subarray(0, 10));
		assert.equal(sealed.length, 100 + 16 + 12, 'tag and IV added');
	});

	test('another passphrase, a changed header or a clear frame cannot be decrypted', async () => {
		const sealed = await encryptFrame(await deriveKey('right'), frame(200), 'video-delta');
		await assert.rejects(decryptFrame(await deriveKey('wrong'), sealed, 'video-delta'));
		const tampered = new Uint8Array(sealed.slice(0));
		tampered[0] = (tampered[0] ?? 0) ^ 1;
		await assert.rejects(decryptFrame(await deriveKey('right'), tampered.buffer, 'video-delta'));
		await assert.rejects(decryptFrame(await deriveKey('right'), frame(200), 'video-delta'));
	});
});
