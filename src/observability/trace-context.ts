/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2): a valid `traceparent` request header is
 * accepted and its trace id and value are bound to every log line of the request, so the EHR's trace can be
 * followed into this service's logs. An invalid header is ignored, as the specification requires.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../log/logger';
import { addLogBindings } from '../log/request-context';

export interface TraceParent {
  traceparent: string;
  traceId: string;
  parentId: string;
  flags: string;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** Later versions may append fields after a dash; their first four fields keep the version-00 layout. */
const LATER_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The parsed header, or undefined when it is absent or invalid (then it must be ignored). */
export function parseTraceparent(header: string | string[] | undefined): TraceParent | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const value = header.trim();
  let m = VERSION_00.exec(value);
  let parts: [string, string, string] | undefined = m ? [m[1]!, m[2]!, m[3]!] : undefined;
  if (!parts) {
    m = LATER_VERSION.exec(value);
    if (!m || m[1] === '00' || m[1] === 'ff') return undefined;
    parts = [m[2]!, m[3]!, m[4]!];
  }
  const [traceId, parentId, flags] = parts;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceparent: `${value.slice(0, 2)}-${traceId}-${parentId}-${flags}`, traceId, parentId, flags };
}

/** Mount right after requestContext: later log lines of the request (and the access log) carry the trace. */
export function traceContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const trace = parseTraceparent(req.headers.traceparent);
    if (trace) {
      res.locals.trace = trace;
      addLogBindings(res, logger, { traceId: trace.traceId, traceparent: trace.traceparent });
    }
    next();
  };
}
