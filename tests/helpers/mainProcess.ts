// The server as `npm start` runs it (server/main.ts in a process of its own),
// for tests about the process: its signals, its exit, what it prints. One
// certificate and one set of free ports per test file (prepareMain), then as
// many starts as the file needs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_NODE_ARGS } from '../../server/nodeHeap.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { buildAppIfMissing } from '../../tools/appBuild.ts';
import { findFreePortRange } from './freePorts.ts';
import { type NodeProcess, startNode } from './nodeProcess.ts';

const root = path.resolve(import.meta.dirname, '../..');

export interface MainSetup {
	/** The certificate's PEM, for clients. */
	readonly ca: string;
	/** The HTTPS port the server listens on (127.0.0.1). */
	readonly port: number;
	/** The metrics listener's port (/metrics, /healthz, /readyz). */
	readonly metricsPort: number;
	/** The environment every start gets. */
	readonly env: Readonly<Record<string, string>>;
	/** Starts server/main.ts with the setup's environment and `extraEnv`. */
	start(extraEnv?: Record<string, string>, nodeArgs?: readonly string[]): NodeProcess;
	/** Removes the certificate. */
	cleanup(): void;
}

export async function prepareMain({ workers = 2 }: { workers?: number } = {}): Promise<MainSetup> {
	// main.ts refuses to start without a built app (`npm start` builds it;
	// tests/e2e/freshClone.test.ts checks the refusal).
	await buildAppIfMissing({ rootDir: root, production: true });
	const certDir = mkdtempSync(path.join(os.tmpdir(), 'conference-main-'));
	const certificate = await ensureCertificate({ certDir, log: { debug: () => {} } });
	const port = await findFreePortRange(1);
	const metricsPort = await findFreePortRange(1);
	const env = {
		HTTPS_LISTEN_IP: '127.0.0.1',
		HTTPS_LISTEN_PORT: String(port),
		HTTPS_CERT_FULLCHAIN: certificate.cert,
		HTTPS_CERT_PRIVKEY: certificate.key,
		MEDIASOUP_LISTEN_IP: '127.0.0.1',
		MEDIASOUP_NUM_WORKERS: String(workers),
		MEDIASOUP_WEBRTC_SERVER_PORT: String(await findFreePortRange(workers)),
		METRICS_PORT: String(metricsPort),
		NODE_ENV: 'production',
	};
	return {
		ca: readFileSync(certificate.cert, 'utf8'),
		port,
		metricsPort,
		env,
		start: (extraEnv = {}, nodeArgs = SERVER_NODE_ARGS) =>
			startNode([...nodeArgs, path.join(root, 'server', 'main.ts')], { ...env, ...extraEnv }),
		cleanup: () => rmSync(certDir, { recursive: true, force: true }),
	};
}

/** The pids of the mediasoup workers a server process logged at start. */
export function workerPidsIn(output: string): number[] {
	return [...output.matchAll(/"pid":(\d+)\}/g)].map((match) => Number(match[1]));
}
