// The running server: workers, rooms, one HTTPS port serving the app, the
// REST API and the protoo WebSocket, the admin terminal's UNIX socket, and
// the metrics listener (Prometheus /metrics, /healthz, /readyz).
// main.ts starts it for `npm start`; the integration tests start it the same
// way.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { AccessControl } from './auth/AccessControl.ts';
import { parseApiKeys } from './auth/tokens.ts';
import type { ResolvedConfig } from './config/Config.ts';
import { webRtcServerListenInfos } from './config/network.ts';
import { EventLoopWatch } from './health/EventLoopWatch.ts';
import type { Health } from './health/healthAnswers.ts';
import { Readiness, workersUp } from './health/Readiness.ts';
import { createHttpApp } from './http/HttpApp.ts';
import { WorkerPool } from './media/WorkerPool.ts';
import { MetricsServer } from './metrics/MetricsServer.ts';
import { ServerMetrics } from './metrics/ServerMetrics.ts';
import { RoomRegistry } from './room/RoomRegistry.ts';
import { attachProtooSignaling } from './signaling/ProtooSignaling.ts';
import { TerminalServer } from './terminal/TerminalServer.ts';

export interface RunningServer {
	readonly port: number;
	readonly pool: WorkerPool;
	readonly rooms: RoomRegistry;
	readonly access: AccessControl;
	/** The admin terminal's UNIX socket (`npm run connect`). */
	readonly terminalSocketPath: string;
	/**
	 * What /healthz and /readyz answer. A part that should take the server
	 * out of rotation adds a check: `server.health.readiness.add(notDraining(drain))`.
	 */
	readonly health: Health;
	/** The server's metrics; undefined with metrics.enabled false. */
	readonly metrics: ServerMetrics | undefined;
	/** The port of the metrics listener (/metrics, /healthz, /readyz); undefined with metrics.enabled false. */
	readonly metricsPort: number | undefined;
	close(): Promise<void>;
}

/** /healthz fails once the event loop was blocked longer than this (health/EventLoopWatch.ts). */
const EVENT_LOOP_STUCK_MS = 5000;

export async function startServer({
	config,
	tls,
	log,
	rootDir,
}: {
	config: ResolvedConfig;
	tls: { cert: string; key: string };
	log: Logger;
	rootDir: string;
}): Promise<RunningServer> {
	const pool = await WorkerPool.create({
		numWorkers: config.mediasoup.numWorkers,
		workerSettings: config.mediasoup.workerSettings,
		dtlsSrtpCryptoSuites: config.mediasoup.dtlsSrtpCryptoSuites,
		webRtcServerListenInfos: (index) => webRtcServerListenInfos(config, index),
		logger: log,
	});
	const rooms = new RoomRegistry(pool, config, log);
	const access = new AccessControl(parseApiKeys(config.auth.keys));
	const health: Health = {
		readiness: new Readiness([workersUp(pool, config.mediasoup.numWorkers)]),
		eventLoop: new EventLoopWatch(EVENT_LOOP_STUCK_MS),
	};
	// Before any room: the metrics follow every router from its creation.
	const metrics = config.metrics.enabled
		? new ServerMetrics({ pool, rooms, readiness: health.readiness, config })
		: undefined;
	let terminal: TerminalServer | undefined;
	let metricsServer: MetricsServer | undefined;
	const server = createServer(
		tls,
		createHttpApp({
			rooms,
			access,
			appDir: path.join(rootDir, 'dist', 'app'),
			recordingsDir: config.recording.directory,
			hsts: config.https.certificate === 'configured',
			health,
			log,
		}),
	);
	attachProtooSignaling(server, { rooms, access, config, log, requests: metrics?.requests });
	const stopAll = async () => {
		await metricsServer?.close();
		metrics?.close();
		health.eventLoop.close();
		terminal?.close();
		rooms.close();
		server.close();
		server.closeAllConnections();
		await pool.close();
	};
	try {
		terminal = await TerminalServer.start({
			socketPath: config.terminal.socketPath,
			pool,
			rooms,
			workerLogSettings: config.mediasoup.workerSettings,
			log,
		});
		if (metrics) {
			const { listenIp, port, token } = config.metrics;
			metricsServer = await MetricsServer.start({ listenIp, port, token, registry: metrics.registry, health, log });
		}
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(config.https.listenPort, config.https.listenIp, resolve);
		});
	} catch (error) {
		await stopAll();
		throw error;
	}

	let closing: Promise<void> | undefined;
	return {
		port: (server.address() as AddressInfo).port,
		pool,
		rooms,
		access,
		terminalSocketPath: terminal.socketPath,
		health,
		metrics,
		metricsPort: metricsServer?.port,
		close: () => {
			closing ??= stopAll();
			return closing;
		},
	};
}
