/**
 * Per-request context: a request id (the caller's `X-Request-Id` when it is sane, else a fresh UUID),
 * echoed in the response, and a child logger carrying it, so every log line of a request can be joined.
 *
 * The child logger is created lazily, once: middleware adds bindings (`addLogBindings`) and the pino child is
 * built only when a line is logged. A pino child rebinds every level method, and the success path used to
 * build three of them per request (requestId, then client, then hookInstance); the log lines are unchanged
 * (a child of a child serialises its bindings exactly as one child with the same keys in the same order).
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from './logger';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Bindings not yet turned into a pino child, and the logger they extend. */
interface PendingLog {
  base: Logger;
  bindings: Record<string, unknown>;
  built?: Logger;
}
const PENDING = Symbol('pendingLog');

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    const pending: PendingLog = { base: logger, bindings: { requestId: id } };
    Object.defineProperty(res.locals, PENDING, { value: pending, writable: true, configurable: true });
    // `res.locals.log` stays the request's logger for every reader; it is built on first use.
    Object.defineProperty(res.locals, 'log', {
      configurable: true,
      enumerable: true,
      get: () => (pending.built ??= pending.base.child(pending.bindings)),
      set: (v: Logger) => {
        pending.built = v;
      },
    });
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** The request's child logger, or `fallback` outside a request context (unit tests of routers). */
export function requestLogger(res: Response, fallback: Logger): Logger {
  const log = res.locals.log as Logger | undefined;
  return log ?? fallback;
}

/** Adds bindings to the request's logger for every later line (same as `res.locals.log = log.child(bindings)`). */
export function addLogBindings(res: Response, fallback: Logger, bindings: Record<string, unknown>): void {
  const pending = (res.locals as Record<symbol, PendingLog | undefined>)[PENDING];
  if (pending && !pending.built) Object.assign(pending.bindings, bindings);
  else res.locals.log = requestLogger(res, fallback).child(bindings);
}

/** `requestLogger(res, fallback).child(bindings)` for local use, without building the intermediate child. */
export function childLogger(res: Response, fallback: Logger, bindings: Record<string, unknown>): Logger {
  const pending = (res.locals as Record<symbol, PendingLog | undefined>)[PENDING];
  if (pending && !pending.built) return pending.base.child({ ...pending.bindings, ...bindings });
  return requestLogger(res, fallback).child(bindings);
}
