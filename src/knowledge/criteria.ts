/**
 * Criteria knowledge: every threshold, operator, lookback and rule the criteria engine (src/criteria) uses.
 *
 * Source of truth: ../shared/knowledge/clinical-criteria.md ("CC" below). Every number cites its CC row and
 * its status: [confirmed] seen in the source; [reproduced] from secondary reproductions (verify before
 * go-live); [design] a product decision. All values are configurable: a site overrides them with a JSON file
 * validated by `criteriaKnowledgeSchema`; the assessment lists every overridden path.
 *
 * Predicates are JSON objects with explicit operators so that the exact operator is reviewable:
 * `{ unit: 'ng/mL', gte: 500 }` means "≥ 500 ng/mL". `alt` gives the same rule in another unit system with
 * that system's own published number (e.g. triglycerides 3.0 mmol/L next to 265 mg/dL): the engine compares
 * a value in the unit system the lab reported, so each boundary is exact in both systems.
 */
import { z } from 'zod';

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
  .object({ unit: z.string().min(1), ...bounds, alt: z.array(unitPredicateSchema).optional() })
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
  .extend({ alt: z.array(bandSetSchema).optional() })
  .strict();
export type BandedVariable = z.infer<typeof bandedVariableSchema>;

const positive = z.number().finite().positive();
const hours = z.number().finite().positive();

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
    ferritinDefaultUln: z.object({ value: positive, unit: z.string().min(1) }).strict(),
    iecHs: z
      .object({
        /** Baseline = last value in this many days before day 0. */
        baselineDays: positive,
        /** No baseline: `assume-normal` (compare with ULN/threshold only) or `unknown` (arm unknown). */
        missingBaseline: z.enum(['assume-normal', 'unknown']),
        ferritin: z.object({ ulnFactor: positive, baselineFactor: positive }).strict(),
        rapidRise: z
          .object({ factor: positive, withinHours: hours, requireAboveUln: z.boolean() })
          .strict(),
        transaminases: z.object({ ulnFactor: positive, baselineFactor: positive }).strict(),
        fibrinogen: z.object({ absolute: thresholdSchema, belowLln: z.boolean() }).strict(),
        cytopenia: z
          .object({ hemoglobin: thresholdSchema, platelets: thresholdSchema, anc: thresholdSchema })
          .strict(),
        fever: thresholdSchema,
        triglycerides: thresholdSchema,
      })
      .strict(),
    hlh2004: z
      .object({
        required: z.number().int().positive(),
        fever: thresholdSchema,
        cytopenias: z
          .object({
            lineagesRequired: z.number().int().positive(),
            hemoglobin: thresholdSchema,
            hemoglobinNeonatal: thresholdSchema,
            neonatalMaxAgeDays: positive,
            platelets: thresholdSchema,
            anc: thresholdSchema,
          })
          .strict(),
        triglycerides: thresholdSchema,
        /** `system|code` of triglyceride observations that are fasting by definition. */
        triglyceridesFastingCodes: z.array(z.string().min(1)),
        /** Fasting state unknown: `unknown-if-above` (a value at/above threshold is not proof) or `treat-as-fasting`. */
        triglyceridesUnknownFasting: z.enum(['unknown-if-above', 'treat-as-fasting']),
        fibrinogen: thresholdSchema,
        ferritin: thresholdSchema,
        scd25: thresholdSchema,
      })
      .strict(),
    hscore: z
      .object({
        maximum: z.number().int().positive(),
        cutoff: z.number().positive(),
        immunosuppressionPoints: z.number().int().nonnegative(),
        /**
         * A medication-derived immunosuppression finding (glucocorticoid, cyclosporine, azathioprine) counts as
         * "long-term" only when it is ongoing at asOf and its documented course spans at least this many days.
         */
        immunosuppressionMedicationMinDays: positive,
        temperature: bandedVariableSchema,
        organomegaly: z.object({ one: z.number().int().nonnegative(), both: z.number().int().nonnegative() }).strict(),
        cytopenias: z
          .object({
            hemoglobin: thresholdSchema,
            wbc: thresholdSchema,
            platelets: thresholdSchema,
            /** Points by number of cytopenic lineages: index 0, 1, 2, 3. */
            pointsByCount: z.array(z.number().int().nonnegative()).length(4),
          })
          .strict(),
        ferritin: bandedVariableSchema,
        triglycerides: bandedVariableSchema,
        fibrinogen: bandedVariableSchema,
        ast: bandedVariableSchema,
        hemophagocytosisPoints: z.number().int().nonnegative(),
        /** Fardet 2014 probability table rows, ascending by score; `qualifier` keeps "<1" / ">99". */
        probabilityTable: z
          .array(
            z
              .object({
                score: z.number().finite(),
                percent: z.number().finite().min(0).max(100),
                qualifier: z.enum(['<', '>']).optional(),
              })
              .strict(),
          )
          .min(2),
      })
      .strict(),
    ohi: z.object({ scd25: thresholdSchema, ferritin: thresholdSchema }).strict(),
    /**
     * The change over about `changeHours`: from the earlier value whose distance to the latest is closest to
     * `changeHours`, within ± `toleranceHours` (ties: the more recent); no such value → no change.
     */
    trends: z.object({ changeHours: hours, toleranceHours: z.number().finite().nonnegative() }).strict(),
    /** Below this age (years, at the value's time) a criterion judged against a fallback range is named on the card. */
    pediatric: z.object({ underAgeYears: positive }).strict(),
  })
  .strict();

export type CriteriaKnowledge = z.infer<typeof criteriaKnowledgeSchema>;

export const defaultCriteriaKnowledge: CriteriaKnowledge = {
  lookback: {
    labHours: 7 * 24, // CC issue 4 "which value counts": 7 days for laboratory values [design]
    temperatureHours: 72, // CC issue 4: 72 h for temperature [design]
    // [design] NOT in CC (CC is silent on finding age): a finding (splenomegaly, hemophagocytosis…) without an
    // active status counts when onset/effective time or abatement is within 90 days of asOf. Needs clinical review.
    findingDays: 90,
  },
  ferritinDefaultUln: { value: 400, unit: 'ng/mL' }, // CC §7 fallback ranges: ferritin ULN 400 ng/mL [design]
  iecHs: {
    baselineDays: 30, // CC issue 4: baseline = last value in the 30 days before day 0 [design]
    missingBaseline: 'assume-normal', // [design] no baseline → compare with ULN only; flagged on the item
    ferritin: {
      ulnFactor: 2, // CC §2 ferritin "> 2 × ULN" [reproduced]
      baselineFactor: 2, // CC §2 ferritin "> 2 × baseline (value at infusion)" [reproduced]
    },
    rapidRise: {
      factor: 2, // CC issue 4: "rapidly rising" = doubled (≥ 2×) [design]
      withinHours: 48, // CC issue 4: within 48 h [design]
      requireAboveUln: true, // [design] the later value must exceed the ULN (no "rise" inside the normal range)
    },
    transaminases: {
      ulnFactor: 5, // CC §2 ALT/AST "> 5 × ULN if baseline normal" [reproduced]
      baselineFactor: 5, // CC §2 ALT/AST "> 5 × baseline if baseline abnormal" [reproduced]
    },
    fibrinogen: {
      absolute: { unit: 'mg/dL', lt: 150, alt: [{ unit: 'g/L', lt: 1.5 }] }, // CC §2 "< 150 mg/dL" [reproduced]
      belowLln: true, // CC §2 "or < LLN" [reproduced]
    },
    cytopenia: {
      // CC §2 "cytopenias: new onset, worsening, or refractory" gives no number [reproduced]; the screen
      // reuses the HLH-2004 lineage thresholds (CC §3 #3 [confirmed]) as its cytopenia definition [design].
      hemoglobin: { unit: 'g/dL', lt: 9.0, alt: [{ unit: 'g/L', lt: 90 }] },
      platelets: { unit: '10*9/L', lt: 100, alt: [{ unit: '10*3/uL', lt: 100 }] },
      anc: { unit: '10*9/L', lt: 1.0, alt: [{ unit: '10*3/uL', lt: 1.0 }] },
    },
    // CC §2 "fever: new or persistent" gives no number [reproduced]; reuses HLH-2004 ≥ 38.5 °C (CC §3 #1) [design]
    fever: { unit: 'Cel', gte: 38.5 },
    // CC §2 may-be-present "hypertriglyceridemia: fasting > 265 mg/dL" [reproduced]
    triglycerides: { unit: 'mg/dL', gt: 265, alt: [{ unit: 'mmol/L', gt: 3.0 }] },
  },
  hlh2004: {
    required: 5, // CC §3 "5 of these 8" [confirmed]
    fever: { unit: 'Cel', gte: 38.5 }, // CC §3 #1 fever ≥ 38.5 °C [confirmed]
    cytopenias: {
      lineagesRequired: 2, // CC §3 #3 "≥ 2 of 3 lineages" [confirmed]
      hemoglobin: { unit: 'g/dL', lt: 9.0, alt: [{ unit: 'g/L', lt: 90 }] }, // CC §3 #3 Hb < 90 g/L [confirmed]
      hemoglobinNeonatal: { unit: 'g/dL', lt: 10.0, alt: [{ unit: 'g/L', lt: 100 }] }, // CC §3 #3 < 100 g/L under 4 weeks [confirmed]
      neonatalMaxAgeDays: 28, // CC §3 #3 "under 4 weeks of age" (4 × 7 days) [confirmed]
      platelets: { unit: '10*9/L', lt: 100, alt: [{ unit: '10*3/uL', lt: 100 }] }, // CC §3 #3 < 100 × 10⁹/L [confirmed]
      anc: { unit: '10*9/L', lt: 1.0, alt: [{ unit: '10*3/uL', lt: 1.0 }] }, // CC §3 #3 neutrophils < 1.0 × 10⁹/L [confirmed]
    },
    // CC §3 #4 fasting triglycerides ≥ 3.0 mmol/L (≥ 265 mg/dL) [confirmed]
    triglycerides: { unit: 'mg/dL', gte: 265, alt: [{ unit: 'mmol/L', gte: 3.0 }] },
    triglyceridesFastingCodes: [], // [design] no fasting-specific code confirmed in CC §7; sites configure theirs
    triglyceridesUnknownFasting: 'unknown-if-above', // [design] see engine docs: below threshold still proves not-met
    fibrinogen: { unit: 'mg/dL', lte: 150, alt: [{ unit: 'g/L', lte: 1.5 }] }, // CC §3 #4 ≤ 1.5 g/L (≤ 150 mg/dL) [confirmed]
    ferritin: { unit: 'ng/mL', gte: 500, alt: [{ unit: 'ug/L', gte: 500 }] }, // CC §3 #7 ≥ 500 µg/L [confirmed]
    scd25: { unit: 'U/mL', gte: 2400 }, // CC §3 #8 ≥ 2,400 U/mL [confirmed]; pg/mL never converted
  },
  hscore: {
    maximum: 337, // CC §4 "Maximum 337" [confirmed]
    cutoff: 169, // CC §4 cut-off 169 (sens 93%, spec 86%) [confirmed]
    immunosuppressionPoints: 18, // CC §4 known underlying immunosuppression yes → 18 [confirmed]
    // [design] NOT in CC: CC §4 says "long-term glucocorticoids / cyclosporine / azathioprine" without a duration.
    // Conservative default (a CRS/ICANS steroid course must not score): ongoing at asOf and ≥ 90 days documented.
    // Needs clinical review before go-live.
    immunosuppressionMedicationMinDays: 90,
    temperature: {
      // CC §4 temperature: < 38.4 → 0 · 38.4–39.4 → 33 · > 39.4 → 49 [confirmed]
      unit: 'Cel',
      bands: [
        { points: 0, lt: 38.4 },
        { points: 33, gte: 38.4, lte: 39.4 },
        { points: 49, gt: 39.4 },
      ],
    },
    organomegaly: { one: 23, both: 38 }, // CC §4 hepatomegaly or splenomegaly 23 · both 38 [confirmed]
    cytopenias: {
      hemoglobin: { unit: 'g/dL', lte: 9.2, alt: [{ unit: 'g/L', lte: 92 }] }, // CC §4 Hb ≤ 9.2 g/dL [confirmed]
      wbc: { unit: '10*9/L', lte: 5, alt: [{ unit: '10*3/uL', lte: 5 }] }, // CC §4 WBC ≤ 5 × 10⁹/L [confirmed]
      platelets: { unit: '10*9/L', lte: 110, alt: [{ unit: '10*3/uL', lte: 110 }] }, // CC §4 platelets ≤ 110 × 10⁹/L [confirmed]
      pointsByCount: [0, 0, 24, 34], // CC §4 0 or 1 lineage → 0 · 2 → 24 · 3 → 34 [confirmed]
    },
    ferritin: {
      // CC §4 ferritin ng/mL: < 2,000 → 0 · 2,000–6,000 → 35 · > 6,000 → 50 [confirmed]
      unit: 'ng/mL',
      bands: [
        { points: 0, lt: 2000 },
        { points: 35, gte: 2000, lte: 6000 },
        { points: 50, gt: 6000 },
      ],
    },
    triglycerides: {
      // CC §4 triglycerides mg/dL: < 132.7 → 0 · 132.7–354 → 44 · > 354 → 64 [confirmed]
      unit: 'mg/dL',
      bands: [
        { points: 0, lt: 132.7 },
        { points: 44, gte: 132.7, lte: 354 },
        { points: 64, gt: 354 },
      ],
      alt: [
        {
          // CC §4 triglycerides mmol/L: < 1.5 → 0 · 1.5–4 → 44 · > 4 → 64 [confirmed]
          unit: 'mmol/L',
          bands: [
            { points: 0, lt: 1.5 },
            { points: 44, gte: 1.5, lte: 4 },
            { points: 64, gt: 4 },
          ],
        },
      ],
    },
    fibrinogen: {
      // CC §4 fibrinogen g/L: > 2.5 → 0 · ≤ 2.5 → 30 [confirmed]; canonical mg/dL = g/L × 100 (CC §7)
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
    },
    ast: {
      // CC §4 AST U/L: < 30 → 0 · ≥ 30 → 19 [confirmed]
      unit: 'U/L',
      bands: [
        { points: 0, lt: 30 },
        { points: 19, gte: 30 },
      ],
    },
    hemophagocytosisPoints: 35, // CC §4 hemophagocytosis on bone marrow aspirate yes → 35 [confirmed]
    probabilityTable: [
      // CC §4 Fardet 2014 published probability of reactive HLH by score [confirmed] ("<1" at 90, ">99" at 250)
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
  },
  ohi: {
    scd25: { unit: 'U/mL', gt: 3900 }, // CC §5 OHI sCD25 > 3,900 U/mL [confirmed]
    ferritin: { unit: 'ng/mL', gt: 1000, alt: [{ unit: 'ug/L', gt: 1000 }] }, // CC §5 OHI ferritin > 1,000 ng/mL [confirmed]
  },
  trends: {
    changeHours: 48, // CC issue 4 trends: change over 48 h [design]
    // [design] Real sampling is daily or twice daily at irregular hours: a pair 24–72 h apart still shows the
    // 48 h direction (samples 60 h apart are assessed), while a pair a few hours apart would only show noise.
    toleranceHours: 24,
  },
  // [design] The fallback ranges shipped are adult ones (no pediatric ranges are cited for them): under 18 the card
  // says when one decided a criterion.
  pediatric: { underAgeYears: 18 },
};
