// Starts the real server in-process for integration tests: real workers, a
// real HTTPS port with a certificate made for the test, real WebSockets.
// Ports, the certificate folder and the terminal socket are the test's own,
// so files can run in parallel and nothing is written into the repository.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config/loadConfig.ts';
import { type RunningServer, startServer } from '../../server/Server.ts';
import { ensureCertificate } from '../../server/tls/certificates.ts';
import { findFreePortRange } from './freePorts.ts';
import type { ConsumerAnswer } from './SignalingPeer.ts';
import { TestPeer, type TestPeerOptions } from './TestPeer.ts';

const rootDir = path.resolve(import.meta.dirname, '../..');

export interface TestServer {
	readonly server: RunningServer;
	readonly ca: string;
	readonly port: number;
	connect(
		roomId: string,
		peerId: string,
		options?: { query?: string; consumerAnswer?: ConsumerAnswer; nativeCodecs?: TestPeerOptions['nativeCodecs'] },
	): Promise<TestPeer>;
	/** A REST call; headers e.g. { authorization: `Bearer ${token}` } for a token-mode server. */
	rest(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<RestAnswer>;
	/**
	 * Stops the server the way a deploy does (close(): peers are closed, then
	 * the workers) and starts it again on the same ports with the same
	 * settings: a new process would find nothing of the old one's rooms either.
	 */
	restart(): Promise<void>;
	close(): Promise<void>;
}

export interface RestAnswer {
	status: number;
	/** Parsed JSON, or the text when it is not JSON. */
	body: unknown;
	headers: IncomingHttpHeaders;
}

export async function startTestServer({
	numWorkers = 1,
	env = {},
}: {
	numWorkers?: number;
	env?: Record<string, string>;
} = {}): Promise<TestServer> {
	const certDir = mkdtempSync(path.join(os.tmpdir(), 'conference-test-'));
	const certificate = await ensureCertificate({ certDir, log: { debug: () => {} } });
	// One free range for all, so the HTTPS and metrics ports can never be WebRtcServer ports.
	const webRtcServerPort = await findFreePortRange(numWorkers + 2);
	const httpsPort = webRtcServerPort + numWorkers;
	const config = await loadConfig({
		rootDir,
		env: {
			HTTPS_LISTEN_IP: '127.0.0.1',
			HTTPS_LISTEN_PORT: String(httpsPort),
			HTTPS_CERT_FULLCHAIN: certificate.cert,
			HTTPS_CERT_PRIVKEY: certificate.key,
			MEDIASOUP_LISTEN_IP: '127.0.0.1',
			MEDIASOUP_NUM_WORKERS: String(numWorkers),
			MEDIASOUP_WEBRTC_SERVER_PORT: String(webRtcServerPort),
			// The test's own terminal socket, removed with the folder.
			TERMINAL_SOCKET: path.join(certDir, 'terminal.sock'),
			METRICS_PORT: String(httpsPort + 1),
			...env,
		},
	});
	const tls = { cert: readFileSync(certificate.cert, 'utf8'), key: readFileSync(certificate.key, 'utf8') };
	const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
	let server = await startServer({ config, tls, log, rootDir });
	const base = `127.0.0.1:${server.port}`;

	return {
		get server() {
			return server;
		},
		ca: tls.cert,
		port: server.port,
		connect: (roomId, peerId, { query = '', consumerAnswer, nativeCodecs } = {}) =>
			TestPeer.connect({
				url: `wss://${base}/?roomId=${encodeURIComponent(roomId)}&peerId=${encodeURIComponent(peerId)}${query}`,
				ca: tls.cert,
				...(consumerAnswer === undefined ? {} : { consumerAnswer }),
				...(nativeCodecs === undefined ? {} : { nativeCodecs }),
			}),
		rest: (method, urlPath, body, headers) => restRequest(`https://${base}${urlPath}`, tls.cert, method, body, headers),
		restart: async () => {
			await server.close();
			server = await startServer({ config, tls, log, rootDir });
		},
		close: async () => {
			await server.close();
			rmSync(certDir, { recursive: true, force: true });
		},
	};
}

function restRequest(url: string, ca: string, method: string, body: unknown, headers: Record<string, string> = {}) {
	return new Promise<RestAnswer>((resolve, reject) => {
		const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
		const contentType = payload ? { 'content-type': 'application/json' } : {};
		const req = request(url, { method, ca, headers: { ...contentType, ...headers } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown = text;
				try {
					parsed = text ? JSON.parse(text) : undefined;
				} catch {}
				resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
			});
		});
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}
