// The running server: workers, rooms, one HTTPS port serving the app, the
// REST API and the protoo WebSocket, and the admin terminal's UNIX socket.
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
import { createHttpApp } from './http/HttpApp.ts';
import { WorkerPool } from './media/WorkerPool.ts';
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
	 * Drains (Drain.ts), then closes: resolves once closed, with how the drain
	 * ended. Called again, it answers the same drain.
	 */
	drain(): Promise<DrainEnd>;
	/** Closes now: the rooms' peers are told `shutdown`. */
	close(): Promise<void>;
}

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
	const cluster =
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
	let terminal: TerminalServer;
	try {
		terminal = await TerminalServer.start({
			socketPath: config.terminal.socketPath,
			pool,
			rooms,
			workerLogSettings: config.mediasoup.workerSettings,
			log,
			cluster,
		});
	} catch (error) {
		await cluster?.close();
		await pool.close();
		throw error;
	}
	const app = createHttpApp({
		rooms,
		access,
		appDir: path.join(rootDir, 'dist', 'app'),
		recordingsDir: config.recording.directory,
		hsts: config.https.certificate === 'configured',
		log,
	});
	const server = createServer(tls, app);
	attachProtooSignaling(server, { rooms, access, config, log });
	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(config.https.listenPort, config.https.listenIp, resolve);
		});
	} catch (error) {
		terminal.close();
		await cluster?.close();
		await pool.close();
		throw error;
	}

	let closing: Promise<void> | undefined;
	let draining: Promise<DrainEnd> | undefined;
	const close = () => {
		closing ??= (async () => {
			terminal.close();
			rooms.close();
			server.close();
			server.closeAllConnections();
			// Its rooms are closed: it gives their leases back and leaves the registry.
			await cluster?.close();
			await pool.close();
		})();
		return closing;
	};
	return {
		port: (server.address() as AddressInfo).port,
		pool,
		rooms,
		access,
		cluster,
		terminalSocketPath: terminal.socketPath,
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
