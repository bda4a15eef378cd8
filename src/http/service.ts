import { Router, type Request, type Response } from 'express';
import type { ServiceDefinition } from '../hooks/discovery';
import type { Card } from '../hooks/response';
import type { Logger } from '../log/logger';
import type { ServiceStats } from '../ops/stats';
import type { AuthenticatedClient } from '../security/jwt';
import { childLogger } from '../log/request-context';
import type { HookExecutor } from './hook-executor';
import { notInTime, type FhirFetchEvent, type HookTaskResult } from './hook-task';
import type { RawBody } from './raw-body';
import { sendError } from '../hooks/operation-outcome';

/** What the card log (or any observer) receives after a hook call is answered 200. */
export interface EvaluatedEvent {
  req: Request;
  hookInstance: string;
  patientId: string;
  cards: Card[];
  /** Cards withheld by silent mode. */
  silenced: Card[];
}

export interface ServiceRouteDeps {
  service: ServiceDefinition;
  executor: HookExecutor;
  logger: Logger;
  now: () => Date;
  /** Time a hook call may take from admission to answer (queue, fetch and evaluation). */
  hookDeadlineMs: number;
  stats?: ServiceStats;
  /** Security seam for the main-thread executor: may veto the request's fhirServer. */
  checkFhirServer?: (req: Request, url: string) => string | undefined;
  /** Called after the response is sent (card log, metrics); must not throw or block. */
  onEvaluated?: (event: EvaluatedEvent) => void;
  /** Told about each FHIR query the call made for a missing prefetch key (metrics). */
  observeFhirFetch?: (event: FhirFetchEvent) => void;
}

export function serviceRouter(deps: ServiceRouteDeps): Router {
  const router = Router();
  const { service } = deps;

  router.post('/cds-services/:id', async (req, res) => {
    if (req.params.id !== service.id) {
      return sendError(res, 404, 'not-found', `no CDS service with id "${req.params.id}"`);
    }
    const raw = res.locals.rawBody as RawBody | undefined;
    if (!raw) return sendError(res, 400, 'structure', 'request body must be a JSON object (Content-Type: application/json)');
    res.locals.rawBody = undefined;
    const admittedAt = typeof res.locals.admittedAt === 'number' ? (res.locals.admittedAt as number) : Date.now();
    const deadlineAtMs = admittedAt + deps.hookDeadlineMs;
    const client = res.locals.client as AuthenticatedClient | undefined;
    const task = { body: raw.bytes, nowMs: deps.now().getTime(), deadlineAtMs, fhirServers: client ? client.fhirServers : null };

    // The answer is due at the deadline even if the worker is still busy: a late card is no card for the EHR.
    const watchdog = setTimeout(() => answerLate(res), Math.max(0, deadlineAtMs - Date.now()));
    let result: HookTaskResult;
    try {
      result = await deps.executor.run(task, deps.checkFhirServer ? (url) => deps.checkFhirServer!(req, url) : undefined);
    } finally {
      clearTimeout(watchdog);
    }
    if (res.headersSent) return;
    send(res, result);
    if (result.expired && deps.stats) deps.stats.counters.overloadRefusedDeadline++;
    if (result.fhirRefusal && deps.stats) deps.stats.counters[result.fhirRefusal === 'bytes' ? 'fhirBytesRefusals' : 'fhirDeadlineRefusals']++;
    if (deps.observeFhirFetch) for (const f of result.fetches ?? []) deps.observeFhirFetch(f);
    const log = childLogger(res, deps.logger, result.hookInstance ? { hookInstance: result.hookInstance } : {});
    if (result.log) log[result.log.level](result.log.fields, result.log.msg);
    if (result.status !== 200 || !result.cardLog) return;
    try {
      deps.onEvaluated?.({ req, ...result.cardLog });
    } catch (e) {
      log.error({ err: { message: (e as Error).message } }, 'onEvaluated failed');
    }
  });

  function answerLate(res: Response): void {
    if (res.headersSent) return;
    if (deps.stats) deps.stats.counters.overloadRefusedDeadline++;
    childLogger(res, deps.logger, {}).warn({ hookDeadlineMs: deps.hookDeadlineMs }, 'hook not evaluated within its deadline → 503');
    send(res, notInTime());
  }
  return router;
}

function send(res: Response, result: HookTaskResult): void {
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
  res.status(result.status).type(result.contentType).send(result.body);
}
