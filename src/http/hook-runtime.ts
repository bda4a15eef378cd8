/**
 * Builds what a hook task needs from the validated configuration: knowledge base (with site overrides), card
 * content, the compiled pipeline and the service definition. Each evaluation worker calls this once at start,
 * so FHIRPath is compiled once per worker, never per request.
 */
import type { Config } from '../config/schema';
import { loadKnowledge } from '../knowledge/load';
import { createEvaluator, type Evaluator } from '../pipeline/evaluate';
import { prefetchTemplates } from '../pipeline/prefetch-templates';
import { loadCardContent } from '../render/content';
import { hlhScreenService } from '../service-definition';
import type { ServiceDefinition } from '../hooks/discovery';
import type { HookTaskRuntime } from './hook-task';

export function hookTaskRuntime(config: Config, built?: { service: ServiceDefinition; evaluator: Evaluator }): HookTaskRuntime {
  let service = built?.service;
  let evaluator = built?.evaluator;
  if (!service || !evaluator) {
    const knowledge = loadKnowledge(config.knowledgeFile);
    service = hlhScreenService(prefetchTemplates(knowledge, config));
    evaluator = createEvaluator({ knowledge, content: loadCardContent(config.cardsDir) });
  }
  return {
    service,
    evaluator,
    silent: config.silent,
    maxJsonDepth: config.maxJsonDepth,
    evaluationReserveMs: config.evaluationReserveMs,
    allowHttpLoopback: config.security.fhir.allowHttpLoopback,
    resolve: {
      onOperationOutcome: config.prefetch.onOperationOutcome,
      deadlineMs: config.fhir.deadlineMs,
      maxHookBytes: config.fhir.maxHookBytes,
      fetch: { timeoutMs: config.fhir.timeoutMs, maxPages: config.fhir.maxPages, maxResponseBytes: config.fhir.maxResponseBytes },
    },
  };
}
