import { Router, type Request } from 'express';
import { feedbackRequestSchema, type FeedbackItem } from '../hooks/feedback';
import { outcomeFromZod } from '../hooks/operation-outcome';
import type { ServiceDefinition } from '../hooks/discovery';
import type { Logger } from '../log/logger';
import { sendError, sendOutcome } from './errors';
import { requestLogger } from '../security/request-context';

export interface FeedbackRouteDeps {
  service: ServiceDefinition;
  logger: Logger;
  /** Persists feedback (card log, issue 8); must not throw or block the response. */
  onFeedback?: (items: FeedbackItem[], req: Request) => void;
}

export function feedbackRouter(deps: FeedbackRouteDeps): { router: Router; counters: { received: number } } {
  const router = Router();
  const counters = { received: 0 };
  router.post('/cds-services/:id/feedback', (req, res) => {
    if (req.params.id !== deps.service.id) return sendError(res, 404, 'not-found', `no CDS service with id "${req.params.id}"`);
    const parsed = feedbackRequestSchema.safeParse(req.body);
    if (!parsed.success) return sendOutcome(res, 400, outcomeFromZod(parsed.error));
    counters.received += parsed.data.feedback.length;
    try {
      deps.onFeedback?.(parsed.data.feedback, req);
    } catch (e) {
      requestLogger(res, deps.logger).error({ err: { message: (e as Error).message } }, 'feedback sink failed');
    }
    requestLogger(res, deps.logger).info({ items: parsed.data.feedback.length }, 'feedback received');
    res.status(200).json({ received: parsed.data.feedback.length });
  });
  return { router, counters };
}
