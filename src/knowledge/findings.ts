// PLACEHOLDER — owned by the clinical data layer (issue 3): finding code lists. Replace wholesale.
import { z } from 'zod';
export const findingKnowledgeSchema = z.object({}).passthrough();
export const defaultFindingKnowledge = {};
