/**
 * Builds what a hook task needs from the validated configuration: knowledge base (with site overrides), card
 * content, the compiled pipeline and the service definition. Each evaluation worker calls this once at start,
 * so FHIRPath is compiled once per worker, never per request.
 */
import type { Config } from '../config/schema';
import { evidenceCardLink } from '../evidence/card-link';
import type { Knowledge } from '../knowledge';
import { loadKnowledge } from '../knowledge/load';
import { createEvaluator } from '../pipeline/evaluate';
import { prefetchTemplates } from '../fhir/prefetch-templates';
import { loadCardContent, type CardContent } from '../render/content';
import { hlhScreenService } from '../service-definition';
import type { ServiceDefinition } from '../hooks/discovery';
import type { HookTaskRuntime } from './hook-task';
import type { Evaluator } from './hook-task';

export interface ConfiguredPipeline {
  knowledge: Knowledge;
  content: CardContent;
  service: ServiceDefinition;
  evaluator: Evaluator;
}

/**
 * The pipeline as configured — site knowledge, card content, site time zone, card detail, the evidence-view link — defined once
 * for the main thread and every evaluation worker, so they cannot drift apart.
 */
export function configuredPipeline(config: Config): ConfiguredPipeline {
  const knowledge = loadKnowledge(config.knowledgeFile);
  const service = hlhScreenService(prefetchTemplates(knowledge, config));
  const content = loadCardContent(config.cardsDir);
  const evaluator = createEvaluator({ knowledge, content, timeZone: config.siteTimeZone, detail: config.cardDetail, ...evidenceCardLink(config) });
  return { knowledge, content, service, evaluator };
}

export function hookTaskRuntime(config: Config, built?: { service: ServiceDefinition; evaluator: Evaluator }): HookTaskRuntime {
  const { service, evaluator } = built ?? configuredPipeline(config);
  return {
    service,
    evaluator,
    silent: config.silent,
    maxJsonDepth: config.maxJsonDepth,
    evaluationReserveMs: config.evaluationReserveMs,
    allowHttpLoopback: config.security.fhir.allowHttpLoopback,
    allowHttpHosts: config.security.fhir.allowHttpHosts,
    resolve: {
      onOperationOutcome: config.prefetch.onOperationOutcome,
      deadlineMs: config.fhir.deadlineMs,
      maxHookBytes: config.fhir.maxHookBytes,
      maxMedicationReads: config.fhir.maxMedicationReads,
      fetch: { timeoutMs: config.fhir.timeoutMs, maxPages: config.fhir.maxPages, maxResponseBytes: config.fhir.maxResponseBytes },
    },
  };
}
