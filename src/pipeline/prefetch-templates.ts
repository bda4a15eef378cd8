import type { Knowledge } from '../knowledge';
import type { Config } from '../config/schema';
import type { AnalyteId } from '../timeline/types';
import { buildPrefetchTemplates, type TemplateInputs } from '../fhir/queries';
import { ICD10CM } from '../knowledge/analytes';

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

const token = (c: { system: string; code: string }) => `${c.system}|${c.code}`;

function analyteTokens(knowledge: Knowledge, analytes: readonly AnalyteId[]): string[] {
  const defs = knowledge.analytes.analytes;
  return [...new Set(analytes.flatMap((a) => (defs[a]?.codes ?? []).map(token)))];
}

/** Findings a lab or pathology system records as Observations; ICD-10-CM codes are Condition-only. */
function findingTokens(knowledge: Knowledge): string[] {
  return [...new Set(knowledge.findings.codes.filter((c) => c.system !== ICD10CM).map(token))].sort();
}
