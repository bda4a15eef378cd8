import { Router, type Request } from 'express';
import { operationOutcome } from '../hooks/operation-outcome';
import { outcomeFromZod } from '../hooks/operation-outcome';
import { patientViewRequestSchema, type PatientViewRequest } from '../hooks/request';
import type { ServiceDefinition } from '../hooks/discovery';
import { PrefetchUnavailableError, resolveData, type ResolveOptions } from '../fhir/resolve';
import type { Evaluation, Evaluator } from '../pipeline/evaluate';
import type { Logger } from '../log/logger';
import { sendError, sendOutcome } from './errors';
import { childLogger } from '../security/request-context';

export interface ServiceRouteDeps {
  service: ServiceDefinition;
  evaluator: Evaluator;
  resolve: Omit<ResolveOptions, 'checkFhirServer'>;
  logger: Logger;
  now: () => Date;
  /** Security seam: may veto the request's fhirServer (e.g. not allowed for this issuer). */
  checkFhirServer?: (req: Request, url: string) => string | undefined;
  /** Called after the response is computed (card log, metrics); must not throw or block. */
  onEvaluated?: (event: { req: Request; request: PatientViewRequest; evaluation: Evaluation }) => void;
}

export function serviceRouter(deps: ServiceRouteDeps): Router {
  const router = Router();
  const { service } = deps;

  router.post('/cds-services/:id', async (req, res) => {
    if (req.params.id !== service.id) {
      return sendError(res, 404, 'not-found', `no CDS service with id "${req.params.id}"`);
    }
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, 400, 'structure', 'request body must be a JSON object (Content-Type: application/json)');
    }
    const hook = (body as { hook?: unknown }).hook;
    if (typeof hook === 'string' && hook !== service.hook) {
      return sendError(res, 400, 'invalid', `hook "${hook.slice(0, 64)}" does not match service "${service.id}" (expects "${service.hook}")`, 'hook');
    }
    const parsed = patientViewRequestSchema.safeParse(body);
    if (!parsed.success) return sendOutcome(res, 400, outcomeFromZod(parsed.error));
    const request = parsed.data;
    const log = childLogger(res, deps.logger, { hookInstance: request.hookInstance });
    const started = process.hrtime.bigint();

    let data;
    try {
      data = await resolveData(
        {
          templates: service.prefetch ?? {},
          prefetch: request.prefetch,
          context: request.context,
          ...(request.fhirServer ? { fhirServer: request.fhirServer } : {}),
          ...(request.fhirAuthorization ? { accessToken: request.fhirAuthorization.access_token } : {}),
        },
        {
          ...deps.resolve,
          ...(deps.checkFhirServer ? { checkFhirServer: (url: string) => deps.checkFhirServer!(req, url) } : {}),
        },
      );
    } catch (e) {
      if (e instanceof PrefetchUnavailableError) {
        log.warn({ failures: e.failures }, 'prefetch unavailable → 412');
        return sendOutcome(
          res,
          412,
          operationOutcome(
            e.failures.map((f) => ({ code: 'incomplete', diagnostics: `prefetch "${f.key}": ${f.reason}`, expression: `prefetch.${f.key}` })),
          ),
        );
      }
      throw e;
    }
    const resolvedAt = process.hrtime.bigint();
    const evaluation = deps.evaluator(data, { ...request.context, now: deps.now() });
    const evaluatedAt = process.hrtime.bigint();
    res.json({ cards: evaluation.cards });
    if (data.medications && Object.keys(data.medications.unresolved).length) {
      log.warn({ medications: data.medications }, 'medication references unresolved');
    }
    log.info(
      {
        cards: evaluation.cards.length,
        sources: data.sources,
        ...(data.medications ? { medications: data.medications } : {}),
        ms: { resolve: Number(resolvedAt - started) / 1e6, evaluate: Number(evaluatedAt - resolvedAt) / 1e6 },
      },
      'hook evaluated',
    );
    try {
      deps.onEvaluated?.({ req, request, evaluation });
    } catch (e) {
      log.error({ err: { message: (e as Error).message } }, 'onEvaluated failed');
    }
  });
  return router;
}
