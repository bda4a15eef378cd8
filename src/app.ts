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
import { evidenceCardLink, evidenceRouter } from './evidence';

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
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.security.trustProxy);
  app.use(requestContext(logger));
  // JSON API: no content is ever rendered, so the strictest CSP; cross-origin reads stay allowed for CORS clients.
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(cors(config.cors.origins));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', knowledgeVersion: deps.knowledge.version, ...(deps.health?.() ?? {}) });
  });

  app.get('/readyz', async (_req, res) => {
    const r = deps.readiness
      ? await deps.readiness().catch(() => ({ ok: false, body: { status: 'degraded' } }))
      : { ok: true, body: { status: 'ok' } };
    res.status(r.ok ? 200 : 503).json(r.body);
  });

  // Admission control first: over `maxInFlight` hook evaluations a call is refused (503) before any JWT or parse work.
  const admission = admissionControl(config.maxInFlight);
  app.locals.admission = admission;
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
        maxMedicationReads: config.fhir.maxMedicationReads,
        fetch: { timeoutMs: config.fhir.timeoutMs, maxPages: config.fhir.maxPages, maxResponseBytes: config.fhir.maxResponseBytes },
      },
      ...(deps.checkFhirServer ? { checkFhirServer: deps.checkFhirServer } : {}),
      ...(deps.onEvaluated ? { onEvaluated: deps.onEvaluated } : {}),
    }),
  );
  const feedback = feedbackRouter({ service: deps.service, logger, ...(deps.onFeedback ? { onFeedback: deps.onFeedback } : {}) });
  app.use(feedback.router);
  app.locals.feedbackCounters = feedback.counters;
  app.use(evidenceRouter({ config, knowledge: deps.knowledge, queries: deps.service.prefetch ?? {}, logger }));

  app.use((req, res) => sendError(res, 404, 'not-found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
  app.use(errorHandler(logger));
  return app;
}

/** Production dependencies from configuration (knowledge overrides, content, pipeline, card log). */
export function createRuntime(config: Config, logger: Logger): AppDeps {
  const deps = withCardLog(createBaseRuntime(config, logger), createCardLogRuntime(config.store, logger));
  if (config.devAsOf === undefined) return deps;
  const asOf = new Date(config.devAsOf);
  logger.warn({ devAsOf: config.devAsOf }, 'DEVELOPMENT: every hook is evaluated as of DEV_AS_OF, not the clock');
  return { ...deps, now: () => asOf };
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
  const evaluator = createEvaluator({
    knowledge,
    content: loadCardContent(config.cardsDir),
    timeZone: config.siteTimeZone,
    ...evidenceCardLink(config),
  });
  const security = createSecurity(config.security, logger);
  return {
    config,
    logger,
    knowledge,
    service,
    evaluator,
    authenticate: security.authenticate,
    checkFhirServer: security.checkFhirServer,
    health: security.health,
  };
}
