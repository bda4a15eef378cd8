/**
 * Criteria knowledge: every threshold, operator, lookback and rule the criteria engine (src/criteria) uses.
 *
 * Every value carries its evidence status and source (`status`, `source: { id, locator }`, see ./provenance.ts):
 * [confirmed] seen in the paper; [reproduced] from secondary reproductions (verify before go-live); [design] a
 * product decision (docs/knowledge.md, "Design decisions"). All values are configurable: a site overrides them with
 * a JSON file validated by `criteriaKnowledgeSchema`; the assessment lists every overridden path.
 *
 * Predicates are JSON objects with explicit operators so that the exact operator is reviewable:
 * `{ unit: 'ng/mL', gte: 500 }` means "≥ 500 ng/mL". `alt` gives the same rule in another unit system with
 * that system's own published number (e.g. triglycerides 3.0 mmol/L next to 265 mg/dL): the engine compares
 * a value in the unit system the lab reported, so each boundary is exact in both systems.
 */
import { z } from 'zod';
import { cite, design, provenance, reproduced, scalarSchema } from './provenance';

const bounds = {
  gt: z.number().finite().optional(),
  gte: z.number().finite().optional(),
  lt: z.number().finite().optional(),
  lte: z.number().finite().optional(),
};

function boundsAreSane(p: { gt?: number; gte?: number; lt?: number; lte?: number }): boolean {
  if (p.gt !== undefined && p.gte !== undefined) return false;
  if (p.lt !== undefined && p.lte !== undefined) return false;
  return p.gt !== undefined || p.gte !== undefined || p.lt !== undefined || p.lte !== undefined;
}

/** A numeric condition in one unit system (at least one bound; not both gt and gte, not both lt and lte). */
const unitPredicateSchema = z
  .object({ unit: z.string().min(1), ...bounds })
  .strict()
  .refine(boundsAreSane, { message: 'predicate needs at least one bound and at most one lower and one upper' });

/** A condition in the canonical unit, optionally restated in other unit systems with their own numbers. */
const thresholdSchema = z
  .object({ unit: z.string().min(1), ...bounds, alt: z.array(unitPredicateSchema).optional(), ...provenance })
  .strict()
  .refine(boundsAreSane, { message: 'threshold needs at least one bound and at most one lower and one upper' });
export type Threshold = z.infer<typeof thresholdSchema>;

const bandSchema = z
  .object({ points: z.number().int().nonnegative(), ...bounds })
  .strict()
  .refine(boundsAreSane, { message: 'band needs at least one bound' });

const bandSetSchema = z
  .object({ unit: z.string().min(1), bands: z.array(bandSchema).min(1) })
  .strict();
/** Points bands (HScore) in the canonical unit, optionally restated in other unit systems. */
const bandedVariableSchema = bandSetSchema
  .extend({ alt: z.array(bandSetSchema).optional(), ...provenance })
  .strict();
export type BandedVariable = z.infer<typeof bandedVariableSchema>;

const positive = scalarSchema(z.number().finite().positive());
const hours = positive;
const count = scalarSchema(z.number().int().positive());
const points = scalarSchema(z.number().int().nonnegative());
const flag = scalarSchema(z.boolean());

export const criteriaKnowledgeSchema = z
  .object({
    /** Which value counts: the most abnormal in the criterion's direction within these lookbacks. */
    lookback: z
      .object({
        labHours: hours,
        temperatureHours: hours,
        /** Findings (Condition / Observation) without an active status count when dated within this many days. */
        findingDays: positive,
      })
      .strict(),
    /** ULN used for ferritin when the value has no reference range (lab or fallback). */
    ferritinDefaultUln: z.strictObject({ value: z.number().finite().positive(), unit: z.string().min(1), ...provenance }),
    iecHs: z
      .object({
        /** Baseline = last value in this many days before day 0. */
        baselineDays: positive,
        /** No baseline: `assume-normal` (compare with ULN/threshold only) or `unknown` (arm unknown). */
        missingBaseline: scalarSchema(z.enum(['assume-normal', 'unknown'])),
        ferritin: z.object({ ulnFactor: positive, baselineFactor: positive }).strict(),
        rapidRise: z.strictObject({ factor: positive, withinHours: hours, requireAboveUln: flag }),
        transaminases: z.object({ ulnFactor: positive, baselineFactor: positive }).strict(),
        fibrinogen: z.object({ absolute: thresholdSchema, belowLln: flag }).strict(),
        cytopenia: z
          .object({ hemoglobin: thresholdSchema, platelets: thresholdSchema, anc: thresholdSchema })
          .strict(),
        fever: thresholdSchema,
        triglycerides: thresholdSchema,
        /** "May be present" features stated as "> ULN" (LDH, PT / INR / aPTT, direct bilirubin; new renal insufficiency). */
        aboveUlnFactor: positive,
        /** The screen's working rule: the ferritin criterion plus at least this many other most-common features. */
        suggestiveOtherFeatures: count,
      })
      .strict(),
    hlh2004: z
      .object({
        required: count,
        fever: thresholdSchema,
        cytopenias: z
          .object({
            lineagesRequired: count,
            hemoglobin: thresholdSchema,
            hemoglobinNeonatal: thresholdSchema,
            neonatalMaxAgeDays: positive,
            platelets: thresholdSchema,
            anc: thresholdSchema,
          })
          .strict(),
        triglycerides: thresholdSchema,
        /** `system|code` of triglyceride observations that are fasting by definition. */
        triglyceridesFastingCodes: scalarSchema(z.array(z.string().min(1))),
        /** Fasting state unknown: `unknown-if-above` (a value at/above threshold is not proof) or `treat-as-fasting`. */
        triglyceridesUnknownFasting: scalarSchema(z.enum(['unknown-if-above', 'treat-as-fasting'])),
        fibrinogen: thresholdSchema,
        ferritin: thresholdSchema,
        scd25: thresholdSchema,
      })
      .strict(),
    hscore: z
      .object({
        maximum: count,
        cutoff: positive,
        immunosuppressionPoints: points,
        /**
         * A medication-derived immunosuppression finding (glucocorticoid, cyclosporine, azathioprine) counts as
         * "long-term" only when it is ongoing at asOf and its documented course spans at least this many days.
         */
        immunosuppressionMedicationMinDays: positive,
        temperature: bandedVariableSchema,
        organomegaly: z.strictObject({ one: z.number().int().nonnegative(), both: z.number().int().nonnegative(), ...provenance }),
        cytopenias: z
          .object({
            hemoglobin: thresholdSchema,
            wbc: thresholdSchema,
            platelets: thresholdSchema,
            /** Points by number of cytopenic lineages: index 0, 1, 2, 3. */
            pointsByCount: scalarSchema(z.array(z.number().int().nonnegative()).length(4)),
          })
          .strict(),
        ferritin: bandedVariableSchema,
        triglycerides: bandedVariableSchema,
        fibrinogen: bandedVariableSchema,
        ast: bandedVariableSchema,
        hemophagocytosisPoints: points,
        /** Fardet 2014 probability table rows, ascending by score; `qualifier` keeps "<1" / ">99". */
        probabilityTable: scalarSchema(
          z.array(
            z
              .object({
                score: z.number().finite(),
                percent: z.number().finite().min(0).max(100),
                qualifier: z.enum(['<', '>']).optional(),
              })
              .strict(),
          ).min(2),
        ),
      })
      .strict(),
    ohi: z.object({ scd25: thresholdSchema, ferritin: thresholdSchema }).strict(),
    /**
     * The change over about `changeHours`: from the earlier value whose distance to the latest is closest to
     * `changeHours`, within ± `toleranceHours` (ties: the more recent); no such value → no change.
     */
    trends: z.object({ changeHours: hours, toleranceHours: scalarSchema(z.number().finite().nonnegative()) }).strict(),
    /** Below this age (years, at the value's time) a criterion judged against a fallback range is named on the card. */
    pediatric: z.object({ underAgeYears: positive }).strict(),
  })
  .strict();

export type CriteriaKnowledge = z.infer<typeof criteriaKnowledgeSchema>;


const HLH2004 = (criterion: string) => cite('henter-2007', criterion);
const HSCORE = (variable: string) => cite('fardet-2014', `HScore table: ${variable}`);
const ASTCT = (feature: string) => reproduced('hines-2023', `IEC-HS features table: ${feature}`);
const OHI = (part: string) => cite('zoref-lorenz-2022', part);
const CYTOPENIA_NOTE =
  'The consensus says "cytopenias: new onset, worsening, or refractory" without numbers: the HLH-2004 lineage thresholds (Henter 2007 criterion 3) are reused; a cytopenia counts when new or worse than baseline.';

export const defaultCriteriaKnowledge: CriteriaKnowledge = {
  lookback: {
    labHours: { value: 7 * 24, unit: 'h', ...design('which value counts: laboratory lookback', 'The most abnormal value in the criterion\'s direction within the last 7 days counts: long enough for daily labs, short enough to describe the current episode.') },
    temperatureHours: { value: 72, unit: 'h', ...design('which value counts: temperature lookback', 'Fever is judged over the last 72 h: a fever days ago does not describe the patient now.') },
    findingDays: {
      value: 90,
      unit: 'd',
      ...design('finding lookback', 'The papers are silent on the age of a finding (splenomegaly, hemophagocytosis…): one without an active status counts when dated within 90 days; it also bounds how old a marrow examination may be to replace the biopsy suggestion.'),
    },
  },
  ferritinDefaultUln: { value: 400, unit: 'ng/mL', ...design('ferritin ULN when the lab gives no range', 'Ferritin ULNs vary a lot between laboratories: without a reference range from the lab, 400 ng/mL is used and the card marks it.') },
  iecHs: {
    baselineDays: { value: 30, unit: 'd', ...design('IEC-HS baseline window', 'The consensus baseline is the value at infusion: the last value in the 30 days before day 0 stands for it.') },
    missingBaseline: { value: 'assume-normal', ...design('IEC-HS missing baseline', 'Without a baseline the baseline-relative arm is dropped and the ULN arm decides (flagged on the card); `unknown` makes the arm unknown instead.') },
    ferritin: {
      ulnFactor: { value: 2, unit: '× ULN', ...ASTCT('ferritin > 2 × ULN') },
      baselineFactor: { value: 2, unit: '× baseline', ...ASTCT('ferritin > 2 × baseline (value at infusion)') },
    },
    rapidRise: {
      factor: { value: 2, unit: '× earlier value', ...design('ferritin "rapidly rising"', 'The consensus gives no number for "rapidly rising": a doubling within 48 h, above the ULN, is used.') },
      withinHours: { value: 48, unit: 'h', ...design('ferritin "rapidly rising"') },
      requireAboveUln: { value: true, ...design('ferritin "rapidly rising"') },
    },
    transaminases: {
      ulnFactor: { value: 5, unit: '× ULN', ...ASTCT('ALT or AST > 5 × ULN if baseline normal') },
      baselineFactor: { value: 5, unit: '× baseline', ...ASTCT('ALT or AST > 5 × baseline if baseline abnormal') },
    },
    fibrinogen: {
      absolute: { unit: 'mg/dL', lt: 150, alt: [{ unit: 'g/L', lt: 1.5 }], ...ASTCT('hypofibrinogenemia < 150 mg/dL') },
      belowLln: { value: true, ...ASTCT('hypofibrinogenemia or < LLN') },
    },
    // The consensus's "cytopenias: new onset, worsening, or refractory" gives no number: the screen reuses the
    // HLH-2004 lineage thresholds (Henter 2007 criterion 3) as its definition.
    cytopenia: {
      hemoglobin: { unit: 'g/dL', lt: 9.0, alt: [{ unit: 'g/L', lt: 90 }], ...design('IEC-HS cytopenia thresholds', CYTOPENIA_NOTE) },
      platelets: { unit: '10*9/L', lt: 100, alt: [{ unit: '10*3/uL', lt: 100 }], ...design('IEC-HS cytopenia thresholds', CYTOPENIA_NOTE) },
      anc: { unit: '10*9/L', lt: 1.0, alt: [{ unit: '10*3/uL', lt: 1.0 }], ...design('IEC-HS cytopenia thresholds', CYTOPENIA_NOTE) },
    },
    // "fever: new or persistent" gives no number: the HLH-2004 threshold is reused.
    fever: { unit: 'Cel', gte: 38.5, ...design('IEC-HS fever threshold', 'The consensus says "fever: new or persistent" without a number: the HLH-2004 threshold (Henter 2007 criterion 1) is reused.') },
    triglycerides: { unit: 'mg/dL', gt: 265, alt: [{ unit: 'mmol/L', gt: 3.0 }], ...ASTCT('hypertriglyceridemia fasting > 265 mg/dL') },
    aboveUlnFactor: { value: 1, unit: '× ULN', ...ASTCT('LDH, other coagulopathy, direct hyperbilirubinemia > ULN') },
    suggestiveOtherFeatures: { value: 1, unit: 'features', ...design('IEC-HS working rule', 'IEC exposure + the ferritin criterion + at least one other most-common laboratory feature (transaminases, fibrinogen, cytopenias, hemophagocytosis) → features suggestive of IEC-HS; ferritin alone → watch.') },
  },
  hlh2004: {
    required: { value: 5, unit: 'criteria', ...HLH2004('diagnostic criteria: 5 of 8') },
    fever: { unit: 'Cel', gte: 38.5, ...HLH2004('criterion 1') },
    cytopenias: {
      lineagesRequired: { value: 2, unit: 'lineages', ...HLH2004('criterion 3') },
      hemoglobin: { unit: 'g/dL', lt: 9.0, alt: [{ unit: 'g/L', lt: 90 }], ...HLH2004('criterion 3') },
      hemoglobinNeonatal: { unit: 'g/dL', lt: 10.0, alt: [{ unit: 'g/L', lt: 100 }], ...HLH2004('criterion 3 (under 4 weeks of age)') },
      neonatalMaxAgeDays: { value: 28, unit: 'd', ...HLH2004('criterion 3 (under 4 weeks of age)') },
      platelets: { unit: '10*9/L', lt: 100, alt: [{ unit: '10*3/uL', lt: 100 }], ...HLH2004('criterion 3') },
      anc: { unit: '10*9/L', lt: 1.0, alt: [{ unit: '10*3/uL', lt: 1.0 }], ...HLH2004('criterion 3') },
    },
    triglycerides: { unit: 'mg/dL', gte: 265, alt: [{ unit: 'mmol/L', gte: 3.0 }], ...HLH2004('criterion 4') },
    // No fasting-specific triglyceride code is confirmed: sites configure theirs.
    triglyceridesFastingCodes: { value: [], ...design('fasting triglycerides', 'No fasting-specific triglyceride code is confirmed: a site lists the codes of its fasting tests (`system|code`).') },
    triglyceridesUnknownFasting: { value: 'unknown-if-above', ...design('fasting triglycerides', 'A value at or above the threshold whose fasting state is unknown is not proof (unknown); a value below it disproves the criterion whatever the fasting state.') },
    fibrinogen: { unit: 'mg/dL', lte: 150, alt: [{ unit: 'g/L', lte: 1.5 }], ...HLH2004('criterion 4') },
    ferritin: { unit: 'ng/mL', gte: 500, alt: [{ unit: 'ug/L', gte: 500 }], ...HLH2004('criterion 7') },
    // pg/mL is never converted (assay-specific factor).
    scd25: { unit: 'U/mL', gte: 2400, ...HLH2004('criterion 8') },
  },
  hscore: {
    maximum: { value: 337, unit: 'points', ...HSCORE('maximum score') },
    cutoff: { value: 169, unit: 'points', ...cite('fardet-2014', 'cut-off 169 (sensitivity 93%, specificity 86%)') },
    immunosuppressionPoints: { value: 18, unit: 'points', ...HSCORE('known underlying immunosuppression') },
    // Fardet says "long-term glucocorticoids / cyclosporine / azathioprine" without a duration: conservative, so
    // that a CRS/ICANS steroid course does not score.
    immunosuppressionMedicationMinDays: { value: 90, unit: 'd', ...design('HScore long-term immunosuppression', 'Fardet says "long-term" without a duration: a medication counts when ongoing and documented for 90 days, so that a CRS/ICANS steroid course does not score.') },
    temperature: {
      unit: 'Cel',
      bands: [
        { points: 0, lt: 38.4 },
        { points: 33, gte: 38.4, lte: 39.4 },
        { points: 49, gt: 39.4 },
      ],
      ...HSCORE('temperature'),
    },
    organomegaly: { one: 23, both: 38, ...HSCORE('organomegaly') },
    cytopenias: {
      hemoglobin: { unit: 'g/dL', lte: 9.2, alt: [{ unit: 'g/L', lte: 92 }], ...HSCORE('number of cytopenias') },
      wbc: { unit: '10*9/L', lte: 5, alt: [{ unit: '10*3/uL', lte: 5 }], ...HSCORE('number of cytopenias') },
      platelets: { unit: '10*9/L', lte: 110, alt: [{ unit: '10*3/uL', lte: 110 }], ...HSCORE('number of cytopenias') },
      pointsByCount: { value: [0, 0, 24, 34], unit: 'points by 0, 1, 2, 3 lineages', ...HSCORE('number of cytopenias') },
    },
    ferritin: {
      unit: 'ng/mL',
      bands: [
        { points: 0, lt: 2000 },
        { points: 35, gte: 2000, lte: 6000 },
        { points: 50, gt: 6000 },
      ],
      ...HSCORE('ferritin'),
    },
    // The mg/dL bands as commonly published (factor 88.5); each unit system is compared with its own numbers.
    triglycerides: {
      unit: 'mg/dL',
      bands: [
        { points: 0, lt: 132.7 },
        { points: 44, gte: 132.7, lte: 354 },
        { points: 64, gt: 354 },
      ],
      alt: [
        {
          unit: 'mmol/L',
          bands: [
            { points: 0, lt: 1.5 },
            { points: 44, gte: 1.5, lte: 4 },
            { points: 64, gt: 4 },
          ],
        },
      ],
      ...HSCORE('triglycerides'),
    },
    fibrinogen: {
      unit: 'mg/dL',
      bands: [
        { points: 0, gt: 250 },
        { points: 30, lte: 250 },
      ],
      alt: [
        {
          unit: 'g/L',
          bands: [
            { points: 0, gt: 2.5 },
            { points: 30, lte: 2.5 },
          ],
        },
      ],
      ...HSCORE('fibrinogen'),
    },
    ast: {
      unit: 'U/L',
      bands: [
        { points: 0, lt: 30 },
        { points: 19, gte: 30 },
      ],
      ...HSCORE('AST'),
    },
    hemophagocytosisPoints: { value: 35, unit: 'points', ...HSCORE('hemophagocytosis on bone marrow aspirate') },
    // "<1" at 90 and ">99" at 250 keep their qualifiers.
    probabilityTable: {
      value: [
        { score: 90, percent: 1, qualifier: '<' },
        { score: 100, percent: 1 },
        { score: 110, percent: 3 },
        { score: 120, percent: 5 },
        { score: 130, percent: 9 },
        { score: 140, percent: 16 },
        { score: 150, percent: 25 },
        { score: 160, percent: 40 },
        { score: 170, percent: 54 },
        { score: 180, percent: 70 },
        { score: 190, percent: 80 },
        { score: 200, percent: 88 },
        { score: 210, percent: 93 },
        { score: 220, percent: 96 },
        { score: 230, percent: 98 },
        { score: 240, percent: 99 },
        { score: 250, percent: 99, qualifier: '>' },
      ],
      unit: '% probability of reactive HLH by score',
      ...cite('fardet-2014', 'probability of reactive HLH by score'),
    },
  },
  ohi: {
    scd25: { unit: 'U/mL', gt: 3900, ...OHI('sCD25 > 3,900 U/mL') },
    ferritin: { unit: 'ng/mL', gt: 1000, alt: [{ unit: 'ug/L', gt: 1000 }], ...OHI('ferritin > 1,000 ng/mL') },
  },
  trends: {
    changeHours: { value: 48, unit: 'h', ...design('trends', 'Trends show the change over about 48 h (the pair whose distance is closest to 48 h).') },
    // Real sampling is daily or twice daily at irregular hours: a pair 24–72 h apart still shows the 48 h direction.
    toleranceHours: { value: 24, unit: 'h', ...design('trends', 'Sampling is daily or twice daily at irregular hours: a pair 24–72 h apart still shows the 48 h direction.') },
  },
  // The fallback ranges shipped are adult ones: under this age the card says when one decided a criterion.
  pediatric: { underAgeYears: { value: 18, unit: 'a', ...design('pediatric fallback-range notice', 'The fallback ranges shipped are adult ones: under this age the card says when one decided a criterion.') } },
};
