import { Router, type Request } from 'express';
import { feedbackRequestSchema, type FeedbackItem } from '../hooks/feedback';
import { outcomeFromZod, sendError, sendOutcome } from '../hooks/operation-outcome';
import type { ServiceDefinition } from '../hooks/discovery';
import type { Logger } from '../log/logger';
import type { ServiceStats } from '../ops/stats';
import { requestLogger } from '../log/request-context';

export interface FeedbackRouteDeps {
  service: ServiceDefinition;
  logger: Logger;
  stats?: ServiceStats;
  /**
   * Persists feedback. The route answers 200 only after the returned promise resolves (the items are
   * committed); if it rejects, 503 + Retry-After so the EHR sends them again (storing is idempotent).
   */
  onFeedback?: (items: FeedbackItem[], req: Request) => void | Promise<void>;
}

export function feedbackRouter(deps: FeedbackRouteDeps): { router: Router; counters: { received: number } } {
  const router = Router();
  const counters = { received: 0 };
  router.post('/cds-services/:id/feedback', async (req, res) => {
    if (req.params.id !== deps.service.id) return sendError(res, 404, 'not-found', `no CDS service with id "${req.params.id}"`);
    const parsed = feedbackRequestSchema.safeParse(req.body);
    if (!parsed.success) return sendOutcome(res, 400, outcomeFromZod(parsed.error));
    const items = parsed.data.feedback.length;
    try {
      await deps.onFeedback?.(parsed.data.feedback, req);
    } catch (e) {
      if (deps.stats) deps.stats.counters.feedbackCommitFailures++;
      requestLogger(res, deps.logger).error({ err: { message: (e as Error).message }, items }, 'feedback not stored → 503');
      res.setHeader('Retry-After', '5');
      return sendError(res, 503, 'transient', 'feedback could not be stored now; nothing was saved, send it again later');
    }
    counters.received += items;
    requestLogger(res, deps.logger).info({ items }, 'feedback stored');
    res.status(200).json({ received: items });
  });
  return { router, counters };
}
