// The running server: workers, rooms, one HTTPS port serving the app, the
// REST API and the protoo WebSocket, the admin terminal's UNIX socket, the
// metrics listener (Prometheus /metrics, /healthz, /readyz), and, with a
// Redis URL, this server as a node of a cluster.
// main.ts starts it for `npm start`; the integration tests start it the same
// way.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { AccessControl } from './auth/AccessControl.ts';
import { parseApiKeys } from './auth/tokens.ts';
import { ClusterNode } from './cluster/ClusterNode.ts';
import type { ResolvedConfig } from './config/Config.ts';
import { webRtcServerListenInfos } from './config/network.ts';
import { type DrainEnd, drainRooms } from './Drain.ts';
import { EventLoopWatch } from './health/EventLoopWatch.ts';
import type { Health } from './health/healthAnswers.ts';
import { notDraining, Readiness, type ReadinessCheck, workersUp } from './health/Readiness.ts';
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
	/** This server as a cluster node: only with cluster.redisUrl (REDIS_URL). */
	readonly cluster: ClusterNode | undefined;
	/** The admin terminal's UNIX socket (`npm run connect`). */
	readonly terminalSocketPath: string;
	/**
	 * What /healthz and /readyz answer: ready while every worker is up, the
	 * server is not draining and (in cluster mode) Redis is reachable.
	 */
	readonly health: Health;
	/** The server's metrics; undefined with metrics.enabled false. */
	readonly metrics: ServerMetrics | undefined;
	/** The port of the metrics listener (/metrics, /healthz, /readyz); undefined with metrics.enabled false. */
	readonly metricsPort: number | undefined;
	/**
	 * Drains (Drain.ts), then closes: resolves once closed, with how the drain
	 * ended. Called again, it answers the same drain.
	 */
	drain(): Promise<DrainEnd>;
	/** Closes now: the rooms' peers are told `shutdown`. */
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
	// Without a Redis URL there is no cluster part at all: one node, as always.
	const { redisUrl } = config.cluster;
	let cluster: ClusterNode | undefined;
	try {
		cluster =
			redisUrl === undefined
				? undefined
				: await ClusterNode.start({
						cluster: { ...config.cluster, redisUrl },
						announcedAddress: config.mediasoup.announcedAddress,
						httpsPort: config.https.listenPort,
						portRange: { min: config.mediasoup.minPort, max: config.mediasoup.maxPort },
						pool,
						rooms,
						log,
					});
	} catch (error) {
		await pool.close();
		throw error;
	}
	const health: Health = {
		readiness: new Readiness(readinessChecks(config, pool, rooms, cluster)),
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
		// Its rooms are closed: it gives their leases back and leaves the registry.
		await cluster?.close();
		await pool.close();
	};
	try {
		terminal = await TerminalServer.start({
			socketPath: config.terminal.socketPath,
			pool,
			rooms,
			workerLogSettings: config.mediasoup.workerSettings,
			log,
			cluster,
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
	let draining: Promise<DrainEnd> | undefined;
	const close = () => {
		closing ??= stopAll();
		return closing;
	};
	return {
		port: (server.address() as AddressInfo).port,
		pool,
		rooms,
		access,
		cluster,
		terminalSocketPath: terminal.socketPath,
		health,
		metrics,
		metricsPort: metricsServer?.port,
		drain: () => {
			draining ??= (async () => {
				const end = await drainRooms(rooms, config.shutdown.drainTimeoutMs, log);
				await close();
				return end;
			})();
			return draining;
		},
		close,
	};
}

/** When the server should get new calls: every worker up, not draining, and Redis reachable in cluster mode. */
function readinessChecks(
	config: ResolvedConfig,
	pool: WorkerPool,
	rooms: RoomRegistry,
	cluster: ClusterNode | undefined,
): ReadinessCheck[] {
	const checks = [workersUp(pool, config.mediasoup.numWorkers), notDraining(rooms)];
	if (cluster) {
		checks.push({
			name: 'cluster',
			failure: () => (cluster.reachable ? undefined : 'the cluster store (Redis) is not reachable'),
		});
	}
	return checks;
}
