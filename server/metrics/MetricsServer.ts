// The metrics listener: plain HTTP on its own address and port
// (metrics.listenIp, default 127.0.0.1, and metrics.port, default 9464), so
// /metrics is never served with the app by accident. GET /metrics answers
// the Prometheus text format, behind a bearer token when metrics.token is
// set; GET /healthz and GET /readyz answer as on the HTTPS port, without a
// token (probes seldom send one, and they tell nothing but up or not).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { errorMessage } from '../errorMessage.ts';
import { HEALTH_PATHS, type Health, type HealthAnswer, healthz, readyz } from '../health/healthAnswers.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsServerOptions {
	listenIp: string;
	port: number;
	token: string | undefined;
	registry: Registry;
	health: Health;
	log: Logger;
}

export class MetricsServer {
	readonly #server: Server;
	#closing: Promise<void> | undefined;

	static async start(options: MetricsServerOptions): Promise<MetricsServer> {
		const server = createServer((req, res) => {
			answer(req, res, options).catch((error: unknown) => {
				options.log.error({ error, url: req.url }, 'metrics request failed');
				if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
				res.end(`metrics failed: ${errorMessage(error)}\n`);
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', (error) =>
				reject(
					new Error(
						`metrics listener on ${options.listenIp}:${options.port}: ${errorMessage(error)} (set METRICS_PORT or metrics.port to a free port)`,
					),
				),
			);
			server.listen(options.port, options.listenIp, resolve);
		});
		return new MetricsServer(server);
	}

	private constructor(server: Server) {
		this.#server = server;
	}

	get port(): number {
		return (this.#server.address() as AddressInfo).port;
	}

	/** Stops listening and drops open connections (a scraper's keep-alive one too). */
	close(): Promise<void> {
		this.#closing ??= new Promise<void>((resolve) => {
			this.#server.close(() => resolve());
			this.#server.closeAllConnections();
		});
		return this.#closing;
	}
}

async function answer(req: IncomingMessage, res: ServerResponse, options: MetricsServerOptions): Promise<void> {
	const path = new URL(req.url ?? '/', 'http://localhost').pathname;
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET\n');
		return;
	}
	if (path === HEALTH_PATHS.live) return json(res, healthz(options.health));
	if (path === HEALTH_PATHS.ready) return json(res, readyz(options.health));
	if (path !== METRICS_PATH) {
		res
			.writeHead(404, { 'content-type': 'text/plain' })
			.end(`not found: ${METRICS_PATH}, ${HEALTH_PATHS.live} or ${HEALTH_PATHS.ready}\n`);
		return;
	}
	if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
		res
			.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' })
			.end('metrics need "Authorization: Bearer <metrics.token>"\n');
		return;
	}
	const text = await options.registry.metrics();
	res.writeHead(200, { 'content-type': options.registry.contentType, 'cache-control': 'no-store' }).end(text);
}

function json(res: ServerResponse, { status, body }: HealthAnswer<unknown>): void {
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
	res.end(JSON.stringify(body));
}

/** Constant time in the token's contents (its length is no secret worth hiding). */
function bearerMatches(header: string | undefined, token: string): boolean {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
	if (!match?.[1]) return false;
	const given = Buffer.from(match[1]);
	const wanted = Buffer.from(token);
	return given.length === wanted.length && timingSafeEqual(given, wanted);
}
