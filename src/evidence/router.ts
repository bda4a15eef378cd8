/**
 * Serves the evidence view: `GET /evidence/launch` (the SMART launch URL cards link to) and `GET /evidence/`
 * (the OAuth redirect URI) answer the same page; `GET /evidence/assets/…` its content-hashed script and
 * stylesheet (gzip when accepted). Nothing here reads or stores patient data: the page fetches it from the
 * EHR's FHIR server with the user's token, in the browser.
 *
 * The page has its own Content-Security-Policy (the JSON API keeps `default-src 'none'`): scripts and styles
 * from this origin only, connections only to the registered EHRs' FHIR servers and the configured extra
 * origins, framing only by configured origins. The launch and redirect URLs carry `launch`, `code` and `state`
 * in their query: nothing in this router logs a URL.
 */
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../config/schema';
import type { Knowledge } from '../knowledge';
import type { Logger } from '../log/logger';
import { loadCardContent } from '../render/content';
import { loadEvidenceContent } from './content';
import { defaultAssetsDir, loadEvidenceAssets, type LoadedAssets } from './assets';
import { pageConfig, renderPage } from './page';
import { sendError } from '../hooks/operation-outcome';

export interface EvidenceDeps {
  config: Config;
  knowledge: Knowledge;
  /** The discovery prefetch templates (the query list the page reads the patient's data with). */
  queries: Record<string, string>;
  logger: Logger;
}

const originOf = (url: string): string | undefined => {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
};

/** CSP connect-src: every registered EHR's FHIR servers (or the development allowlist) and the extra origins. */
export function connectSources(config: Config): string[] {
  const s = config.security;
  const urls = [
    ...s.auth.issuers.flatMap((i) => i.fhirServers),
    ...(s.auth.mode === 'disabled-dev' ? (s.fhir.allowedFhirServersWhenAuthDisabled ?? []).filter((u) => u !== '*') : []),
  ];
  const origins = [...urls.map(originOf), ...config.evidence.connectSrc].filter((o): o is string => Boolean(o));
  return [...new Set(origins)].sort();
}

function pageCsp(config: Config): string {
  const connect = connectSources(config);
  const frames = config.evidence.frameAncestors;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect.length ? connect.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frames.length ? frames.join(' ') : "'none'"}`,
  ].join('; ');
}

const acceptsGzip = (req: Request) => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

function send(req: Request, res: Response, body: Buffer, gzip: Buffer, type: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Vary', 'Accept-Encoding');
  if (acceptsGzip(req)) {
    res.setHeader('Content-Encoding', 'gzip');
    res.end(gzip);
  } else res.end(body);
}

export function evidenceRouter(deps: EvidenceDeps): Router {
  const router = Router();
  const { config, logger } = deps;
  if (!config.evidence.enabled) return router;
  // Validated at start-up, like the card content.
  const cfg = pageConfig({
    knowledge: deps.knowledge,
    timeZone: config.siteTimeZone,
    cards: loadCardContent(config.cardsDir),
    evidence: loadEvidenceContent(config.cardsDir),
    queries: deps.queries,
    maxPages: config.fhir.maxPages,
    maxMedicationReads: config.fhir.maxMedicationReads,
    smart: config.evidence,
    connect: connectSources(config),
  });
  const csp = pageCsp(config);
  let built: { assets: LoadedAssets; html: Buffer; gzip: Buffer } | undefined;
  let failure: string | undefined;
  const load = () => {
    if (built || failure) return built;
    try {
      const assets = loadEvidenceAssets(config.evidence.assetsDir ?? defaultAssetsDir());
      const html = Buffer.from(renderPage(cfg, { kind: 'linked', js: assets.manifest.js, css: assets.manifest.css }).html);
      built = { assets, html, gzip: gzipSync(html) };
    } catch (e) {
      failure = (e as Error).message;
      logger.error({ err: { name: (e as Error).name, message: failure } }, 'evidence view unavailable');
    }
    return built;
  };

  const page = (req: Request, res: Response) => {
    const b = load();
    if (!b) return sendError(res, 503, 'transient', 'the evidence view is not available on this server');
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-store');
    if (config.evidence.frameAncestors.length) res.removeHeader('X-Frame-Options');
    send(req, res, b.html, b.gzip, 'text/html; charset=utf-8');
  };
  // The redirect URI ends with a slash so the page's relative asset URLs resolve; a bare /evidence keeps its query.
  router.get('/evidence', (req, res, next) => {
    if (req.path !== '/evidence') return next();
    const q = req.originalUrl.indexOf('?');
    res.redirect(308, `evidence/${q >= 0 ? req.originalUrl.slice(q) : ''}`);
  });
  router.get('/evidence/launch', page);
  router.get('/evidence/', page);
  router.get('/evidence/assets/:name', (req, res) => {
    const f = load()?.assets.files.get(req.params.name);
    if (!f) return sendError(res, 404, 'not-found', 'no such evidence view asset');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    send(req, res, f.body, f.gzip, f.type);
  });
  return router;
}
