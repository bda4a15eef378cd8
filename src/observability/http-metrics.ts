/**
 * Express middleware that reports every response to the metrics: route template, method, status, and for
 * hook calls the latency by outcome. Mounted first, so refusals by admission control (503), authentication
 * (401) and body limits (413) are counted like any other response.
 */
import type { RequestHandler } from 'express';
import { pathOf, routeTemplate } from '../http/routes';
import type { Metrics } from './metrics';

export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const report = (status: number | 'aborted') => {
      if (done) return;
      done = true;
      metrics.observeHttp({
        route: routeTemplate(pathOf(req.originalUrl)),
        method: req.method,
        status,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    };
    res.once('finish', () => report(res.statusCode));
    res.once('close', () => report(res.writableFinished ? res.statusCode : 'aborted'));
    next();
  };
}
