// Worker patch 014 (patches/mediasoup+3.27.1+014): a worker reads the DTLS-SRTP
// crypto suites it offers from MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES, and refuses
// to start on a list it cannot honour, as it does with any wrong setting,
// rather than quietly offering its own list. Which suite a browser then
// negotiates is tests/e2e/srtp.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as mediasoup from 'mediasoup';
import { DTLS_SRTP_CRYPTO_SUITES_ENV, withWorkerEnvironment } from '../../server/media/workerEnvironment.ts';

function startWorker(suites: string): Promise<mediasoup.types.Worker> {
	return withWorkerEnvironment({ [DTLS_SRTP_CRYPTO_SUITES_ENV]: suites }, () =>
		mediasoup.createWorker({ logLevel: 'none' }),
	);
}

test('a list of known suites starts the worker', async () => {
	for (const suites of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_32,AEAD_AES_256_GCM', '']) {
		const worker = await startWorker(suites);
		assert.equal(worker.closed, false, `started with "${suites}"`);
		worker.close();
	}
});

test('an unknown suite, one given twice, or an empty item is a settings error', async () => {
	for (const suites of ['AES_CM_128_HMAC_SHA1_80,AES_GCM', 'AEAD_AES_256_GCM,AEAD_AES_256_GCM', 'AEAD_AES_256_GCM,']) {
		const started = startWorker(suites);
		// A worker without the patch starts: close it, or it would keep the test running.
		started.then(
			(worker) => worker.close(),
			() => {},
		);
		await assert.rejects(started, (error: unknown) => {
			// mediasoup's answer to the worker's exit code 42.
			assert.ok(error instanceof TypeError, `"${suites}": ${String(error)}`);
			assert.equal(error.message, 'wrong settings');
			return true;
		});
	}
});
