/**
 * Admission control for hook evaluations: at most `maxInFlight` `POST /cds-services/{id}` calls are being
 * worked on at once; the next one is answered at once with 503, `Retry-After` and an OperationOutcome.
 *
 * Why: evaluation is CPU-bound on one event loop, so requests beyond what the process can finish in time only
 * queue, and every queued request makes all later ones slower (in a closed loop the mean latency is
 * in-flight / throughput). A CDS client that waits past its own timeout shows no cards anyway; a fast 503
 * lets it (or a load balancer) try another replica or skip the cards now, and keeps the latency of the
 * admitted requests bounded. The gate runs before authentication and body parsing, so a refused request
 * costs neither the JWT signature check nor the JSON parse.
 *
 * Only hook evaluations count (discovery, feedback, health are cheap and never refused). A request leaves
 * the count when its response is finished or its connection closes, whichever comes first. 0 = unlimited.
 * A refused request's body is never parsed (Node discards it to keep the connection reusable).
 */
import type { RequestHandler } from 'express';
import { sendError } from './errors';

export interface AdmissionControl {
  middleware: RequestHandler;
  /** Hook evaluations currently admitted and not yet answered. */
  inFlight(): number;
  /** Hook evaluations refused with 503 since start. */
  refused(): number;
}

/** A hook call is `POST /cds-services/{id}` (one path segment; `/cds-services/{id}/feedback` is not one). */
const HOOK_PATH = /^\/[^/]+\/?$/;

export function admissionControl(maxInFlight: number, retryAfterSeconds = 1): AdmissionControl {
  let inFlight = 0;
  let refused = 0;
  const middleware: RequestHandler = (req, res, next) => {
    if (maxInFlight <= 0 || req.method !== 'POST' || !HOOK_PATH.test(req.path)) return next();
    if (inFlight >= maxInFlight) {
      refused++;
      res.setHeader('Retry-After', String(retryAfterSeconds));
      sendError(res, 503, 'throttled', `service busy: ${maxInFlight} hook evaluations in progress; retry after ${retryAfterSeconds} s`);
      return;
    }
    inFlight++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
  return { middleware, inFlight: () => inFlight, refused: () => refused };
}
