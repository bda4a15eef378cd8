/**
 * Reads a hook call's body as raw bytes into one buffer of its own (so it can be transferred, not copied, to
 * an evaluation worker). Nothing is parsed here: the main thread only counts and copies bytes, so a 5 MB
 * prefetch costs it a memcpy, not a `JSON.parse`.
 *
 * Refusals use the body-parser error types the error handler already maps: 413 over the limit (checked on
 * the declared length before reading, and on the bytes as they arrive), 415 for a content encoding or
 * charset other than identity / UTF-8, 400 when the client stops sending.
 */
import type { Request, RequestHandler } from 'express';

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/*+json'];

export interface RawBody {
  /** The bytes exactly as received; `bytes.buffer` belongs to this body alone. */
  bytes: Uint8Array;
}

function httpError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

function isJsonRequest(req: Request): boolean {
  return Boolean(req.is(JSON_TYPES));
}

/** The charset parameter of Content-Type, lower case, or undefined. */
function charsetOf(req: Request): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '');
  return m?.[1]?.toLowerCase();
}

/**
 * Middleware: sets `res.locals.rawBody` (RawBody) for a JSON request, or leaves it unset for another content
 * type (the route then answers 400). `limit` is in bytes.
 */
export function rawJsonBody(limit: number): RequestHandler {
  return (req, res, next) => {
    if (!isJsonRequest(req)) return next();
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return next(httpError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`));
    const charset = charsetOf(req);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return next(httpError(415, 'charset.unsupported', `unsupported charset "${charset}"`));
    }
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) return next(httpError(413, 'entity.too.large', 'request entity too large'));
    readInto(req, declared, limit, (err, bytes) => {
      if (err) return next(err);
      res.locals.rawBody = { bytes: bytes! } satisfies RawBody;
      next();
    });
  };
}

/** Streams the request into one buffer (sized by Content-Length when given, grown otherwise). */
function readInto(req: Request, declared: number | undefined, limit: number, done: (err: Error | null, bytes?: Uint8Array) => void): void {
  let buf = new Uint8Array(declared !== undefined && Number.isFinite(declared) ? declared : 16 * 1024);
  let length = 0;
  let finished = false;
  const finish = (err: Error | null) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    req.off('error', onError);
    if (err) {
      req.resume(); // discard the rest so the connection can be reused or closed cleanly
      return done(err);
    }
    done(null, length === buf.length ? buf : buf.slice(0, length));
  };
  const onData = (chunk: Buffer) => {
    if (length + chunk.length > limit) return finish(httpError(413, 'entity.too.large', 'request entity too large'));
    if (length + chunk.length > buf.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(buf.length * 2, length + chunk.length)));
      grown.set(buf.subarray(0, length));
      buf = grown;
    }
    buf.set(chunk, length);
    length += chunk.length;
  };
  const onEnd = () => finish(declared !== undefined && length !== declared ? httpError(400, 'request.size.invalid', 'request size did not match content length') : null);
  const onAborted = () => finish(httpError(400, 'request.aborted', 'request aborted'));
  const onError = (e: Error) => finish(httpError(400, 'request.aborted', e.message));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('error', onError);
}
