/**
 * When a card is shown and at which indicator: rules over named conditions. The conditions take their numbers
 * from the criteria knowledge (HLH-2004 `required`, the HScore `cutoff`, the HLH-2004 ferritin threshold) or from
 * this section, so that no clinical number exists twice: overriding `criteria.hscore.cutoff` moves the indicator
 * with the card's text. Rules are evaluated in the order listed (critical first); the first that holds wins.
 */
import { z } from 'zod';
import { design, provenance, scalarSchema } from './provenance';

/**
 * - `astct-suggestive` / `astct-watch`: the IEC-HS screen's status (criteria.iecHs).
 * - `hlh2004-reached`: HLH-2004 criteria met ≥ criteria.hlh2004.required.
 * - `hscore-at-cutoff`: HScore proven by the data ≥ criteria.hscore.cutoff.
 * - `hlh2004-ferritin-met`: the HLH-2004 ferritin criterion (criteria.hlh2004.ferritin) is met.
 * - `hlh2004-further-met`: HLH-2004 criteria other than ferritin met ≥ indicator.drugWarningFurtherCriteria.
 */
const INDICATOR_CONDITIONS = [
  'astct-suggestive',
  'astct-watch',
  'hlh2004-reached',
  'hscore-at-cutoff',
  'hlh2004-ferritin-met',
  'hlh2004-further-met',
] as const;
export type IndicatorCondition = (typeof INDICATOR_CONDITIONS)[number];

const condition = z.enum(INDICATOR_CONDITIONS);
/** Holds when every `all` condition holds and, when `any` is given, at least one of `any` (an empty `any` never holds). */
const ruleSchema = z.strictObject({
  all: z.array(condition).optional(),
  any: z.array(condition).optional(),
  ...provenance,
});
export type IndicatorRule = z.infer<typeof ruleSchema>;
const indicatorLevel = z.enum(['info', 'warning', 'critical']);

export const indicatorKnowledgeSchema = z.strictObject({
  iec: z.strictObject({
    critical: ruleSchema,
    warning: ruleSchema,
    /** An IEC exposure whose screen is not suggestive (e.g. no ferritin yet) with a strong HLH signal. */
    hlhWithoutAstct: ruleSchema.extend({ indicator: indicatorLevel }),
    info: ruleSchema,
  }),
  drug: z.strictObject({ critical: ruleSchema, warning: ruleSchema }),
  /** `hlh2004-further-met`: how many HLH-2004 criteria other than ferritin must be met. */
  drugWarningFurtherCriteria: scalarSchema(z.number().int().nonnegative()),
  /** Ferritin as the only abnormal finding never gives more than this indicator. */
  isolatedHyperferritinemiaMax: scalarSchema(indicatorLevel),
});
export type IndicatorKnowledge = z.infer<typeof indicatorKnowledgeSchema>;

const STRONG: IndicatorCondition[] = ['hlh2004-reached', 'hscore-at-cutoff'];

export const defaultIndicatorKnowledge: IndicatorKnowledge = {
  iec: {
    critical: { all: ['astct-suggestive'], any: STRONG, ...design('indicator rules') },
    warning: { all: ['astct-suggestive'], ...design('indicator rules') },
    hlhWithoutAstct: { indicator: 'warning', any: STRONG, ...design('indicator rules', 'An IEC exposure whose screen is not suggestive (e.g. no ferritin yet) but with a strong HLH signal is still worth a warning.') },
    info: { all: ['astct-watch'], ...design('indicator rules') },
  },
  drug: {
    critical: { any: STRONG, ...design('indicator rules') },
    warning: { all: ['hlh2004-ferritin-met', 'hlh2004-further-met'], ...design('indicator rules') },
  },
  drugWarningFurtherCriteria: {
    value: 2,
    unit: 'criteria',
    ...design('indicator rules', 'A drug exposure gives a warning card when the HLH-2004 ferritin criterion is met with at least this many further HLH-2004 criteria: ferritin alone is not specific in adults.'),
  },
  isolatedHyperferritinemiaMax: { value: 'info', ...design('ferritin alone never gives a "likely HLH" card', 'Ferritin alone is not specific in adults (Schram 2015, Blood 125:1548: most very high ferritins are renal failure, liver injury, infection or malignancy).') },
};
