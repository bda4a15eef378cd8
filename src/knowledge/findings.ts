/**
 * Finding code lists for the clinical data layer: which coded Conditions / Observations are
 * splenomegaly, hepatomegaly, hemophagocytosis, low NK activity, CRS, an HLH diagnosis, immunosuppression,
 * infection or disease progression.
 *
 * Each code carries its status and source (docs/knowledge.md; the HScore immunosuppression medications cite
 * Fardet 2014). JSON-friendly: a site maps its own pathology or problem-list
 * codes by adding rows to `codes`, and adds RxNorm codes to `immunosuppressiveMedications` once looked up.
 */
import { z } from 'zod';
import { normalizeRangeCode } from './code-range';
import { codeRefSchema } from './analytes';
import { FINDING_KINDS, ICD10CM, SNOMED } from '../vocabulary';
import { cite, design, provenance, type Provenance } from './provenance';

/** The project's own code system for findings with no confirmed standard code. */
const FINDING_SYSTEM = 'urn:hlh-sentinel:finding';
const V3_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

const findingCodeSchema = z.strictObject({
  system: z.string().min(1),
  code: z.string().min(1),
  /** One code may count as several findings (hepatosplenomegaly → splenomegaly + hepatomegaly). */
  kinds: z.array(z.enum(FINDING_KINDS)).min(1),
  /** CRS grade 1–5 carried by the code (D89.831–D89.835). */
  grade: z.number().int().min(1).max(5).optional(),
  /** Sub-kind copied to `Finding.detail` (e.g. `hiv`, `long-term-steroids`, `ebv`). */
  detail: z.string().min(1).optional(),
  ...provenance,
});
export type FindingCode = z.infer<typeof findingCodeSchema>;


/**
 * A range of codes of one system counting as a finding (Condition.code only): a code matches when its first
 * `from.length` characters are ≥ `from` and its first `to.length` characters are ≤ `to` (ICD-10 compared without the
 * dot: "A00"–"B99" holds every code of chapter I, "R65.20"–"R65.21" those two), unless it starts with one of `exclude`.
 */
const findingCodeRangeSchema = z
  .strictObject({
    system: z.string().min(1),
    from: z.string().min(1),
    to: z.string().min(1),
    kinds: z.array(z.enum(FINDING_KINDS)).min(1),
    detail: z.string().min(1).optional(),
    /** Code prefixes inside the range that do not count (e.g. B20 HIV, which is HScore immunosuppression). */
    exclude: z.array(z.string().min(1)).optional(),
    ...provenance,
  })
  .refine((r) => normalizeRangeCode(r.system, r.from) <= normalizeRangeCode(r.system, r.to), { message: '`from` must not sort after `to`', path: ['to'] });
export type FindingCodeRange = z.infer<typeof findingCodeRangeSchema>;

const medicationGroupSchema = z.strictObject({
  /** Copied to `Finding.detail` (e.g. `glucocorticoid`). */
  detail: z.string().min(1),
  /** Normalised generic/brand names (whole-word match on the medication text). */
  names: z.array(z.string().min(1)),
  codes: z.array(codeRefSchema),
  ...provenance,
});

/** A coded observation value (present / absent) with its provenance. */
const valueCodeSchema = codeRefSchema.extend(provenance);

export const findingKnowledgeSchema = z.strictObject({
  /** Codes on Condition.code, Observation.code or Observation.valueCodeableConcept. */
  codes: z.array(findingCodeSchema),
  /** Code ranges on Condition.code (e.g. a whole ICD-10-CM chapter); see `findingCodeRangeSchema`. */
  codeRanges: z.array(findingCodeRangeSchema),
  /** Observation.valueCodeableConcept or Observation.interpretation codes meaning "finding present" (detected). */
  positiveValues: z.array(valueCodeSchema),
  /** Observation.valueCodeableConcept or .interpretation codes meaning "examined, finding absent" (not detected). */
  negativeValues: z.array(valueCodeSchema),
  /** Observation.valueString texts (whole text, any case) meaning "finding present", e.g. a PCR's "DETECTED". */
  positiveTexts: z.array(z.string().min(1)),
  /** Observation.valueString texts meaning "finding absent". */
  negativeTexts: z.array(z.string().min(1)),
  /**
   * Medications counting as HScore immunosuppression when documented (Fardet 2014: glucocorticoids, cyclosporine,
   * azathioprine). Each documented medication yields an `immunosuppression` finding with its status and dates;
   * whether it is "long-term"/"active" is the criteria engine's decision.
   */
  immunosuppressiveMedications: z.array(medicationGroupSchema),
  /** A medication text containing any of these words is not systemic (cream, inhaler…) and is not counted. */
  nonSystemicNameTokens: z.array(z.string().min(1)),
});
export type FindingKnowledge = z.infer<typeof findingKnowledgeSchema>;

/** The shipped finding codes are a product decision (the code tables in docs/knowledge.md); sites extend them. */
const FINDING_CODE: Provenance = design(
  'finding codes',
  "SNOMED CT and ICD-10-CM codes of the findings; hemophagocytosis and low NK-cell activity have no confirmed standard code, so the project's own code system stands for them. Sites map their own codes.",
);

const icd = (code: string, kinds: FindingCode['kinds'], extra: Partial<FindingCode> = {}): FindingCode => ({
  system: ICD10CM,
  code,
  kinds,
  ...extra,
  ...FINDING_CODE,
});

export const defaultFindingKnowledge: FindingKnowledge = {
  codes: [
    { system: SNOMED, code: '16294009', kinds: ['splenomegaly'], ...FINDING_CODE }, // splenomegaly SNOMED CT
    icd('R16.1', ['splenomegaly']), // splenomegaly ICD-10-CM
    { system: SNOMED, code: '80515008', kinds: ['hepatomegaly'], ...FINDING_CODE }, // hepatomegaly SNOMED CT
    icd('R16.0', ['hepatomegaly']), // hepatomegaly ICD-10-CM
    { system: SNOMED, code: '36760000', kinds: ['splenomegaly', 'hepatomegaly'], ...FINDING_CODE }, // hepatosplenomegaly counts as both
    icd('R16.2', ['splenomegaly', 'hepatomegaly']), // hepatosplenomegaly counts as both
    { system: FINDING_SYSTEM, code: 'hemophagocytosis', kinds: ['hemophagocytosis'], ...FINDING_CODE }, // project code system
    { system: FINDING_SYSTEM, code: 'nk-activity-low', kinds: ['nk-activity-low'], ...FINDING_CODE }, // project code system
    icd('D76.1', ['hlh-diagnosis']), // HLH diagnosis
    icd('D76.2', ['hlh-diagnosis'], { detail: 'infection-associated' }), // infection-associated HLH
    icd('D89.831', ['crs'], { grade: 1 }), // CRS grade 1
    icd('D89.832', ['crs'], { grade: 2 }), // CRS grade 2
    icd('D89.833', ['crs'], { grade: 3 }), // CRS grade 3
    icd('D89.834', ['crs'], { grade: 4 }), // CRS grade 4
    icd('D89.835', ['crs'], { grade: 5 }), // CRS grade 5
    icd('D89.839', ['crs']), // CRS, grade unspecified
    icd('B20', ['immunosuppression'], { detail: 'hiv' }), // HIV (HScore immunosuppression)
    icd('Z21', ['immunosuppression'], { detail: 'hiv' }), // HIV (HScore immunosuppression)
    icd('Z79.52', ['immunosuppression'], { detail: 'long-term-steroids' }), // long-term systemic steroids
    // Active infection, an alternative explanation to show on the card: default list [design], sites extend it
    // (ranges in codeRanges). ICD-10-CM: R78.81 bacteremia, R65.20–R65.21 severe sepsis, U07.1 COVID-19.
    icd('R78.81', ['infection'], { detail: 'bacteremia' }),
    icd('R65.20', ['infection'], { detail: 'severe-sepsis' }),
    icd('R65.21', ['infection'], { detail: 'severe-sepsis' }),
    icd('U07.1', ['infection'], { detail: 'covid-19' }),
    // SNOMED CT infection codes, exact codes only (no hierarchy is read), each confirmed in a published value set:
    { system: SNOMED, code: '40733004', kinds: ['infection'], ...FINDING_CODE }, // Infectious disease (disorder): HL7 Europe HDR IG, ValueSet exposureAgent-eu-hdr
    { system: SNOMED, code: '91302008', kinds: ['infection'], detail: 'sepsis', ...FINDING_CODE }, // Sepsis (disorder): CH EKM IG (FOPH), invasive S. pneumoniae manifestation value set
    { system: SNOMED, code: '233604007', kinds: ['infection'], detail: 'pneumonia', ...FINDING_CODE }, // Pneumonia (disorder): same value set
    { system: SNOMED, code: '840539006', kinds: ['infection'], detail: 'covid-19', ...FINDING_CODE }, // Disease caused by SARS-CoV-2: HL7 COVID-19 FHIR Profile Library IG
    // Disease progression: site-configured codes only; no standard default.
  ],
  codeRanges: [
    // [design] ICD-10-CM chapter I (A00–B99) by prefix. Excluded: B20 (HIV stays HScore immunosuppression: a
    // chronic background state, not an intercurrent infection that mimics HLH) and B90–B94 (sequelae of infections,
    // not active infection).
    { system: ICD10CM, from: 'A00', to: 'B99', kinds: ['infection'], exclude: ['B20', 'B90', 'B91', 'B92', 'B93', 'B94'], ...design('infection code ranges', 'ICD-10-CM chapter I (A00–B99, without B20 HIV and the B90–B94 sequelae) and J12–J18 pneumonia count as documented infection: an alternative explanation shown on the card, never changing the indicator.') },
    { system: ICD10CM, from: 'J12', to: 'J18', kinds: ['infection'], detail: 'pneumonia', ...design('infection code ranges', 'ICD-10-CM chapter I (A00–B99, without B20 HIV and the B90–B94 sequelae) and J12–J18 pneumonia count as documented infection: an alternative explanation shown on the card, never changing the indicator.') }, // J12–J18 pneumonia
  ],
  // SNOMED CT 10828004 positive / 260385009 negative; the HL7 v3 ObservationInterpretation codes POS, DET /
  // NEG, ND (FHIR R4 value set observation-interpretation) read from Observation.interpretation. A site adds its
  // lab's own result codes (e.g. a "Detected" concept) here; none is shipped beyond these.
  positiveValues: [
    { system: SNOMED, code: '10828004', ...FINDING_CODE },
    { system: V3_INTERPRETATION, code: 'POS', ...FINDING_CODE },
    { system: V3_INTERPRETATION, code: 'DET', ...FINDING_CODE },
  ],
  negativeValues: [
    { system: SNOMED, code: '260385009', ...FINDING_CODE },
    { system: V3_INTERPRETATION, code: 'NEG', ...FINDING_CODE },
    { system: V3_INTERPRETATION, code: 'ND', ...FINDING_CODE },
  ],
  positiveTexts: ['detected', 'positive'], // [design] valueString of a qualitative result
  negativeTexts: ['not detected', 'negative'], // [design]
  immunosuppressiveMedications: [
    // "glucocorticoids"; the systemic agents listed here are a [design] choice. RxNorm codes: look up before coding.
    {
      detail: 'glucocorticoid',
      names: ['prednisone', 'prednisolone', 'methylprednisolone', 'dexamethasone', 'hydrocortisone', 'betamethasone'],
      codes: [],
      ...design('HScore immunosuppression: systemic glucocorticoids', 'The systemic glucocorticoids named for Fardet\'s "long-term glucocorticoids" (RxNorm codes to be looked up).'),
    },
    // cyclosporine (ciclosporin is the INN spelling). RxNorm code: look up before coding.
    { detail: 'cyclosporine', names: ['cyclosporine', 'ciclosporin', 'cyclosporin'], codes: [], ...cite('fardet-2014', 'HScore table: known underlying immunosuppression') },
    // azathioprine. RxNorm code: look up before coding.
    { detail: 'azathioprine', names: ['azathioprine'], codes: [], ...cite('fardet-2014', 'HScore table: known underlying immunosuppression') },
  ],
  // [design] dosage forms that are not systemic immunosuppression.
  nonSystemicNameTokens: [
    'cream', 'ointment', 'lotion', 'topical', 'gel', 'foam', 'inhaler', 'inhalation', 'inhaled', 'nasal',
    'ophthalmic', 'otic', 'eye', 'ear', 'drops',
  ],
};
