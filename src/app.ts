/**
 * Express application: the imperative shell around the pure pipeline. `createApp` takes every
 * dependency explicitly (tests build it with fakes); `createRuntime` builds the production ones
 * from a validated Config.
 */
import express, { type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from './config/schema';
import type { Knowledge } from './knowledge';
import { loadKnowledge } from './knowledge/load';
import type { Logger } from './log/logger';
import type { ServiceDefinition } from './hooks/discovery';
import type { FeedbackItem } from './hooks/feedback';
import { createEvaluator, type Evaluation, type Evaluator } from './pipeline/evaluate';
import { prefetchTemplates } from './pipeline/prefetch-templates';
import { loadCardContent } from './render/content';
import { hlhScreenService } from './service-definition';
import { cors } from './http/cors';
import { jsonBody } from './http/json-body';
import { discoveryRouter } from './http/discovery';
import { serviceRouter } from './http/service';
import { feedbackRouter } from './http/feedback';
import { errorHandler, sendError } from './http/errors';
import { admissionControl } from './http/admission';
import type { PatientViewRequest } from './hooks/request';
import { createCardLogRuntime, splitSilenced, type CardLogRuntime } from './store/card-log';
import { createSecurity } from './security';
import { requestContext } from './security/request-context';
import { ROUTES } from './http/routes';
import { openApiDocument } from './http/openapi';
import { accessLog } from './observability/access-log';
import { traceContext } from './observability/trace-context';
import { httpMetrics } from './observability/http-metrics';
import { metricsRouter } from './observability/metrics-endpoint';
import { ANY_ADDRESS, LOOPBACK_ONLY } from './observability/address-allowlist';
import { createMetrics, mainThreadPool, type Metrics } from './observability/metrics';
import { cardLogStatsFromWriter, countCards } from './observability/card-metrics';
import { APP_VERSION } from './version';

export interface AppDeps {
  config: Config;
  logger: Logger;
  knowledge: Knowledge;
  service: ServiceDefinition;
  evaluator: Evaluator;
  now?: () => Date;
  /** Authenticates CDS clients (issue 6); runs before every /cds-services route. */
  authenticate?: RequestHandler;
  checkFhirServer?: (req: Request, url: string) => string | undefined;
  onEvaluated?: (event: { req: Request; request: PatientViewRequest; evaluation: Evaluation }) => void;
  onFeedback?: (items: FeedbackItem[], req: Request) => void;
  /** Extra health facts (e.g. a loud warning when authentication is off). */
  health?: () => Record<string, unknown>;
  /** `/readyz`: 200 when ok, 503 with the body otherwise (card log store, issue 8). */
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
    res.status(r.ok ? 200 : 503).json(r.body);
  });

  app.get(ROUTES.openapi, (_req, res) => {
    res.json(openApiDocument());
  });
  if (deps.metrics && config.metrics.port === undefined) app.use(metricsRouter(deps.metrics, metricsAllowlist(config)));

  // Admission control first: over `maxInFlight` hook evaluations a call is refused (503) before any JWT or parse work.
  const admission = admissionControl(config.maxInFlight);
  app.locals.admission = admission;
  if (deps.metrics) deps.metrics.sources.admission ??= () => ({ inFlight: admission.inFlight(), refused: admission.refused() });
  app.use('/cds-services', admission.middleware);
  // Authenticate before parsing: an unauthenticated caller never gets a 10 MB body parsed.
  if (deps.authenticate) app.use('/cds-services', deps.authenticate);
  app.use('/cds-services', ...jsonBody(config.bodyLimit, config.maxJsonDepth));
  app.use(discoveryRouter([deps.service]));
  app.use(
    serviceRouter({
      service: deps.service,
      evaluator: deps.evaluator,
      logger,
      now: deps.now ?? (() => new Date()),
      resolve: {
        onOperationOutcome: config.prefetch.onOperationOutcome,
        deadlineMs: config.fhir.deadlineMs,
        fetch: { timeoutMs: config.fhir.timeoutMs, maxPages: config.fhir.maxPages, maxResponseBytes: config.fhir.maxResponseBytes },
        ...(deps.metrics ? { onFetch: deps.metrics.observeFhirFetch } : {}),
      },
      ...(deps.checkFhirServer ? { checkFhirServer: deps.checkFhirServer } : {}),
      ...(deps.onEvaluated ? { onEvaluated: deps.onEvaluated } : {}),
    }),
  );
  const feedback = feedbackRouter({ service: deps.service, logger, ...(deps.onFeedback ? { onFeedback: deps.onFeedback } : {}) });
  app.use(feedback.router);
  app.locals.feedbackCounters = feedback.counters;

  app.use((req, res) => sendError(res, 404, 'not-found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
  app.use(errorHandler(logger));
  return app;
}

/** Production dependencies from configuration (knowledge overrides, content, pipeline, card log, metrics). */
export function createRuntime(config: Config, logger: Logger): AppDeps {
  const base = createBaseRuntime(config, logger);
  const cardLog = createCardLogRuntime(config.store, logger);
  const deps = withMetrics(withCardLog(base, cardLog), createMetrics(), cardLog);
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
 * class; the card log writer's queue and failures and the evaluation threads read at scrape time.
 */
export function withMetrics(deps: AppDeps, metrics: Metrics, cardLog?: CardLogRuntime): AppDeps {
  const { onEvaluated } = deps;
  if (cardLog) metrics.sources.cardLog = () => cardLogStatsFromWriter(cardLog.writer.stats());
  metrics.sources.evaluationPool ??= mainThreadPool();
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
      countCards(metrics, event.evaluation);
    },
  };
}

/**
 * Card log and silent mode (issue 8): the evaluator's cards are split per `config.silent` (silenced ones are
 * withheld from the response); after the response every evaluated card is enqueued (marked silenced or not),
 * feedback items are enqueued, `/readyz` reports the store, `close` flushes it. Enqueueing never blocks.
 */
export function withCardLog(deps: AppDeps, cardLog: CardLogRuntime): AppDeps {
  const { evaluator, onEvaluated, onFeedback } = deps;
  return {
    ...deps,
    evaluator: (data, ctx) => {
      const evaluation = evaluator(data, ctx);
      const { shown, silenced } = splitSilenced(evaluation.cards, deps.config.silent);
      return { ...evaluation, cards: shown, silenced: [...(evaluation.silenced ?? []), ...silenced] };
    },
    onEvaluated: (event) => {
      onEvaluated?.(event);
      cardLog.logCards({
        cards: [
          ...event.evaluation.cards.map((card) => ({ card, silenced: false })),
          ...(event.evaluation.silenced ?? []).map((card) => ({ card, silenced: true })),
        ],
        serviceId: deps.service.id,
        hookInstance: event.request.hookInstance,
        patientId: event.request.context.patientId,
        knowledgeVersion: deps.knowledge.version,
      });
    },
    onFeedback: (items, req) => {
      onFeedback?.(items, req);
      cardLog.logFeedback(items);
    },
    readiness: () => cardLog.readiness(),
    close: async () => {
      await deps.close?.();
      await cardLog.close();
    },
  };
}

function createBaseRuntime(config: Config, logger: Logger): AppDeps {
  const knowledge = loadKnowledge(config.knowledgeFile);
  const service = hlhScreenService(prefetchTemplates(knowledge, config));
  const content = loadCardContent(config.cardsDir);
  const evaluator = createEvaluator({ knowledge, content });
  const security = createSecurity(config.security, logger);
  return {
    config,
    logger,
    knowledge,
    service,
    evaluator,
    authenticate: security.authenticate,
    checkFhirServer: security.checkFhirServer,
    health: () => ({ contentVersion: content.contentVersion, ...security.health() }),
  };
}
