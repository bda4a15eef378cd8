/**
 * The clinical knowledge base: every code list, unit, threshold, window and card rule the service uses, in one
 * typed, versioned, overridable place, each value with its evidence status and source (./provenance.ts) and a
 * bibliography (`sources`). A site overrides any of it with a JSON file (see `loadKnowledge`), validated by the
 * same schemas; `npm run knowledge` prints the effective values and docs/knowledge.md the shipped ones.
 */
import { z } from 'zod';
import { analyteKnowledgeSchema, defaultAnalyteKnowledge } from './analytes';
import { findingKnowledgeSchema, defaultFindingKnowledge } from './findings';
import { exposureKnowledgeSchema, defaultExposureKnowledge } from './exposures';
import { criteriaKnowledgeSchema, defaultCriteriaKnowledge } from './criteria';
import { defaultIndicatorKnowledge, indicatorKnowledgeSchema } from './indicator';
import { bibliographySchema } from './provenance';
import { knowledgeValues } from './values';
import { defaultSources } from './sources';

/** Bump when any default value changes; recorded in every assessment. */
export const KNOWLEDGE_VERSION = '2026.12.1';

export const knowledgeSchema = z
  .strictObject({
    version: z.string().min(1),
    /** Dotted paths a site's override file changed (empty for the shipped defaults); shown in provenance. */
    overrides: z.array(z.string()).default([]),
    /** Bibliography: what every `source.id` below refers to. */
    sources: bibliographySchema,
    analytes: analyteKnowledgeSchema,
    findings: findingKnowledgeSchema,
    exposures: exposureKnowledgeSchema,
    criteria: criteriaKnowledgeSchema,
    indicator: indicatorKnowledgeSchema,
  })
  .superRefine((k, ctx) => {
    for (const { path, value } of knowledgeValues(k)) {
      if (!Object.prototype.hasOwnProperty.call(k.sources, value.source.id)) {
        ctx.addIssue({ code: 'custom', path: [...path.split('.'), 'source', 'id'], message: `unknown source "${value.source.id}": add it to \`sources\`` });
      }
    }
  });
export type Knowledge = z.infer<typeof knowledgeSchema>;

export const defaultKnowledge: Knowledge = knowledgeSchema.parse({
  version: KNOWLEDGE_VERSION,
  overrides: [],
  sources: defaultSources,
  analytes: defaultAnalyteKnowledge,
  findings: defaultFindingKnowledge,
  exposures: defaultExposureKnowledge,
  criteria: defaultCriteriaKnowledge,
  indicator: defaultIndicatorKnowledge,
});
