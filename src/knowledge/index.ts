/**
 * The clinical knowledge base: every code list, unit, threshold and window the service uses, in one
 * typed, versioned, overridable place. Each part lives in its own module with its citations
 * (../shared/knowledge/clinical-criteria.md); a site overrides any of it with a JSON file
 * (see `loadKnowledge`), validated by the same schemas.
 */
import { z } from 'zod';
import { analyteKnowledgeSchema, defaultAnalyteKnowledge } from './analytes';
import { findingKnowledgeSchema, defaultFindingKnowledge } from './findings';
import { exposureKnowledgeSchema, defaultExposureKnowledge } from './exposures';
import { criteriaKnowledgeSchema, defaultCriteriaKnowledge } from './criteria';

/** Bump when any default value changes; recorded in every assessment. */
export const KNOWLEDGE_VERSION = '2026.12.1';

export const knowledgeSchema = z.object({
  version: z.string().min(1),
  /** Dotted paths a site's override file changed (empty for the shipped defaults); shown in provenance. */
  overrides: z.array(z.string()).default([]),
  analytes: analyteKnowledgeSchema,
  findings: findingKnowledgeSchema,
  exposures: exposureKnowledgeSchema,
  criteria: criteriaKnowledgeSchema,
});
export type Knowledge = z.infer<typeof knowledgeSchema>;

export const defaultKnowledge: Knowledge = knowledgeSchema.parse({
  version: KNOWLEDGE_VERSION,
  overrides: [],
  analytes: defaultAnalyteKnowledge,
  findings: defaultFindingKnowledge,
  exposures: defaultExposureKnowledge,
  criteria: defaultCriteriaKnowledge,
});
