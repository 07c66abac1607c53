// GET /healthz and GET /readyz, on the HTTPS port (healthRoutes) and on the
// metrics listener (MetricsServer): the same answers from the same state.
// /healthz: the process answers and its event loop is not stuck (liveness:
// restart it otherwise). /readyz: it should be sent new calls (readiness:
// every worker up, and whatever else was added to Readiness). Both are JSON,
// 200 or 503, never cached, need no token, and create nothing.
import express from 'express';
import type { EventLoopWatch } from './EventLoopWatch.ts';
import type { Readiness, ReadinessFailure } from './Readiness.ts';

export interface Health {
	readonly readiness: Readiness;
	readonly eventLoop: EventLoopWatch;
}

export const HEALTH_PATHS = { live: '/healthz', ready: '/readyz' } as const;

export type HealthzBody = { status: 'ok'; eventLoopLagMs: number } | { status: 'unhealthy'; reason: string };
export type ReadyzBody = { ready: true } | { ready: false; failing: ReadinessFailure[] };

export interface HealthAnswer<Body> {
	status: 200 | 503;
	body: Body;
}

export function healthz(health: Health): HealthAnswer<HealthzBody> {
	const loop = health.eventLoop.health();
	if (loop.healthy) return { status: 200, body: { status: 'ok', eventLoopLagMs: loop.lagMs } };
	return { status: 503, body: { status: 'unhealthy', reason: loop.reason ?? 'the event loop is stuck' } };
}

export function readyz(health: Health): HealthAnswer<ReadyzBody> {
	const { ready, failing } = health.readiness.state();
	return ready ? { status: 200, body: { ready: true } } : { status: 503, body: { ready: false, failing } };
}

/** The two routes for the HTTPS port's Express app. */
export function healthRoutes(health: Health): express.Router {
	const router = express.Router();
	const send = (res: express.Response, { status, body }: HealthAnswer<unknown>) => {
		res.set('Cache-Control', 'no-store');
		res.status(status).json(body);
	};
	router.get(HEALTH_PATHS.live, (_req, res) => send(res, healthz(health)));
	router.get(HEALTH_PATHS.ready, (_req, res) => send(res, readyz(health)));
	return router;
}
