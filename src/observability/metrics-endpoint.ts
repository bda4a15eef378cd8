/**
 * `GET /metrics`: the Prometheus text exposition, only to clients on the allowlist (403 otherwise). The
 * address checked is Express's `req.ip`: the socket's, or the client's from X-Forwarded-For only when
 * TRUST_PROXY trusts the proxy that set it, so a caller cannot claim an allowed address.
 */
import { Router } from 'express';
import { ROUTES } from '../http/routes';
import { addressAllowlist } from './address-allowlist';
import type { Metrics } from './metrics';
import { sendError } from '../hooks/operation-outcome';

export function metricsRouter(metrics: Metrics, allow: readonly string[]): Router {
  const allowed = addressAllowlist(allow);
  const router = Router();
  router.get(ROUTES.metrics, async (req, res) => {
    if (!allowed(req.ip)) {
      return sendError(res, 403, 'forbidden', 'metrics are served only to the addresses configured in METRICS_ALLOW');
    }
    const { contentType, body } = await metrics.scrape();
    res.setHeader('Cache-Control', 'no-store');
    // As prom-client states it (res.send would reorder the charset parameter).
    res.setHeader('Content-Type', contentType);
    res.end(body);
  });
  return router;
}
