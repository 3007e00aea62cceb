import { Router } from 'express';

/**
 * Kubernetes-style probes. live: the process answers. startup: migrations
 * ran. ready: the database answers with the current schema and we are not
 * draining; a load balancer sends traffic only while ready.
 */
export interface HealthState {
  started: boolean;
  draining: boolean;
}

export type ReadinessCheck = () => Promise<{ ok: boolean; reason?: string }>;

export function healthRoutes(state: HealthState, databaseReady: ReadinessCheck): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/startup', (_req, res) => {
    res.status(state.started ? 200 : 503).json({ status: state.started ? 'ok' : 'starting' });
  });
  router.get('/health/ready', async (_req, res) => {
    if (state.draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const database = await databaseReady().catch((error: unknown) => ({ ok: false, reason: String(error) }));
    res
      .status(database.ok ? 200 : 503)
      .json({ status: database.ok ? 'ok' : 'unavailable', database: database.ok ? 'ok' : database.reason });
  });
  return router;
}
