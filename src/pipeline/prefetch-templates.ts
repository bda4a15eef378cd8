import type { Knowledge } from '../knowledge';
import type { Config } from '../config/schema';
import type { AnalyteId } from '../timeline/types';
import { buildPrefetchTemplates, type TemplateInputs } from '../fhir/queries';

/** `system|code` tokens for analytes and finding Observations, read from the knowledge base's code lists. */
export function templateInputs(knowledge: Knowledge, config: Config): TemplateInputs {
  return {
    analyteTokens: (analytes: readonly AnalyteId[]) => analyteTokens(knowledge, analytes),
    findingTokens: () => findingTokens(knowledge),
    observationCount: config.fhir.observationCount,
    searchCount: 100,
  };
}

export function prefetchTemplates(knowledge: Knowledge, config: Config): Record<string, string> {
  return buildPrefetchTemplates(templateInputs(knowledge, config));
}

// Placeholder until the analyte registry lands (issue 3).
function analyteTokens(_knowledge: Knowledge, _analytes: readonly AnalyteId[]): string[] {
  return [];
}
function findingTokens(_knowledge: Knowledge): string[] {
  return [];
}
