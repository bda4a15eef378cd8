/** The brief card's wording schema (cards/wording.json `brief`; rendered by src/render/brief.ts). */
import { z } from 'zod';
import { comment, text } from './parts';

const indicatorText = z.object({ critical: text, warning: text, info: text }).strict();

/** The brief card detail (src/render/brief.ts): fixed parts, shortened or dropped in a fixed order to fit the budget. */
export const briefWordingSchema = z
  .object({
    ...comment,
    disclaimer: text,
    /** {agents}, {dayText}. */
    trigger: text,
    /** {list} of alsoInWindowItem ({agent}, {dayText}). */
    alsoInWindow: text,
    alsoInWindowItem: text,
    indicator: indicatorText,
    /** Why the card has its indicator, by indicator rule; {signal}, {ferritin}, {further}. */
    reason: z
      .object({
        'iec.critical': text,
        'iec.warning': text,
        'iec.info': text,
        'iec.hlhWithoutAstct': text,
        'drug.critical': text,
        'drug.warning': text,
        capped: text,
      })
      .strict(),
    signal: z.object({ hlh2004: text, hscore: text }).strict(),
    criteriaHeading: text,
    moreCriteria: text.refine((s) => s.includes('{n}'), 'must contain {n}'),
    /** The shortest criteria part: {items} the first and moreCriteria. */
    criteriaShort: text,
    preliminary: text,
    counts: text,
    countsShort: text,
    probability: text,
    probabilityUpTo: text,
    alternativesNote: text,
    alternativesMore: text,
    /** The shortest alternatives part: the first {line} and the count {n}. */
    alternativesShort: text,
    missing: text,
    missingMore: text,
    missingCount: text,
    consider: z.object({ iec: text, drug: text }).strict(),
    lamotrigine: text,
    pediatric: text,
    /** The first data problem ({message}), with {n} more, or only their count. */
    dataIssue: text,
    dataIssuesMore: text,
    dataIssuesCount: text,
    evidence: z.object({ linked: text, unlinked: text }).strict(),
    /** Short labels by criterion id for findings without an analyte (splenomegaly, hemophagocytosis, …). */
    criterionLabels: z.record(z.string(), text),
  })
  .strict();
