import type { ErrorRequestHandler } from 'express';
import { sendError } from '../hooks/operation-outcome';
import type { Logger } from '../log/logger';
import { requestLogger } from '../log/request-context';

/** Last-resort handler: body-parser errors become 400/413; anything else 500 with no internals. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    const status = e.status ?? e.statusCode;
    if (res.headersSent) return;
    if (e.type === 'entity.too.large') return sendError(res, 413, 'too-costly', 'request body is larger than the configured limit');
    if (e.type === 'entity.parse.failed') return sendError(res, 400, 'structure', 'request body is not valid JSON');
    if (e.type === 'json.too.deep') return sendError(res, 400, 'structure', e.message ?? 'request body is nested too deeply');
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return sendError(res, 415, 'not-supported', 'unsupported body encoding');
    }
    if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, status, 'invalid', 'bad request');
    requestLogger(res, logger).error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, path: req.path }, 'unhandled error');
    sendError(res, 500, 'exception', 'internal error');
  };
}
