import type { ErrorRequestHandler, Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import { operationOutcome, type IssueCode } from '../hooks/operation-outcome';
import type { Logger } from '../log/logger';
import { requestLogger } from '../security/request-context';

export function sendOutcome(res: Response, status: number, outcome: OperationOutcome): void {
  res.status(status).type('application/fhir+json').json(outcome);
}

export function sendError(res: Response, status: number, code: IssueCode, diagnostics: string, expression?: string): void {
  sendOutcome(res, status, operationOutcome([{ code, diagnostics, ...(expression ? { expression } : {}) }]));
}

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
