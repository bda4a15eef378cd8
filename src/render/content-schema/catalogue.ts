/** Schemas of the card sources (cards/sources.json), override reasons and the work-up catalogue (cards/workup.json). */
import { z } from 'zod';
import { ANALYTE_IDS, EXPOSURE_CLASSES } from '../../vocabulary';
import { comment, text } from './parts';

const syndrome = z.enum(['iec-hs', 'treatment-related-hlh']);

const httpUrl = z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const codingSchema = z.object({ system: text, code: text, display: text.optional() }).strict();

export const sourcesSchema = z
  .object({
    ...comment,
    sources: z.record(z.string(), z.object({ label: text, url: httpUrl.optional(), linkLabel: text.optional() }).strict()),
    cardSource: z
      .object({
        'iec-hs': z.object({ label: text, sourceId: text, topic: codingSchema }).strict(),
        'treatment-related-hlh': z.object({ label: text, sourceId: text, topic: codingSchema }).strict(),
      })
      .strict(),
    cite: z.object({ 'iec-hs': z.array(text), 'treatment-related-hlh': z.array(text), lamotrigine: z.array(text) }).strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const known = new Set(Object.keys(s.sources));
    for (const [k, v] of Object.entries(s.cardSource)) {
      if (!known.has(v.sourceId)) ctx.addIssue({ code: 'custom', path: ['cardSource', k, 'sourceId'], message: `unknown source "${v.sourceId}"` });
    }
    for (const [k, ids] of Object.entries(s.cite)) {
      ids.forEach((id, i) => {
        if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['cite', k, i], message: `unknown source "${id}"` });
      });
    }
  });

export const overrideReasonsSchema = z
  .object({
    ...comment,
    system: text,
    reasons: z.array(z.object({ code: text, display: text }).strict()).min(1),
  })
  .strict();

const workupItemSchema = z
  .object({
    ...comment,
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case id (a-z, 0-9, -)'),
    label: text,
    /** bundle: in the recommended order; optional: own suggestion; advice: text only. */
    mode: z.enum(['bundle', 'optional', 'advice']),
    /** Analytes whose latest value decides freshness; empty = the screen cannot see whether it was done. */
    covers: z.array(z.enum(ANALYTE_IDS)),
    /** [design] An item is offered when a covered analyte is missing or older than this. */
    freshnessHours: z.number().positive().finite(),
    coding: z.array(codingSchema).min(1).optional(),
    /** `confirmed`: a LOINC code of the knowledge base; `text-only`: ordered by code.text. */
    codingStatus: z.enum(['confirmed', 'text-only', 'site']),
    when: z
      .object({ syndromes: z.array(syndrome).min(1).optional(), exposureClasses: z.array(z.enum(EXPOSURE_CLASSES)).min(1).optional() })
      .strict()
      .optional(),
    /** Advice items: not advised again when the chart documents this (a marrow/tissue examination). */
    documentedBy: z.enum(['marrow-examination']).optional(),
  })
  .strict()
  .superRefine((item, ctx) => {
    if (item.codingStatus === 'text-only' && item.coding) {
      ctx.addIssue({ code: 'custom', path: ['coding'], message: 'text-only items must not carry a coding' });
    }
    if (item.codingStatus !== 'text-only' && !item.coding) {
      ctx.addIssue({ code: 'custom', path: ['coding'], message: `codingStatus "${item.codingStatus}" needs a coding` });
    }
    if (item.mode === 'bundle' && item.covers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['covers'], message: 'bundle items need at least one covered analyte (freshness must be computable)' });
    }
  });
export type WorkupItem = z.infer<typeof workupItemSchema>;

export const workupSchema = z
  .object({
    ...comment,
    serviceRequest: z
      .object({
        status: z.literal('draft'),
        intent: z.enum(['proposal', 'plan']),
        priority: z.enum(['routine', 'urgent', 'asap', 'stat']),
        reasonText: text,
      })
      .strict(),
    recommendedLabel: text.refine((s) => s.includes('{n}'), 'must contain {n}'),
    recommendedLabelOne: text,
    items: z.array(workupItemSchema).min(1),
  })
  .strict()
  .superRefine((w, ctx) => {
    const seen = new Set<string>();
    w.items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate id "${item.id}"` });
      seen.add(item.id);
    });
  });
