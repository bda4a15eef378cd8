/**
 * Express application: the imperative shell around the pure pipeline. `createApp` takes every
 * dependency explicitly (tests build it with fakes); `createRuntime` builds the production ones
 * from a validated Config.
 */
import express, { type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import { availableParallelism } from 'node:os';
import type { Config } from './config/schema';
import type { Knowledge } from './knowledge';
import type { Logger } from './log/logger';
import type { ServiceDefinition } from './hooks/discovery';
import type { FeedbackItem } from './hooks/feedback';
import { cors } from './http/cors';
import { jsonBody } from './http/json-body';
import { rawJsonBody } from './http/raw-body';
import { discoveryRouter } from './http/discovery';
import { serviceRouter, type EvaluatedEvent } from './http/service';
import { feedbackRouter } from './http/feedback';
import { errorHandler } from './http/errors';
import { admissionControl, isHookCall } from './http/admission';
import { inlineExecutor, poolExecutor, type HookExecutor } from './http/hook-executor';
import { configuredPipeline, hookTaskRuntime } from './http/hook-runtime';
import { createCardLogRuntime, type CardLogRuntime } from './store/card-log';
import { createSecurity } from './security';
import { createPostgresReplayStore } from './security/shared-replay';
import { requestContext } from './log/request-context';
import { evidenceRouter } from './evidence';
import { createStats, type ServiceStats } from './ops/stats';
import { bodyLimitBytes } from './config/schema';
import { ROUTES } from './http/routes';
import { openApiDocument } from './http/openapi';
import { accessLog } from './observability/access-log';
import { traceContext } from './observability/trace-context';
import { httpMetrics } from './observability/http-metrics';
import { metricsRouter } from './observability/metrics-endpoint';
import { ANY_ADDRESS, LOOPBACK_ONLY } from './observability/address-allowlist';
import { createMetrics, type Metrics } from './observability/metrics';
import { countCards, statsSources } from './observability/card-metrics';
import { APP_VERSION } from './version';
import { sendError } from './hooks/operation-outcome';
import type { Evaluator } from './http/hook-task';

export interface AppDeps {
  config: Config;
  logger: Logger;
  knowledge: Knowledge;
  service: ServiceDefinition;
  /** The pipeline on the main thread (used when no `executor` is given, and by the CLI and benchmark). */
  evaluator: Evaluator;
  /** Runs hook tasks; default: on the main thread with `evaluator`. Production: a worker pool. */
  executor?: HookExecutor;
  /** Counters and gauges for overload, workers, card log and FHIR bounds (read by a metrics exporter). */
  stats?: ServiceStats;
  now?: () => Date;
  /** Authenticates CDS clients; runs before every /cds-services route. */
  authenticate?: RequestHandler;
  /** FHIR veto for the main-thread executor; workers check the authenticated client's allowlist instead. */
  checkFhirServer?: (req: Request, url: string) => string | undefined;
  onEvaluated?: (event: EvaluatedEvent) => void;
  /** Persists feedback; the route answers 200 only once the returned promise resolves (503 if it rejects). */
  onFeedback?: (items: FeedbackItem[], req: Request) => void | Promise<void>;
  /** Extra health facts (e.g. a loud warning when authentication is off, a broken card log). */
  health?: () => Record<string, unknown>;
  /** `/readyz`: 200 when ok, 503 with the body otherwise (card log store). */
  readiness?: () => Promise<{ ok: boolean; body: Record<string, unknown> }>;
  /** Graceful shutdown: flush and close background resources (card log writer and store). */
  close?: () => Promise<void>;
  /** Prometheus metrics; `GET /metrics` is served on the service port unless `config.metrics.port` is set. */
  metrics?: Metrics;
}

/** Who may scrape: METRICS_ALLOW, else loopback on the service port and anyone on a dedicated metrics port. */
export function metricsAllowlist(config: Config): readonly string[] {
  return config.metrics.allow ?? (config.metrics.port === undefined ? LOOPBACK_ONLY : ANY_ADDRESS);
}

/** `/healthz`: the process is up, and what it runs as. */
function healthBody(deps: AppDeps): Record<string, unknown> {
  const { config } = deps;
  const facts = deps.health?.() ?? {};
  return {
    status: 'ok',
    version: APP_VERSION,
    knowledgeVersion: deps.knowledge.version,
    contentVersion: facts.contentVersion,
    auth: config.security.auth.mode,
    silentMode: { enabled: config.silent.enabled, indicators: config.silent.indicators },
    ...facts,
  };
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.security.trustProxy);
  app.use(requestContext(logger));
  app.use(traceContext(logger));
  app.use(accessLog(logger));
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  // JSON API: no content is ever rendered, so the strictest CSP; cross-origin reads stay allowed for CORS clients.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(cors(config.cors.origins));

  app.get(ROUTES.health, (_req, res) => {
    res.json(healthBody(deps));
  });

  app.get(ROUTES.readiness, async (_req, res) => {
    const r = deps.readiness
      ? await deps.readiness().catch(() => ({ ok: false, body: { status: 'degraded' } }))
      : { ok: true, body: { status: 'ok' } };
    // Not ready until every evaluation worker has compiled its pipeline: a first call would wait for it.
    const workers = deps.executor?.threads ?? 0;
    const warm = deps.executor?.ready?.() ?? workers;
    if (warm < workers) {
      res.status(503).json({ ...r.body, status: 'starting', evaluation: { workers, ready: warm } });
      return;
    }
    res.status(r.ok ? 200 : 503).json(workers ? { ...r.body, evaluation: { workers, ready: warm } } : r.body);
  });

  app.get(ROUTES.openapi, (_req, res) => {
    res.json(openApiDocument());
  });
  if (deps.metrics && config.metrics.port === undefined) app.use(metricsRouter(deps.metrics, metricsAllowlist(config)));

  // Authenticate first: a forged token is refused before it can take an evaluation slot or have a body read.
  if (deps.authenticate) app.use('/cds-services', deps.authenticate);
  const stats = deps.stats ?? createStats();
  app.locals.stats = stats;
  const bodyLimit = bodyLimitBytes(config.bodyLimit);
  const admission = admissionControl({
    maxInFlight: config.maxInFlight,
    maxBodyBytes: config.maxBodyBytesInFlight,
    bodyLimit,
    stats,
    logger,
  });
  app.locals.admission = admission;
  // Admission, the evaluation pool and the card log are read from the stats at scrape time.
  if (deps.metrics) Object.assign(deps.metrics.sources, statsSources(stats), deps.metrics.sources);
  app.use('/cds-services', admission.middleware);
  // Hook calls: raw bytes only (parsed in the evaluation worker). Other /cds-services routes: parsed here.
  const rawBody = rawJsonBody(bodyLimit);
  const parsedBody = jsonBody(config.bodyLimit, config.maxJsonDepth);
  app.use('/cds-services', (req, res, next) => {
    if (isHookCall(req.method, req.path)) return rawBody(req, res, next);
    runAll(parsedBody, req, res, next);
  });
  app.use(discoveryRouter([deps.service]));
  const executor = deps.executor ?? inlineExecutor(hookTaskRuntime(config, { service: deps.service, evaluator: deps.evaluator }));
  app.use(
    serviceRouter({
      service: deps.service,
      executor,
      logger,
      now: deps.now ?? (() => new Date()),
      hookDeadlineMs: config.hookDeadlineMs,
      stats,
      // On the main thread the injected veto applies (none injected: no veto, as in unit tests of the route).
      ...(!deps.executor ? { checkFhirServer: deps.checkFhirServer ?? (() => undefined) } : {}),
      // FHIR queries run where the hook is evaluated (a worker); their timings come back with the result.
      ...(deps.metrics ? { observeFhirFetch: deps.metrics.observeFhirFetch } : {}),
      ...(deps.onEvaluated ? { onEvaluated: deps.onEvaluated } : {}),
    }),
  );
  const feedback = feedbackRouter({ service: deps.service, logger, stats, ...(deps.onFeedback ? { onFeedback: deps.onFeedback } : {}) });
  app.use(feedback.router);
  app.locals.feedbackCounters = feedback.counters;
  app.use(evidenceRouter({ config, knowledge: deps.knowledge, queries: deps.service.prefetch ?? {}, logger }));

  app.use((req, res) => sendError(res, 404, 'not-found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
  app.use(errorHandler(logger));
  return app;
}

/** Runs a list of middleware in order (express.json and the depth check) as one. */
function runAll(handlers: RequestHandler[], req: Request, res: Parameters<RequestHandler>[1], next: (err?: unknown) => void): void {
  let i = 0;
  const step = (err?: unknown): void => {
    if (err !== undefined || i === handlers.length) return next(err);
    void handlers[i++]!(req, res, step);
  };
  step();
}

/** Production dependencies from configuration (knowledge overrides, content, pipeline, card log, metrics). */
export function createRuntime(config: Config, logger: Logger): AppDeps {
  const stats = createStats();
  const base = createBaseRuntime(config, logger, stats);
  const deps = withMetrics(withCardLog(base, createCardLogRuntime(config.store, logger, { stats })), createMetrics());
  logModes(config, logger);
  if (config.devAsOf === undefined) return deps;
  const asOf = new Date(config.devAsOf);
  logger.warn({ devAsOf: config.devAsOf }, 'DEVELOPMENT: every hook is evaluated as of DEV_AS_OF, not the clock');
  return { ...deps, now: () => asOf };
}

/** Start-up warnings an operator must not miss: silent mode and development settings. */
function logModes(config: Config, logger: Logger): void {
  const { silent } = config;
  if (silent.enabled) {
    logger.warn({ silentMode: silent }, 'SILENT MODE (SILENT_MODE=true): cards are evaluated and logged but NONE is shown to clinicians');
  } else if (silent.indicators.length) {
    logger.warn(
      { silentMode: silent },
      `SILENT MODE for ${silent.indicators.join(', ')} cards (SILENT_INDICATORS): evaluated and logged but not shown to clinicians`,
    );
  }
  if (config.security.fhir.allowHttpHosts.length) {
    logger.warn(
      { allowHttpHosts: config.security.fhir.allowHttpHosts },
      'DEVELOPMENT (NODE_ENV=development): plain-http FHIR servers allowed on these hosts; never deploy like this',
    );
  }
}

/**
 * Metrics: cards counted after each evaluation (shown and silenced) by indicator, syndrome and exposure
 * class; admission, the evaluation pool and the card log are read from the stats at scrape time (createApp).
 */
export function withMetrics(deps: AppDeps, metrics: Metrics): AppDeps {
  const { onEvaluated } = deps;
  const health = deps.health?.() ?? {};
  metrics.setBuildInfo({
    version: APP_VERSION,
    knowledgeVersion: deps.knowledge.version,
    contentVersion: typeof health.contentVersion === 'string' ? health.contentVersion : undefined,
    authMode: deps.config.security.auth.mode,
    silentMode: deps.config.silent.enabled ? 'all' : deps.config.silent.indicators.join(',') || 'off',
  });
  return {
    ...deps,
    metrics,
    onEvaluated: (event) => {
      onEvaluated?.(event);
      countCards(metrics, event);
    },
  };
}

/**
 * Card log: after a 200 every evaluated card is enqueued (marked silenced or not; enqueueing never blocks),
 * feedback is committed before the route answers, `/readyz` reports the store, `/healthz` explains a broken
 * one, `close` flushes it.
 */
export function withCardLog(deps: AppDeps, cardLog: CardLogRuntime): AppDeps {
  const { onEvaluated, onFeedback, health } = deps;
  return {
    ...deps,
    onEvaluated: (event) => {
      onEvaluated?.(event);
      cardLog.logCards({
        cards: [...event.cards.map((card) => ({ card, silenced: false })), ...event.silenced.map((card) => ({ card, silenced: true }))],
        serviceId: deps.service.id,
        hookInstance: event.hookInstance,
        patientId: event.patientId,
        knowledgeVersion: deps.knowledge.version,
      });
    },
    onFeedback: async (items, req) => {
      await onFeedback?.(items, req);
      await cardLog.logFeedback(items);
    },
    health: () => ({ ...(health?.() ?? {}), ...cardLog.health() }),
    readiness: () => cardLog.readiness(),
    close: async () => {
      await deps.close?.();
      await cardLog.close();
    },
  };
}

function createBaseRuntime(config: Config, logger: Logger, stats: ServiceStats): AppDeps {
  const { knowledge, service, evaluator, content } = configuredPipeline(config);
  const sharedReplay =
    config.store.kind === 'postgres' && config.store.postgresUrl
      ? createPostgresReplayStore({
          connectionString: config.store.postgresUrl,
          onPoolError: (message) => logger.warn({ err: message }, 'replay guard pool error'),
        })
      : undefined;
  const security = createSecurity(config.security, logger, { stats, ...(sharedReplay ? { sharedReplay } : {}) });
  const threads = config.workers ?? availableParallelism();
  const executor = threads > 0 ? poolExecutor(config, { threads, stats, nice: config.workerNice }) : undefined;
  return {
    config,
    logger,
    knowledge,
    service,
    evaluator,
    stats,
    ...(executor ? { executor } : {}),
    authenticate: security.authenticate,
    checkFhirServer: security.checkFhirServer,
    health: () => ({
      contentVersion: content.contentVersion,
      ...security.health(),
      evaluation: executor ? { workers: threads } : { workers: 0, thread: 'main' },
    }),
    close: async () => {
      await executor?.close();
      await security.close();
    },
  };
}
