/**
 * Admission control for hook evaluations: at most `maxInFlight` `POST /cds-services/{id}` calls are worked on
 * at once, and together they may hold at most `maxBodyBytes` of request body; a call over either cap is
 * answered at once with 503, `Retry-After` and an OperationOutcome, counted, and logged at a sampled rate.
 *
 * Why: evaluation is CPU-bound, so requests beyond what the workers can finish in time only queue, and every
 * queued request makes all later ones slower (in a closed loop the mean latency is in-flight / throughput).
 * A CDS client that waits past its own timeout shows no cards anyway; a fast 503 lets it (or a load balancer)
 * try another replica or skip the cards now, and keeps the latency of the admitted requests bounded. Counting
 * body bytes, not only requests, bounds the memory a burst of large prefetches can take.
 *
 * The gate runs after authentication (a flood of forged tokens must not hold the slots genuine calls need)
 * and before the body is read: a refused request's body is never buffered. The declared Content-Length is
 * reserved; a chunked body (no length) reserves the body limit. Only hook evaluations count (discovery,
 * feedback, health are cheap and never refused). A request leaves the count when its response is finished or
 * its connection closes, whichever comes first. 0 = no cap.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../log/logger';
import type { ServiceStats } from '../ops/stats';
import { sendError } from '../hooks/operation-outcome';

export interface AdmissionOptions {
  maxInFlight: number;
  /** Cap on the sum of admitted request bodies, in bytes (0 = none). */
  maxBodyBytes?: number;
  /** Reserved for a body sent without Content-Length. */
  bodyLimit?: number;
  retryAfterSeconds?: number;
  stats?: ServiceStats;
  logger?: Logger;
  /** At most one refusal log line per this many ms (with the count since the last line). */
  logEveryMs?: number;
}

export interface AdmissionControl {
  middleware: RequestHandler;
  /** Hook evaluations currently admitted and not yet answered. */
  inFlight(): number;
  /** Request body bytes reserved by admitted calls. */
  bytesInFlight(): number;
  /** Hook evaluations refused with 503 since start. */
  refused(): number;
}

/** A hook call is `POST /cds-services/{id}` (one path segment; `/cds-services/{id}/feedback` is not one). */
const HOOK_PATH = /^\/[^/]+\/?$/;

export function isHookCall(method: string, path: string): boolean {
  return method === 'POST' && HOOK_PATH.test(path);
}

export function admissionControl(options: AdmissionOptions | number): AdmissionControl {
  const o: AdmissionOptions = typeof options === 'number' ? { maxInFlight: options } : options;
  const retryAfter = o.retryAfterSeconds ?? 1;
  const maxBytes = o.maxBodyBytes ?? 0;
  const logEveryMs = o.logEveryMs ?? 1000;
  let inFlight = 0;
  let bytes = 0;
  let refused = 0;
  let unlogged = 0;
  let lastLogAt = -Infinity;

  const refuse = (res: Parameters<RequestHandler>[1], why: 'slots' | 'bytes', detail: string) => {
    refused++;
    unlogged++;
    if (o.stats) o.stats.counters[why === 'slots' ? 'overloadRefusedSlots' : 'overloadRefusedBytes']++;
    const now = Date.now();
    if (o.logger && now - lastLogAt >= logEveryMs) {
      o.logger.warn({ overload: why, refusedSinceLastLine: unlogged, refusedTotal: refused, inFlight, bytesInFlight: bytes }, 'overload: hook calls refused with 503');
      lastLogAt = now;
      unlogged = 0;
    }
    res.setHeader('Retry-After', String(retryAfter));
    sendError(res, 503, 'throttled', `service busy: ${detail}; retry after ${retryAfter} s`);
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (!isHookCall(req.method, req.path)) return next();
    const length = Number(req.headers['content-length']);
    const want = Number.isFinite(length) && length >= 0 ? length : (o.bodyLimit ?? 0);
    if (o.maxInFlight > 0 && inFlight >= o.maxInFlight) return refuse(res, 'slots', `${o.maxInFlight} hook evaluations in progress`);
    // One call is always let through (inFlight 0), so a single body at the limit is never refused here.
    if (maxBytes > 0 && inFlight > 0 && bytes + want > maxBytes) return refuse(res, 'bytes', 'request bodies in progress are at their cap');
    inFlight++;
    bytes += want;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inFlight--;
      bytes -= want;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
  o.stats?.gauge('hooksInFlight', () => inFlight);
  o.stats?.gauge('bodyBytesInFlight', () => bytes);
  return { middleware, inFlight: () => inFlight, bytesInFlight: () => bytes, refused: () => refused };
}
