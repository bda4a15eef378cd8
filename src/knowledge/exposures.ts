// PLACEHOLDER — owned by the clinical data layer (issue 3): trigger agents, codes, names, classes, windows.
// Replace wholesale.
import { z } from 'zod';
export const exposureKnowledgeSchema = z.object({}).passthrough();
export const defaultExposureKnowledge = {};
