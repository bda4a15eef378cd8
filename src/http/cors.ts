import type { RequestHandler } from 'express';

/**
 * CORS for browser-based CDS clients: every route, including the OPTIONS preflight, allows the
 * Authorization and Content-Type headers. Never credentials; origins `*` or an allowlist.
 */
export function cors(origins: '*' | string[]): RequestHandler {
  const allowed = origins === '*' ? undefined : new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (!allowed) res.setHeader('Access-Control-Allow-Origin', '*');
    else if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.vary('Origin');
    }
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, WWW-Authenticate');
    res.setHeader('Access-Control-Max-Age', '600');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
