// PLACEHOLDER — owned by the criteria engine (issue 4): thresholds, lookbacks, rules. Replace wholesale.
import { z } from 'zod';
export const criteriaKnowledgeSchema = z.object({}).passthrough();
export const defaultCriteriaKnowledge = {};
