/**
 * Security wiring for the app: the `authenticate` middleware for /cds-services routes, the
 * `checkFhirServer` veto used before any outbound FHIR call, and health facts. Built once at start-up
 * from the validated `security` config; issuer key sets are loaded here, so a bad one stops start-up.
 */
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../log/logger';
import type { SecurityConfig } from './config';
import { AuthFailure, bearerToken, createTokenVerifier, endpointUrl, type AuthenticatedClient } from './jwt';
import { addLogBindings, requestLogger } from '../log/request-context';
import { fhirServerRefusal } from './ssrf';
import type { ServiceStats } from '../ops/stats';
import type { SharedReplayStore } from './shared-replay';
import { sendError } from '../hooks/operation-outcome';

export { SecurityConfigError } from './jwt';

const AUTH_DISABLED_WARNING =
  'AUTHENTICATION IS DISABLED (AUTH_MODE=disabled-dev): any caller can use this service. Development only — never deploy like this.';
const NO_ISSUER_WARNING =
  'Authentication is required but no EHR issuer is registered: every /cds-services call will answer 401. ' +
  'Register an EHR under security.auth.issuers in CONFIG_FILE (see README "Security"), or for local development only set AUTH_MODE=disabled-dev.';

/** `/healthz` status instead of `ok` while every CDS call will be refused. */
const NO_ISSUER_STATUS = 'no EHR registered';

export interface Security {
  authenticate: RequestHandler;
  checkFhirServer: (req: Request, url: string) => string | undefined;
  health: () => Record<string, unknown>;
  /** Releases the shared replay guard's connections. */
  close: () => Promise<void>;
}

export interface SecurityOptions {
  now?: () => Date;
  stats?: ServiceStats;
  /** `jti` replay guard shared by the replicas (PostgreSQL); absent: per-process cache only. */
  sharedReplay?: SharedReplayStore;
}

/** Sends the one generic 401 every authentication failure gets. */
function deny(res: Parameters<RequestHandler>[1]): void {
  res.setHeader('WWW-Authenticate', 'Bearer');
  sendError(res, 401, 'login', 'authentication required');
}

export function createSecurity(security: SecurityConfig, logger: Logger, opts: SecurityOptions = {}): Security {
  const close = async () => {
    await opts.sharedReplay?.close();
  };
  const policy = { allowHttpLoopback: security.fhir.allowHttpLoopback, allowHttpHosts: security.fhir.allowHttpHosts };
  const checkFhirServer = (req: Request, url: string): string | undefined => {
    const client = req.res?.locals.client as AuthenticatedClient | undefined;
    if (!client) return 'no authenticated client for this request';
    return fhirServerRefusal(url, client.fhirServers, policy);
  };

  if (security.auth.mode === 'disabled-dev') {
    logger.warn({ security: 'auth-disabled' }, AUTH_DISABLED_WARNING);
    const allowed = security.fhir.allowedFhirServersWhenAuthDisabled ?? [];
    const client: AuthenticatedClient = {
      kind: 'disabled-dev',
      name: 'unauthenticated (disabled-dev)',
      fhirServers: allowed.includes('*') ? '*' : allowed };
    return {
      authenticate: (_req, res, next) => {
        res.locals.client = client;
        next();
      },
      checkFhirServer,
      health: () => ({ auth: 'disabled-dev', warning: AUTH_DISABLED_WARNING }),
      close };
  }

  let lastReplayErrorLog = -Infinity;
  const verifier = createTokenVerifier(security, {
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.sharedReplay ? { sharedReplay: opts.sharedReplay } : {}),
    onSharedReplayError: (err) => {
      if (opts.stats) opts.stats.counters.replayStoreFailures++;
      if (Date.now() - lastReplayErrorLog < 10_000) return;
      lastReplayErrorLog = Date.now();
      logger.error({ err: { message: (err as Error)?.message } }, 'shared jti replay guard unreachable: tokens checked against this replica only');
    } });
  if (verifier.issuerCount === 0) logger.warn({ security: 'no-issuers' }, NO_ISSUER_WARNING);
  else logger.info({ issuers: security.auth.issuers.map((i) => i.name ?? i.iss) }, 'CDS client authentication: registered EHR issuers');
  if (verifier.issuerCount > 0 && !security.publicBaseUrl) {
    logger.warn(
      { security: 'no-public-base-url' },
      'security.publicBaseUrl (PUBLIC_BASE_URL) is not set: token audiences are checked against the request Host header; set it in production',
    );
  }

  const authenticate: RequestHandler = async (req, res, next) => {
    const bearer = bearerToken(req.headers.authorization);
    if ('reason' in bearer) {
      requestLogger(res, logger).warn({ reason: bearer.reason, path: (req.baseUrl + req.path).slice(0, 200) }, 'authentication failed');
      if (opts.stats) opts.stats.counters.authFailures++;
      return deny(res);
    }
    let client: AuthenticatedClient;
    try {
      client = await verifier.verify(bearer.token, endpointUrl(req, security.publicBaseUrl));
    } catch (e) {
      const reason = e instanceof AuthFailure ? e.message : 'verification error';
      requestLogger(res, logger).warn({ reason, path: (req.baseUrl + req.path).slice(0, 200) }, 'authentication failed');
      if (opts.stats) opts.stats.counters.authFailures++;
      return deny(res);
    }
    res.locals.client = client;
    addLogBindings(res, logger, { client: client.name });
    next();
  };

  return {
    authenticate,
    checkFhirServer,
    health: () => ({
      auth: 'required',
      ...(verifier.issuerCount === 0 ? { status: NO_ISSUER_STATUS, warning: NO_ISSUER_WARNING } : {}) }),
    close };
}
