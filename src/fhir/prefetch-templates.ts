/**
 * The prefetch templates the discovery document advertises: the query list (./queries.ts) filled with the
 * `system|code` tokens of the knowledge base's code lists, so an EHR prefetches exactly what the engine reads.
 */
import type { Knowledge } from '../knowledge';
import { buildPrefetchTemplates, type TemplateInputs } from './queries';
import { ICD10CM, type AnalyteId } from '../vocabulary';

/** The part of the service configuration the templates read (the service passes its whole `Config`). */
interface TemplateConfig {
  fhir: { observationCount: number };
}

/** `system|code` tokens for analytes and finding Observations, read from the knowledge base's code lists. */
function templateInputs(knowledge: Knowledge, config: TemplateConfig): TemplateInputs {
  return {
    analyteTokens: (analytes: readonly AnalyteId[]) => analyteTokens(knowledge, analytes),
    findingTokens: () => findingTokens(knowledge),
    observationCount: config.fhir.observationCount,
    searchCount: 100,
  };
}

export function prefetchTemplates(knowledge: Knowledge, config: TemplateConfig): Record<string, string> {
  return buildPrefetchTemplates(templateInputs(knowledge, config));
}

const token = (c: { system: string; code: string }) => `${c.system}|${c.code}`;

function analyteTokens(knowledge: Knowledge, analytes: readonly AnalyteId[]): string[] {
  const defs = knowledge.analytes.analytes;
  return [...new Set(analytes.flatMap((a) => (defs[a]?.codes ?? []).map(token)))];
}

/** Findings a lab or pathology system records as Observations; ICD-10-CM codes are Condition-only. */
function findingTokens(knowledge: Knowledge): string[] {
  return [...new Set(knowledge.findings.codes.filter((c) => c.system !== ICD10CM).map(token))].sort();
}
