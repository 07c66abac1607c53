// Server entry point (`npm start`): configuration, certificate, then the
// server; closes everything in order on SIGINT/SIGTERM. Refuses to start
// without a built browser app, which `npm start`'s set-up builds.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as mediasoupVersion } from 'mediasoup';
import type { Logger } from 'pino';
import type { AccessMode } from './auth/AccessControl.ts';
import { ConfigError } from './config/ConfigError.ts';
import { loadConfig } from './config/loadConfig.ts';
import { logUncaughtErrors } from './lastResort.ts';
import { createLogger } from './logging/logger.ts';
import { applyNodeHeapSettings, missingNodeArgs, SERVER_NODE_ARGS } from './nodeHeap.ts';
import { startServer } from './Server.ts';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
	// Without it every page would answer `Cannot GET /`. The in-process tests
	// call startServer() directly, without an app.
	const appIndex = path.join(rootDir, 'dist', 'app', 'index.html');
	if (!existsSync(appIndex)) {
		console.error(
			`no browser app to serve: ${appIndex} is missing.\n` +
				'Build it with `npm run setup` (or `npm run build -- --production`), then start the server again; ' +
				'`npm start` does this by itself.',
		);
		process.exit(1);
	}
	const config = await loadConfig({ rootDir });
	const log = await createLogger(config.logLevel);
	logUncaughtErrors(log);
	log.info({ node: process.version, mediasoup: mediasoupVersion }, 'starting');
	for (const notice of config.notices) log.info(notice);
	applyNodeHeapSettings(config.nodeHeap);
	const missing = missingNodeArgs(process.execArgv, process.env.NODE_OPTIONS);
	if (missing.length > 0) {
		log.warn(
			{ missing, want: SERVER_NODE_ARGS },
			'Node was started without the flags `npm start` passes: its young generation may grow to 128 MB',
		);
	}

	const tls = {
		cert: await readFile(config.https.tls.cert, 'utf8'),
		key: await readFile(config.https.tls.key, 'utf8'),
	};
	const server = await startServer({ config, tls, log, rootDir });
	log.info(
		{ url: `https://${config.mediasoup.announcedAddress}:${server.port}`, workers: server.pool.workers.length },
		'listening',
	);

	logAccessMode(log, server.access.mode, config.https.listenIp, config.auth.keys.length);
	if (server.metricsPort !== undefined) {
		const base = `http://${config.metrics.listenIp}:${server.metricsPort}`;
		log.info(
			{
				metrics: `${base}/metrics`,
				health: `${base}/healthz`,
				ready: `${base}/readyz`,
				token: config.metrics.token !== undefined,
			},
			'metrics: Prometheus /metrics and the health endpoints listen here',
		);
	}

	// SIGTERM (what a process manager sends to stop it) drains first; a
	// second SIGTERM, or SIGINT (Ctrl-C), stops at once. Either way the
	// process exits once, after everything closed.
	let exiting = false;
	const exitWhen = (closed: Promise<unknown>) =>
		void closed.then(() => {
			if (exiting) return;
			exiting = true;
			log.info('stopped');
			process.exit(0);
		});
	let draining = false;
	const stopNow = (signal: string) => {
		log.info({ signal }, 'shutting down now');
		exitWhen(server.close());
	};
	process.on('SIGINT', (signal) => stopNow(signal));
	process.on('SIGTERM', (signal) => {
		if (draining) {
			stopNow(signal);
			return;
		}
		draining = true;
		log.info({ signal }, 'shutting down: draining first (a second SIGTERM, or SIGINT, stops at once)');
		exitWhen(server.drain());
	});
}

/** One line at start says who may come in; in open mode on a reachable address it is a warning. */
function logAccessMode(log: Logger, mode: AccessMode, listenIp: string, keys: number): void {
	if (mode === 'token') {
		log.info({ keys }, 'access: token mode, every entry point needs a token (npm run token)');
	} else if (isLoopback(listenIp)) {
		log.info('access: open mode (no AUTH_KEYS): anyone who reaches this server may join any room');
	} else {
		log.warn(
			{ listenIp },
			'access: open mode (no AUTH_KEYS) on a non-loopback address: anyone who reaches this server may join any room, record and inject media; set AUTH_KEYS',
		);
	}
}

function isLoopback(ip: string): boolean {
	return ip === '::1' || ip === 'localhost' || ip.startsWith('127.');
}

main().catch((error: unknown) => {
	if (error instanceof ConfigError) {
		console.error(`configuration error: ${error.message}`);
		process.exit(78); // EX_CONFIG
	}
	console.error('server failed to start:', error);
	process.exit(1);
});
