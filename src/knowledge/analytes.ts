// PLACEHOLDER — owned by the clinical data layer (issue 3): analyte registry (codes → analyte, canonical units,
// unit aliases, fallback reference ranges). Replace wholesale.
import { z } from 'zod';
export const analyteKnowledgeSchema = z.object({}).passthrough();
export const defaultAnalyteKnowledge = {};
