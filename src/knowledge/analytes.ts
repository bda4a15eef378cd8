/**
 * Analyte registry for the clinical data layer: which coded Observations are which analyte,
 * each analyte's canonical unit, how non-canonical units convert, spellings of units seen in real feeds,
 * and the fallback reference ranges by age band (adult ones shipped).
 *
 * Every definition is a product decision built on LOINC (status and source on each, listed in docs/knowledge.md).
 * JSON-friendly on purpose: a site overrides any part with a JSON file
 * validated by `analyteKnowledgeSchema` (e.g. add a local lab code to `analytes.ferritin.codes`, add a
 * `conversions` row for creatinine in µmol/L once a factor is agreed, or add a unit spelling to
 * `unitAliases`).
 */
import { z } from 'zod';
import { ANALYTE_IDS, ICD10CM, LOINC, RXNORM, SNOMED, type AnalyteId } from '../vocabulary';
import { cite, provenance } from './provenance';


/** A code in a code system. Codes are matched by system + code, never by display text. */
export const codeRefSchema = z.strictObject({
  system: z.string().min(1),
  code: z.string().min(1),
});
type CodeRef = z.infer<typeof codeRefSchema>;

/**
 * A conversion UCUM cannot do alone (mol ↔ mass without a molecular weight, assay factors).
 * A value in any unit UCUM can convert to `fromUnit` is first converted to `fromUnit`, then multiplied
 * or divided by the factor, giving the analyte's canonical unit.
 */
const conversionSchema = z
  .strictObject({
    fromUnit: z.string().min(1),
    multiplyBy: z.number().positive().optional(),
    divideBy: z.number().positive().optional(),
  })
  .refine((c) => (c.multiplyBy === undefined) !== (c.divideBy === undefined), {
    message: 'exactly one of multiplyBy / divideBy',
  });

/** Units that are recognised but deliberately never converted (the value becomes "not evaluable"). */
const notConvertibleSchema = z.strictObject({
  /** Any unit UCUM finds commensurable with this one is refused with `reason`. */
  unit: z.string().min(1),
  reason: z.string().min(1),
});

const ageSchema = z.strictObject({
  value: z.number().finite().nonnegative(),
  /** UCUM age units, as in FHIR Age / Observation.referenceRange.age: days, weeks, months, years. */
  unit: z.enum(['d', 'wk', 'mo', 'a']),
});

/**
 * One age band of a fallback range, in the canonical unit. `age` (low inclusive, high exclusive, age at the
 * value's time) is absent for a band that applies at any age (and when the birth date is unknown). The first
 * band that applies is used, so list specific (pediatric) bands before an unbounded one.
 */
const fallbackBandSchema = z
  .strictObject({
    /** Shown with the range on the card, e.g. `adult`, `1–<12 years`. */
    population: z.string().min(1),
    age: z.strictObject({ low: ageSchema.optional(), high: ageSchema.optional() }).optional(),
    low: z.number().finite().optional(),
    high: z.number().finite().optional(),
  })
  .refine((b) => b.low !== undefined || b.high !== undefined, { message: 'a band needs low or high' })
  .refine((b) => b.low === undefined || b.high === undefined || b.low <= b.high, { message: 'low must not exceed high' });
export type FallbackBand = z.infer<typeof fallbackBandSchema>;

/** Values outside these limits cannot be a real result (a unit or interface error): never used, reported. */
const plausibleSchema = z
  .strictObject({ min: z.number().finite().optional(), max: z.number().finite().optional() })
  .refine((p) => p.min === undefined || p.max === undefined || p.min < p.max, { message: 'min must be below max' });

const analyteDefinitionSchema = z.strictObject({
  /** Human label for messages. */
  label: z.string().min(1),
  /** Codings that identify this analyte (Observation.code or component.code). */
  codes: z.array(codeRefSchema),
  /** UCUM code of the canonical unit; `null` keeps the value "as reported" (D-dimer, FEU vs DDU by code). */
  canonicalUnit: z.string().min(1).nullable(),
  /** A value without any unit is taken to be in the canonical unit (only for unitless analytes: INR). */
  unitless: z.boolean().optional(),
  /** g/mol, lets UCUM convert mol-based units to mass-based ones. */
  molecularWeight: z.number().positive().optional(),
  conversions: z.array(conversionSchema).optional(),
  notConvertible: z.array(notConvertibleSchema).optional(),
  /** Analyte-specific unit spellings (checked before the global table), e.g. `F` for a temperature. */
  unitAliases: z.record(z.string(), z.string()).optional(),
  /**
   * Default ranges by age band in the canonical unit, used only when the Observation has no usable range of its
   * own (`source: 'fallback'`). The shipped bands are the adult ranges below, for every age: no pediatric
   * ranges are cited for them, so sites add their own bands (the card says when a patient under 18 was
   * judged against a fallback range).
   */
  fallbackRanges: z.array(fallbackBandSchema).min(1).optional(),
  /**
   * Plausibility limits in the canonical unit (as reported when `canonicalUnit` is null), inclusive. A value
   * outside them (or not finite) is excluded with an `implausible-value` issue instead of entering the criteria.
   */
  plausible: plausibleSchema.optional(),
  /** Provenance of the definition (codes, units, conversions, fallback ranges, plausibility limits). */
  ...provenance,
});
export type AnalyteDefinition = z.infer<typeof analyteDefinitionSchema>;

export const analyteKnowledgeSchema = z.strictObject({
  /**
   * Alternative identifiers of code systems (e.g. HL7 OIDs) → the canonical R4 system URI. Applies to every
   * coded lookup of the data layer (analytes, findings, exposures).
   */
  codeSystemAliases: z.record(z.string(), z.string()),
  /** Non-UCUM unit spellings seen in real feeds → UCUM code. Looked up exactly, then case-insensitively. */
  unitAliases: z.record(z.string(), z.string()),
  analytes: z.record(z.enum(ANALYTE_IDS), analyteDefinitionSchema),
});
export type AnalyteKnowledge = z.infer<typeof analyteKnowledgeSchema>;

const loinc = (...codes: string[]): CodeRef[] => codes.map((code) => ({ system: LOINC, code }));
/** An adult fallback range as the one band for every age (no pediatric range is cited). */
const adult = (low: number, high: number): FallbackBand[] => [{ population: 'adult', low, high }];

/**
 * [design] Plausibility limits, in each analyte's canonical unit: not clinical thresholds, only the bounds past
 * which a number cannot be a human result and is a unit or interface error (ferritin 1e21, a negative count).
 * Deliberately generous, roughly ten times the most extreme values reported in HLH and critical care (ferritin
 * in HLH can exceed 100,000 ng/mL, so its limit is 5,000,000). Every lower limit is 0: no analyte here can be
 * negative. A site narrows or widens them under `analytes.analytes.<id>.plausible`.
 */
const PLAUSIBLE_MAX: Record<AnalyteId, number> = {
  ferritin: 5_000_000, // ng/mL
  alt: 100_000, // U/L (ischemic hepatitis reaches the low 10,000s)
  ast: 100_000, // U/L
  platelets: 10_000, // ×10⁹/L
  hemoglobin: 30, // g/dL
  anc: 1_000, // ×10⁹/L
  wbc: 2_000, // ×10⁹/L (hyperleukocytosis stays below 1,000)
  fibrinogen: 5_000, // mg/dL
  triglycerides: 100_000, // mg/dL
  ldh: 500_000, // U/L
  'bilirubin-total': 150, // mg/dL
  'bilirubin-direct': 150, // mg/dL
  scd25: 10_000_000, // U/mL
  crp: 5_000, // mg/L
  il6: 100_000_000, // pg/mL (CRS can reach 10⁵–10⁶)
  pt: 1_000, // s
  inr: 100,
  aptt: 1_000, // s
  'd-dimer': 10_000_000, // as reported (ng/mL or mg/L): generous for both
  creatinine: 100, // mg/dL
  temperature: 50, // Cel; lower limit below
};

/**
 * Every shipped analyte definition is a product decision built on LOINC: which codes identify the analyte, its
 * canonical unit, the conversions, the adult fallback ranges and the plausibility limits (docs/knowledge.md).
 */
const ANALYTE_DEFINITION = {
  ...cite('loinc', 'codes, canonical unit, fallback ranges', 'design'),
  note: 'Which LOINC codes identify the analyte, its canonical unit and conversions, the adult fallback reference ranges (used only without a lab range, and marked on the card) and the plausibility limits (a value outside is reported, never used).',
};

function withPlausibility(analytes: Record<AnalyteId, Omit<AnalyteDefinition, 'status' | 'source'>>): AnalyteKnowledge['analytes'] {
  const entries = (Object.entries(analytes) as [AnalyteId, AnalyteDefinition][]).map(([id, def]) => [
    id,
    // [design] body temperature: below 10 °C (profound accidental hypothermia is survived near 14 °C) is an error
    { ...def, plausible: { min: id === 'temperature' ? 10 : 0, max: PLAUSIBLE_MAX[id] }, ...ANALYTE_DEFINITION },
  ]);
  return Object.fromEntries(entries) as AnalyteKnowledge['analytes'];
}

export const defaultAnalyteKnowledge: AnalyteKnowledge = {
  codeSystemAliases: {
    // [design] HL7 OIDs of the same code systems, as sent by CDA-derived feeds.
    'urn:oid:2.16.840.1.113883.6.1': LOINC,
    'urn:oid:2.16.840.1.113883.6.96': SNOMED,
    'urn:oid:2.16.840.1.113883.6.90': ICD10CM,
    'urn:oid:2.16.840.1.113883.6.88': RXNORM,
    'http://loinc.org/': LOINC,
    'http://snomed.info/sct/': SNOMED,
  },
  // [design] spellings observed in real feeds. `K/uL` must be aliased: in UCUM `K` is kelvin.
  // `/uL` (cells per µL) is valid UCUM and converts correctly (150000 /uL = 150 10*9/L), so it is not aliased.
  unitAliases: {
    'ng/ml': 'ng/mL',
    'µg/L': 'ug/L',
    'µg/l': 'ug/L',
    'ug/l': 'ug/L',
    'mcg/L': 'ug/L',
    'mcg/mL': 'ug/mL',
    'pg/ml': 'pg/mL',
    'mg/dl': 'mg/dL',
    'mg/l': 'mg/L',
    'g/dl': 'g/dL',
    'g/l': 'g/L',
    'mmol/l': 'mmol/L',
    'µmol/L': 'umol/L',
    'µmol/l': 'umol/L',
    'umol/l': 'umol/L',
    'U/l': 'U/L',
    'U/ml': 'U/mL',
    'IU/L': 'U/L', // [design] enzyme activity: 1 IU = 1 µmol/min = UCUM U (UCUM [IU] is a different, arbitrary unit)
    'IU/l': 'U/L',
    'IU/mL': 'U/mL',
    'x10^9/L': '10*9/L',
    'x10E9/L': '10*9/L',
    'x10*9/L': '10*9/L',
    '10^9/L': '10*9/L',
    '10E9/L': '10*9/L',
    'x10^3/uL': '10*3/uL',
    'x10E3/uL': '10*3/uL',
    '10^3/uL': '10*3/uL',
    '10E3/uL': '10*3/uL',
    'x10^3/µL': '10*3/uL',
    '10^3/µL': '10*3/uL',
    'K/uL': '10*3/uL',
    'K/µL': '10*3/uL',
    'K/mm3': '10*3/mm3',
    'thou/uL': '10*3/uL',
    '/µL': '/uL',
    'cells/uL': '{cells}/uL',
    'cells/µL': '{cells}/uL',
    '°F': '[degF]',
    'degF': '[degF]',
    'deg F': '[degF]',
    '°C': 'Cel',
    'degC': 'Cel',
    'deg C': 'Cel',
    'sec': 's',
    'secs': 's',
    'seconds': 's',
    'ratio': '{ratio}',
    'INR': '{INR}',
    'ug/mL FEU': 'ug/mL{FEU}',
    'µg/mL FEU': 'ug/mL{FEU}',
    'mg/L FEU': 'mg/L{FEU}',
    'ng/mL FEU': 'ng/mL{FEU}',
    'ng/mL DDU': 'ng/mL{DDU}',
    'ug/L DDU': 'ug/L{DDU}',
  },
  analytes: withPlausibility({
    // No fallbackRanges on purpose: "for ferritin with no referenceRange use a configurable ULN
    // (default 400 ng/mL [design]) and mark it" — that is `criteria.ferritinDefaultUln` (range source `default`,
    // flag `default-uln`); a fallback here would win over it and make the site setting dead.
    ferritin: { label: 'Ferritin', codes: loinc('2276-4', '20567-4', '24373-3'), canonicalUnit: 'ng/mL' },
    // LOINC; fallback 0–35 U/L
    alt: { label: 'ALT', codes: loinc('1742-6', '1743-4', '77144-4'), canonicalUnit: 'U/L', fallbackRanges: adult(0, 35) },
    // LOINC; fallback 0–35 U/L
    ast: { label: 'AST', codes: loinc('1920-8', '30239-8'), canonicalUnit: 'U/L', fallbackRanges: adult(0, 35) },
    // LOINC (10*9/L = 10*3/uL); fallback 150–400 ×10⁹/L
    platelets: { label: 'Platelets', codes: loinc('777-3', '26515-7'), canonicalUnit: '10*9/L', fallbackRanges: adult(150, 400) },
    // LOINC; no fallback range in
    hemoglobin: { label: 'Hemoglobin', codes: loinc('718-7', '20509-6'), canonicalUnit: 'g/dL' },
    // LOINC; fallback 2–7.5 ×10⁹/L
    anc: { label: 'Neutrophils (absolute)', codes: loinc('751-8', '753-4', '26499-4'), canonicalUnit: '10*9/L', fallbackRanges: adult(2, 7.5) },
    // LOINC; fallback 4–11 ×10⁹/L
    wbc: { label: 'Leukocytes', codes: loinc('6690-2', '26464-8'), canonicalUnit: '10*9/L', fallbackRanges: adult(4, 11) },
    // LOINC (g/L × 100 via UCUM); fallback 180–400 mg/dL
    fibrinogen: { label: 'Fibrinogen', codes: loinc('3255-7'), canonicalUnit: 'mg/dL', fallbackRanges: adult(180, 400) },
    // LOINC; molar → mass with 885.7 g/mol (= mmol/L × 88.57); no fallback range
    triglycerides: { label: 'Triglycerides', codes: loinc('2571-8', '14927-8', '3043-7'), canonicalUnit: 'mg/dL', molecularWeight: 885.7 },
    // LOINC; ULN varies by lab, no fallback 
    ldh: { label: 'LDH', codes: loinc('2532-0', '14804-9'), canonicalUnit: 'U/L' },
    // LOINC; µmol/L ÷ 17.1; fallback 0.3–1.0 mg/dL
    'bilirubin-total': {
      label: 'Bilirubin (total)',
      codes: loinc('1975-2'),
      canonicalUnit: 'mg/dL',
      conversions: [{ fromUnit: 'umol/L', divideBy: 17.1 }],
      fallbackRanges: adult(0.3, 1.0),
    },
    // LOINC; µmol/L ÷ 17.1; fallback 0.1–0.3 mg/dL
    'bilirubin-direct': {
      label: 'Bilirubin (direct)',
      codes: loinc('1968-7'),
      canonicalUnit: 'mg/dL',
      conversions: [{ fromUnit: 'umol/L', divideBy: 17.1 }],
      fallbackRanges: adult(0.1, 0.3),
    },
    // No LOINC code confirmed → no default code; sites add theirs. U/mL only; pg/mL never converted (Henter 2007 criterion 8)
    scd25: {
      label: 'Soluble CD25 (sIL-2R)',
      codes: [],
      canonicalUnit: 'U/mL',
      // "U/mL only": the global `IU/mL` → `U/mL` alias is for enzyme activities (1 IU = 1 µmol/min); sCD25
      // units are assay-defined, so here IU spellings mean UCUM [IU] (arbitrary unit) and are refused below.
      // Other case variants ("IU/ml", "iu/L"…) reach these rows through the case-insensitive lookup.
      unitAliases: { 'IU/mL': '[IU]/mL', 'IU/L': '[IU]/L', 'IU/l': '[IU]/L' },
      notConvertible: [
        { unit: 'pg/mL', reason: 'sCD25 in mass units is not convertible to U/mL without an assay-specific factor' },
        { unit: '[IU]/mL', reason: 'sCD25 in IU is not U/mL: only U/mL is accepted' },
      ],
    },
    // LOINC table
    crp: { label: 'CRP', codes: loinc('1988-5'), canonicalUnit: 'mg/L' },
    // LOINC table
    il6: { label: 'IL-6', codes: loinc('26881-3'), canonicalUnit: 'pg/mL' },
    // LOINC; fallback 11–13.5 s
    pt: { label: 'PT', codes: loinc('5902-2'), canonicalUnit: 's', fallbackRanges: adult(11, 13.5) },
    // LOINC (ratio, unitless); fallback 0.9–1.2
    inr: { label: 'INR', codes: loinc('6301-6'), canonicalUnit: '{INR}', unitless: true, fallbackRanges: adult(0.9, 1.2) },
    // LOINC; fallback 29–41 s
    aptt: { label: 'aPTT', codes: loinc('14979-9', '3173-2'), canonicalUnit: 's', fallbackRanges: adult(29, 41) },
    // LOINC: 48065-7 FEU, 48066-5 DDU; "as reported" → no conversion
    'd-dimer': { label: 'D-dimer', codes: loinc('48065-7', '48066-5'), canonicalUnit: null },
    // LOINC; fallback 0.6–1.2 mg/dL. No µmol/L factor agreed: µmol/L stays not evaluable until configured.
    creatinine: { label: 'Creatinine', codes: loinc('2160-0'), canonicalUnit: 'mg/dL', fallbackRanges: adult(0.6, 1.2) },
    // LOINC; °F converted by UCUM. `F`/`C` alone mean farad/coulomb in UCUM, so only here are they temperatures.
    temperature: {
      label: 'Body temperature',
      codes: loinc('8310-5'),
      canonicalUnit: 'Cel',
      unitAliases: { F: '[degF]', C: 'Cel', 'deg F': '[degF]', 'deg C': 'Cel' },
    },
  }),
};
