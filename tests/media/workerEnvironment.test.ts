// The DTLS-SRTP crypto suites reach the workers through their environment
// (worker patch 014): each worker process of the pool gets exactly what the
// configuration says, also when this process's own environment says something
// else, and this process's environment is left as it was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { types } from 'mediasoup';
import { WorkerPool } from '../../server/media/WorkerPool.ts';
import { DTLS_SRTP_CRYPTO_SUITES_ENV, withWorkerEnvironment } from '../../server/media/workerEnvironment.ts';
import { findFreePortRange } from '../helpers/freePorts.ts';
import { poolOptions, RecordingLogger } from './poolFixtures.ts';

/** A process's environment as the kernel has it: what it was started with. */
function environmentOf(pid: number): Map<string, string> {
	const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
	return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** Runs `body` with this process's variable set to `value` (undefined: unset), then restores it. */
async function withOwnVariable(value: string | undefined, body: () => Promise<void>): Promise<void> {
	const saved = process.env[DTLS_SRTP_CRYPTO_SUITES_ENV];
	if (value === undefined) delete process.env[DTLS_SRTP_CRYPTO_SUITES_ENV];
	else process.env[DTLS_SRTP_CRYPTO_SUITES_ENV] = value;
	try {
		await body();
		assert.equal(process.env[DTLS_SRTP_CRYPTO_SUITES_ENV], value, "this process's variable is as it was");
	} finally {
		if (saved === undefined) delete process.env[DTLS_SRTP_CRYPTO_SUITES_ENV];
		else process.env[DTLS_SRTP_CRYPTO_SUITES_ENV] = saved;
	}
}

/** The environment of each worker of a two-worker pool started with these suites. */
async function workerEnvironments(
	dtlsSrtpCryptoSuites: readonly types.SrtpCryptoSuite[] | undefined,
): Promise<Map<string, string>[]> {
	const basePort = await findFreePortRange(2);
	const pool = await WorkerPool.create(poolOptions(basePort, new RecordingLogger(), { dtlsSrtpCryptoSuites }));
	try {
		return pool.workers.map((worker) => environmentOf(worker.pid));
	} finally {
		await pool.close();
	}
}

test('every worker gets the configured suites, in order, whatever this process has', async () => {
	await withOwnVariable('AEAD_AES_128_GCM', async () => {
		const environments = await workerEnvironments(['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_256_GCM']);
		assert.equal(environments.length, 2);
		for (const environment of environments) {
			assert.equal(environment.get(DTLS_SRTP_CRYPTO_SUITES_ENV), 'AES_CM_128_HMAC_SHA1_80,AEAD_AES_256_GCM');
		}
	});
});

test("unset in the configuration: the workers do not inherit this process's variable", async () => {
	await withOwnVariable('AES_CM_128_HMAC_SHA1_80', async () => {
		for (const environment of await workerEnvironments(undefined)) {
			assert.equal(environment.has(DTLS_SRTP_CRYPTO_SUITES_ENV), false);
			// The rest of the environment is inherited as mediasoup does it.
			assert.equal(environment.get('PATH'), process.env.PATH);
		}
	});
});

test("this process's environment is restored when the spawn throws", () => {
	const saved = process.env[DTLS_SRTP_CRYPTO_SUITES_ENV];
	delete process.env[DTLS_SRTP_CRYPTO_SUITES_ENV];
	try {
		assert.throws(
			() =>
				withWorkerEnvironment({ [DTLS_SRTP_CRYPTO_SUITES_ENV]: 'AEAD_AES_256_GCM' }, () => {
					assert.equal(process.env[DTLS_SRTP_CRYPTO_SUITES_ENV], 'AEAD_AES_256_GCM');
					throw new Error('spawn failed');
				}),
			/spawn failed/,
		);
		assert.equal(DTLS_SRTP_CRYPTO_SUITES_ENV in process.env, false);
	} finally {
		if (saved !== undefined) process.env[DTLS_SRTP_CRYPTO_SUITES_ENV] = saved;
	}
});
