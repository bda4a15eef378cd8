/**
 * Per-request context: a request id (the caller's `X-Request-Id` when it is sane, else a fresh UUID),
 * echoed in the response, and a child logger carrying it, so every log line of a request can be joined.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../log/logger';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.locals.log = logger.child({ requestId: id });
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** The request's child logger, or `fallback` outside a request context (unit tests of routers). */
export function requestLogger(res: Response, fallback: Logger): Logger {
  const log = res.locals.log as Logger | undefined;
  return log ?? fallback;
}
