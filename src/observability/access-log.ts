/**
 * One access log line per request (pino-http), written when the response is finished or the connection
 * closes: method, route template, path only when it matched a route (an unknown path could carry an
 * identifier), status, response time, client address, request id and trace. Never headers, query strings or
 * bodies: no token and no patient data can reach this line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../log/logger';
import { OTHER_ROUTE, pathOf, routeTemplate } from '../http/routes';
import type { TraceParent } from './trace-context';

type Req = IncomingMessage & { originalUrl?: string };

function serializeRequest(req: Req): Record<string, unknown> {
  const path = pathOf(req.originalUrl ?? req.url);
  const route = routeTemplate(path);
  return {
    method: req.method,
    route,
    ...(route === OTHER_ROUTE ? {} : { path: path.slice(0, 200) }),
    remoteAddress: req.socket?.remoteAddress,
  };
}

const locals = (res: ServerResponse): Response['locals'] => (res as unknown as Response).locals ?? {};

function requestBindings(res: ServerResponse): Record<string, unknown> {
  const l = locals(res);
  const trace = l.trace as TraceParent | undefined;
  return { requestId: l.requestId, ...(trace ? { traceId: trace.traceId, traceparent: trace.traceparent } : {}) };
}

export function accessLog(logger: Logger) {
  return pinoHttp<Req, ServerResponse>({
    logger,
    genReqId: (_req, res) => (locals(res).requestId as string | undefined) ?? 'unknown',
    wrapSerializers: false,
    serializers: {
      req: serializeRequest,
      res: (res: ServerResponse) => ({ statusCode: res.headersSent || res.writableEnded ? res.statusCode : null }),
    },
    customProps: (_req, res) => requestBindings(res),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res) => (!req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted'),
    customErrorMessage: () => 'request failed',
    // The error itself is logged where it happened (src/http/errors.ts), without its stack.
    customErrorObject: (_req, _res, _err, val: { res: unknown; responseTime: number }) => ({ res: val.res, responseTime: val.responseTime }),
  });
}
