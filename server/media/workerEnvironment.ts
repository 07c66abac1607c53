// Settings a mediasoup worker reads from its environment rather than from its
// command line. mediasoup's Node layer passes a worker only the command-line
// options it knows; the worker process gets a copy of this process's
// environment, taken when createWorker() spawns it, synchronously, before
// createWorker's first await. So the variables are set for that one
// synchronous call and put back right after: what the configuration says wins
// over whatever this process's environment holds, and nothing else in the
// process ever sees them changed.
import type { types } from 'mediasoup';

/**
 * Read by our worker (patches/mediasoup+3.27.1+014): the DTLS-SRTP
 * crypto suites to offer and accept, comma separated, most preferred first.
 * Unset: every suite mediasoup supports.
 */
export const DTLS_SRTP_CRYPTO_SUITES_ENV = 'MEDIASOUP_DTLS_SRTP_CRYPTO_SUITES';

export interface WorkerEnvironmentSettings {
	/** undefined: mediasoup's own list. */
	dtlsSrtpCryptoSuites: readonly types.SrtpCryptoSuite[] | undefined;
}

/** The variables a worker gets for these settings; undefined: the variable is removed. */
export function workerEnvironment(settings: WorkerEnvironmentSettings): Record<string, string | undefined> {
	return { [DTLS_SRTP_CRYPTO_SUITES_ENV]: settings.dtlsSrtpCryptoSuites?.join(',') };
}

/**
 * Runs `spawn` (a call that starts a worker process synchronously, such as
 * mediasoup.createWorker) with `variables` in process.env, and restores
 * process.env before returning, whatever `spawn` did.
 */
export function withWorkerEnvironment<T>(variables: Record<string, string | undefined>, spawn: () => T): T {
	const saved = new Map<string, string | undefined>();
	for (const [name, value] of Object.entries(variables)) {
		saved.set(name, process.env[name]);
		setVariable(name, value);
	}
	try {
		return spawn();
	} finally {
		for (const [name, value] of saved) setVariable(name, value);
	}
}

function setVariable(name: string, value: string | undefined): void {
	if (value === undefined) delete process.env[name];
	else process.env[name] = value;
}
