/**
 * Public types of the criteria engine: `assess(timeline, asOf, knowledge) → Assessment`.
 *
 * The Assessment is pure data (JSON-serialisable, no Dates, no functions) so that the cards layer can both
 * render it and copy it into `extension["org.hlh-sentinel.assessment"]`. Every criterion item is
 * `met` | `not-met` | `unknown` and carries the value, unit, time, comparator, reference range and source
 * references that decided it, plus a short machine `reason`.
 *
 * Semantics that hold everywhere:
 * - Missing data → `unknown`, never `not-met`.
 * - A value after `asOf` is never read.
 * - A value with a comparator (`>40000`) is an interval: it decides a criterion only when every value in the
 *   interval decides it the same way; otherwise the item is `unknown` with reason `comparator-inconclusive`.
 * - Thresholds are compared in the unit system the lab reported when the knowledge base gives that system's
 *   own number (e.g. triglycerides 4 mmol/L vs 354 mg/dL), otherwise in the canonical unit.
 *
 * Sources: every number, with its status and citation (Hines 2023 ASTCT IEC-HS, Henter 2007 HLH-2004, Fardet 2014
 * HScore, Zoref-Lorenz 2022 OHI, exposure windows, codes, units, fallback ranges), is in docs/knowledge.md.
 */
import type { Comparator, DataIssue, ReferenceRange, UsedStatus } from '../timeline/types';
import type { AnalyteId, ExposureClass, KnowledgeStatus } from '../vocabulary';
import type { SourceRef } from '../knowledge/provenance';
import type { IndicatorKnowledge } from '../knowledge/indicator';

/** Version of the Assessment shape. Bump on breaking changes; additions keep the major. */
export const ASSESSMENT_VERSION = '3.0.0';

export const CRITERION_STATES = ['met', 'not-met', 'unknown'] as const;
export type CriterionState = (typeof CRITERION_STATES)[number];

export type ThresholdOperator = '<' | '<=' | '>' | '>=';

/**
 * Short machine reasons. Stable strings: cards and analytics may switch on them.
 * - `threshold-met` / `threshold-not-met`: the counted value decided the item.
 * - `no-data`: no usable value (or finding) in the lookback window.
 * - `comparator-inconclusive`: only comparator values (`<`/`>`) that cannot decide the item.
 * - `unit-not-evaluable`: values exist but in a unit that cannot be used (e.g. sCD25 in pg/mL).
 * - `finding-present` / `finding-absent`: a coded finding (documented negative → not-met).
 * - `lineages-met` / `lineages-insufficient` / `lineages-unknown`: multi-lineage cytopenia logic.
 * - `any-arm-met` / `all-arms-not-met` / `arms-unknown`: OR-criteria (e.g. ferritin ×ULN / ×baseline / rising).
 * - `fasting-unknown` / `not-fasting`: a triglyceride value above threshold whose fasting state is not proven.
 * - `no-baseline`: a baseline-relative arm without baseline (only when `missingBaseline` policy is `unknown`).
 * - `insufficient-serial-values`: a trend arm (rapid rise) without a measured pair.
 * - `not-computable`: clinical feature the data model cannot express (e.g. neurotoxicity); always unknown.
 * - `crs-resolved` / `crs-active` / `no-crs-coded`: IEC-HS timing relation to coded CRS.
 * - `no-reference-range`: a ULN/LLN-relative criterion without a lab, fallback or default range.
 * - `finding-unconfirmed`: only provisional / differential / unconfirmed positive findings (never met).
 * - `not-long-term`: an immunosuppressive medication is documented but not proven ongoing long-term (HScore).
 */
export const REASON_CODES = [
  'threshold-met',
  'threshold-not-met',
  'no-data',
  'comparator-inconclusive',
  'unit-not-evaluable',
  'finding-present',
  'finding-absent',
  'lineages-met',
  'lineages-insufficient',
  'lineages-unknown',
  'any-arm-met',
  'all-arms-not-met',
  'arms-unknown',
  'fasting-unknown',
  'not-fasting',
  'no-baseline',
  'insufficient-serial-values',
  'not-computable',
  'crs-resolved',
  'crs-active',
  'no-crs-coded',
  'no-reference-range',
  'not-long-term',
  'finding-unconfirmed',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * Qualifiers the card should surface next to the value.
 * - `preliminary`: the deciding value has status preliminary.
 * - `comparator`: the deciding value was reported with `<`/`>` (e.g. `>40000`).
 * - `fallback-range`: the reference range is the knowledge base's adult fallback, not the lab's.
 * - `default-uln`: no range at all; the criteria knowledge default ULN was used (ferritin 400 ng/mL [design]).
 * - `baseline-assumed-normal`: no baseline in the 30 days before day 0; the baseline was assumed normal.
 * - `baseline-day0-date-only`: day 0 has a date only; the baseline is a value from day 0's calendar date.
 * - `fasting-unknown` / `not-fasting`: triglyceride fasting state.
 * - `conflicting-values`: the timeline holds a conflicting duplicate for this analyte at the deciding time.
 * - `age-adjusted`: a neonatal threshold was used (hemoglobin < 100 g/L under 4 weeks).
 * - `range-text-unread`: the lab sent its range only as text that does not read one way; not used.
 * - `pediatric-fallback-range`: the patient was under the pediatric age at the value's time and a ULN/LLN
 *   criterion was judged against a fallback or default range, not the lab's.
 */
export const ITEM_FLAGS = [
  'preliminary',
  'comparator',
  'fallback-range',
  'default-uln',
  'baseline-assumed-normal',
  'baseline-day0-date-only',
  'fasting-unknown',
  'not-fasting',
  'conflicting-values',
  'age-adjusted',
  'range-text-unread',
  'pediatric-fallback-range',
] as const;
export type ItemFlag = (typeof ITEM_FLAGS)[number];

/** Where a range came from: the timeline's `lab` / `fallback`, or `default` = criteria knowledge default (ferritin ULN [design]). */
export const RANGE_SOURCES = ['lab', 'fallback', 'default'] as const satisfies readonly (ReferenceRange['source'] | 'default')[];
export type RangeSource = (typeof RANGE_SOURCES)[number];

/** The reference range actually used. */
export interface RangeUsed {
  low?: number;
  high?: number;
  unit: string;
  source: RangeSource;
  /** Fallback ranges: the age band's population label (e.g. `adult`). */
  population?: string;
  /** A lab range read from the Observation's `referenceRange.text`. */
  text?: string;
  /** The lab's range text that could not be read unambiguously (this fallback/default was used instead). */
  unreadText?: string;
}

/** One laboratory value as read from the timeline (canonical unit). */
export interface ValueRef {
  analyte: AnalyteId;
  value: number;
  unit: string;
  comparator?: Comparator;
  time: string;
  status: UsedStatus;
  /** As reported by the lab, before conversion. */
  original: { value: number | string; unit?: string };
  referenceRange?: RangeUsed;
  source: string;
}

/** What a relative threshold is a multiple of (the card names each; an `absolute` threshold has no basis word). */
export const RELATIVE_BASES = ['uln', 'lln', 'baseline', 'earlier-value'] as const;
export type RelativeBasis = (typeof RELATIVE_BASES)[number];

/** What a value was compared with, resolved to a number (e.g. 2 × ULN 400 = 800 ng/mL). */
export interface ThresholdRef {
  operator: ThresholdOperator;
  /** Resolved bound in `unit` (the unit system actually used for the comparison). */
  value: number;
  unit: string;
  /** `absolute` threshold, or a multiple of the ULN/LLN/baseline, or of an earlier value (a rapid rise). */
  basis: 'absolute' | RelativeBasis;
  /** Multiplier for uln/lln/baseline bases (2 for "> 2 × ULN"). */
  factor?: number;
  /** The deciding knowledge value's citation, e.g. "Henter 2007 (HLH-2004), criterion 7". */
  citation: string;
  status: KnowledgeStatus;
  /** The deciding knowledge value's source (`knowledge.sources` key and locator). */
  source?: SourceRef;
}

/** One criterion (or sub-criterion: a lineage, an OR-arm) with everything that decided it. */
export interface CriterionItem {
  /** Stable id, e.g. `ferritin`, `cytopenias`, `cytopenias.platelets`, `ferritin.uln`. */
  id: string;
  /**
   * Short English label for logs and integrators; the card and the evidence view show the label template of the
   * card content (cards/wording.json `items`, by framework and id) filled with `params`.
   */
  label: string;
  /** Knowledge values a label template names, e.g. `{ factor: 2 }` for "Ferritin > {factor} × ULN". */
  params?: Record<string, number | string>;
  state: CriterionState;
  reason: ReasonCode;
  /** The counted value (canonical unit) when a single value decided the item. */
  value?: number;
  unit?: string;
  comparator?: Comparator;
  time?: string;
  /** Status of the counted value (final / amended / corrected / preliminary). */
  status?: UsedStatus;
  /** As reported before conversion. */
  original?: { value: number | string; unit?: string };
  referenceRange?: RangeUsed;
  threshold?: ThresholdRef;
  /** The value as a multiple of its basis, e.g. { of: 'uln', factor: 12.3 } → "12× ULN". */
  multiple?: { of: Exclude<RelativeBasis, 'earlier-value'>; factor: number };
  /** Baseline value used by baseline-relative criteria (IEC-HS). */
  baseline?: ValueRef;
  /** The earlier value a rapid rise is measured against (not a baseline: any value within the rise window). */
  comparison?: ValueRef;
  /** FHIR references of every value or finding that decided the item. */
  sources: string[];
  /** Sub-items: lineages of a cytopenia criterion, arms of an OR-criterion. */
  components?: CriterionItem[];
  flags?: ItemFlag[];
}

// ---------------------------------------------------------------------------------------------- exposure

type Syndrome = 'iec-hs' | 'treatment-related-hlh';

/** A trigger exposure with its screening window evaluated at `asOf` (knowledge.exposures.windows). */
export interface TriggerExposure {
  class: ExposureClass;
  /** Generic name, lower case. */
  agent: string;
  syndrome: Syndrome;
  /** First dose / infusion (day 0). */
  start?: string;
  last?: string;
  /** The reference date of the window (start, or the latest dose increase for lamotrigine). */
  day0?: string;
  /** [design] Screened as a class effect of its drug class (no agent-specific HLH report cited). */
  classEffect?: true;
  /** Cell therapy whose infusion is not documented: day 0 is the planned infusion (the card says so). */
  infusionPlanned?: true;
  /** Whole days from day 0 to asOf (floor; day 0 = 0). */
  daysSince?: number;
  /** Screening window [windowStart, windowEnd] as ISO instants; windowEnd absent when open-ended (ongoing). */
  windowStart?: string;
  windowEnd?: string;
  inWindow: boolean;
  /**
   * Why in/out of window: `in-window`, `in-window-ongoing`, `ongoing-no-date` (on therapy without any usable
   * date: in window, no day0/daysSince), `before-start`, `after-window`, `no-start-date`, `no-window-configured`.
   */
  windowReason: string;
  matchedBy: 'code' | 'name';
  matched: string;
  sources: string[];
  /**
   * What day 0 is: the `infusion` (cell therapy), the `first-dose` of the current course (for lamotrigine: its
   * start), or a `dose-increase` (classes that reopen on one: `start` is then the course's first dose).
   */
  day0Basis?: 'infusion' | 'first-dose' | 'dose-increase';
  /** Last documented dose (or end of a documented period) of the current course at or before asOf. */
  lastDose?: string;
  /** Site calendar days from `lastDose` to asOf. */
  daysSinceLastDose?: number;
  /** On therapy at asOf: an active order or statement, or a documented period or schedule running past asOf. */
  onTherapy?: boolean;
  /** Present for a second or later course: its number and the last date of the course before it. */
  course?: { number: number; previousLast: string };
  /**
   * Values dated before this instant do not count towards this exposure (a trigger explains only what follows
   * it): day 0 of the course (the infusion, the first dose), or the next site calendar day when it is a date.
   */
  countsFrom?: string;
}

export interface ExposureAssessment {
  /** `in-window`: at least one trigger in its window; `outside-window`: triggers found but none in window. */
  status: 'in-window' | 'outside-window' | 'none';
  /** The trigger the assessment is about: IEC classes first, then the most recent day 0. */
  primary?: TriggerExposure;
  /** Every trigger exposure in the timeline, evaluated. */
  all: TriggerExposure[];
}

// ---------------------------------------------------------------------------------------------- IEC-HS

export type IecHsStatus = 'suggestive' | 'watch' | 'not-met' | 'not-evaluable';

/** Relation of the features to coded CRS episodes (Hines 2023); `unknown` unless CRS is coded. */
export const CRS_RELATIONS = ['after-crs-resolution', 'concurrent-with-crs', 'unknown'] as const;
export type CrsRelation = (typeof CRS_RELATIONS)[number];

/**
 * ASTCT IEC-HS (Hines 2023, [reproduced]) with the screen's working rule [design]:
 * ferritin criterion + ≥ 1 other most-common laboratory feature → `suggestive`; ferritin alone → `watch`;
 * ferritin criterion not met → `not-met`; ferritin unknown → `not-evaluable`.
 */
export interface IecHsResult {
  status: IecHsStatus;
  /** Machine reason for the status, e.g. `ferritin-and-other-feature`, `ferritin-only`, `no-ferritin-data`. */
  statusReason: string;
  /** Day 0 (infusion / first dose) the baseline and the post-exposure window are anchored to. */
  day0?: string;
  /** "Most common" features: ferritin, transaminases, fibrinogen, cytopenias, hemophagocytosis, timing. */
  features: CriterionItem[];
  /** "May be present" features: ldh, coagulopathy, bilirubin-direct, splenomegaly, fever, neurotoxicity,
   * pulmonary, renal, triglycerides. Informational; they never change the status. */
  mayBePresent: CriterionItem[];
  /** Relation to coded CRS episodes; `unknown` unless CRS is coded. */
  crsRelation: CrsRelation;
  /** Grade is not assigned from data (Hines 2023 grading is only partly computable); always this text-free marker. */
  grade: 'not-assessable';
}

// ---------------------------------------------------------------------------------------------- item labels

/** Every item id (with sub-items) per framework: the card content gives each its label template (cards/wording.json `items`). */
export const ITEM_IDS = {
  iecHs: ['ferritin', 'ferritin.uln', 'ferritin.baseline', 'ferritin.rising', 'transaminases', 'transaminases.alt', 'transaminases.ast', 'fibrinogen', 'cytopenias', 'cytopenias.hemoglobin', 'cytopenias.platelets', 'cytopenias.anc', 'hemophagocytosis', 'timing', 'ldh', 'coagulopathy', 'coagulopathy.pt', 'coagulopathy.inr', 'coagulopathy.aptt', 'bilirubin-direct', 'splenomegaly', 'fever', 'neurotoxicity', 'pulmonary', 'renal', 'triglycerides'],
  hlh2004: ['fever', 'splenomegaly', 'cytopenias', 'cytopenias.hemoglobin', 'cytopenias.platelets', 'cytopenias.anc', 'triglycerides-fibrinogen', 'triglycerides-fibrinogen.triglycerides', 'triglycerides-fibrinogen.fibrinogen', 'hemophagocytosis', 'nk-activity', 'ferritin', 'scd25'],
  hscore: ['immunosuppression', 'temperature', 'organomegaly', 'organomegaly.hepatomegaly', 'organomegaly.splenomegaly', 'cytopenias', 'cytopenias.hemoglobin', 'cytopenias.wbc', 'cytopenias.platelets', 'ferritin', 'triglycerides', 'fibrinogen', 'ast', 'hemophagocytosis'],
  ohi: ['scd25', 'ferritin'],
} as const;
export type Framework = keyof typeof ITEM_IDS;

// ---------------------------------------------------------------------------------------------- HLH-2004

export const HLH2004_ITEM_IDS = [
  'fever',
  'splenomegaly',
  'cytopenias',
  'triglycerides-fibrinogen',
  'hemophagocytosis',
  'nk-activity',
  'ferritin',
  'scd25',
] as const;
export type Hlh2004ItemId = (typeof HLH2004_ITEM_IDS)[number];

export const HLH2004_STATUSES = ['reached', 'reachable', 'impossible'] as const;
export type Hlh2004Status = (typeof HLH2004_STATUSES)[number];

/** HLH-2004 (Henter 2007, [confirmed]): 5 of 8. */
export interface Hlh2004Result {
  items: CriterionItem[];
  met: number;
  notMet: number;
  unknown: number;
  /** The number of criteria (8). */
  total: number;
  /** 5 by default (configurable: criteria.hlh2004.required). */
  required: number;
  /** `reached`: met ≥ 5; `reachable`: met + unknown ≥ 5; `impossible`: met + unknown < 5. */
  status: Hlh2004Status;
  /** Sources of a current coded HLH diagnosis (ICD-10-CM D76.1/D76.2) if documented; informational. */
  documentedDiagnosis: string[];
  /** An earlier HLH diagnosis no longer current (resolved, inactive, remission, or dated before the lookback): history. */
  earlierDiagnosis: { source: string; time?: string; clinicalStatus?: string }[];
  /** Sources of an HLH diagnosis documented as refuted (a documented negative). */
  refutedDiagnosis: string[];
  /** Sources of a current HLH diagnosis recorded as provisional / differential / unconfirmed: not documented. */
  unconfirmedDiagnosis?: string[];
}

// ---------------------------------------------------------------------------------------------- HScore

export const HSCORE_VARIABLE_IDS = [
  'immunosuppression',
  'temperature',
  'organomegaly',
  'cytopenias',
  'ferritin',
  'triglycerides',
  'fibrinogen',
  'ast',
  'hemophagocytosis',
] as const;
export type HScoreVariableId = (typeof HSCORE_VARIABLE_IDS)[number];

/**
 * One HScore variable. `points` = points proven by the data; `maxPoints` = points if everything unknown
 * (missing variable, unknown lineage, inconclusive comparator) were positive. state: `unknown` when
 * points < maxPoints, otherwise `met` (points > 0) or `not-met` (0).
 */
export interface HScoreVariable extends CriterionItem {
  points: number;
  maxPoints: number;
}

export interface ProbabilityEstimate {
  /** Percent (0–100). At the table's ends: 1 below 90 (display "<1%"), 99 at ≥ 250 (display ">99%"). */
  percent: number;
  /** "<1%", "54%", "61.5%", ">99%". */
  display: string;
  /** `table-row`: exactly on a published row; `interpolated`: linear between two rows; `below-table` / `above-table`. */
  method: 'table-row' | 'interpolated' | 'below-table' | 'above-table';
}

/** HScore (Fardet 2014, [confirmed]). */
export interface HScoreResult {
  /** Sum of points proven by the data. */
  score: number;
  /** Highest score still reachable if every unknown were positive (never lowered by missing data). */
  maxPossible: number;
  /** 337. */
  maximum: number;
  /** True when no variable is unknown (score === maxPossible). */
  complete: boolean;
  probability: ProbabilityEstimate;
  probabilityAtMaxPossible: ProbabilityEstimate;
  /** Diagnostic cut-off (169: sens 93%, spec 86%). */
  cutoff: number;
  /** Ids of variables that are unknown (fully or partly). */
  missing: HScoreVariableId[];
  variables: HScoreVariable[];
}

// ---------------------------------------------------------------------------------------------- OHI

/** OHI index (Zoref-Lorenz 2022): sCD25 and ferritin above `criteria.ohi`. Its caveat is card content (`detail.ohiCaveat`). */
export interface OhiResult {
  state: CriterionState;
  items: CriterionItem[];
}

// ---------------------------------------------------------------------------------------------- trends

export type TrendAnalyte = 'ferritin' | 'fibrinogen' | 'platelets' | 'alt' | 'ast';

export interface Trend {
  analyte: TrendAnalyte;
  /** Direction considered abnormal: up (ferritin, ALT, AST) or down (fibrinogen, platelets). */
  direction: 'up' | 'down';
  latest?: ValueRef;
  /** Most abnormal value in the lookback window ending at asOf. */
  mostAbnormal?: ValueRef;
  /**
   * Change to the latest value from the earlier one closest to `trends.changeHours` (48 h) before it, within
   * ± `trends.toleranceHours` [design]; `hours` is the actual interval.
   */
  change48h?: {
    from: ValueRef;
    to: ValueRef;
    hours: number;
    absolute: number;
    /** to / from; absent when from is 0. */
    ratio?: number;
    /** Either endpoint carries a comparator: the change is a bound, not an exact number. */
    approximate: boolean;
  };
  /** Values in the lookback window (time ascending), for a sparkline. */
  points: { time: string; value: number; comparator?: Comparator; source: string }[];
}

/**
 * Porter 2022 [confirmed] pattern: ferritin rising while CRP and IL-6 fall (favours IEC-HS over ongoing CRS).
 * `present` needs all three measured; `unknown` when any of them lacks a change over about 48 h (see Trend).
 */
export interface CrsDivergenceHint {
  state: 'present' | 'absent' | 'unknown';
  ferritin?: 'rising' | 'falling' | 'flat';
  crp?: 'rising' | 'falling' | 'flat';
  il6?: 'rising' | 'falling' | 'flat';
  sources: string[];
}

export interface TrendsResult {
  items: Trend[];
  crsDivergence: CrsDivergenceHint;
}

// ---------------------------------------------------------------------------------------------- assessment

/** A documented alternative explanation (lowers attribution, never the indicator). */
export interface AlternativeExplanation {
  kind: 'infection' | 'disease-progression';
  /** e.g. `ebv`, `cmv`, `bacteremia`. */
  detail?: string;
  /** Onset, else recorded date; absent when the resource gives none. */
  time?: string;
  /** The coding that matched the knowledge base. */
  code?: { system: string; code: string; display?: string };
  /** Condition.code.text, when given. */
  text?: string;
  source: string;
}

/**
 * One in-window trigger assessed on its own: only values dated at or after its `countsFrom` count (a trigger
 * explains only what follows it); for IEC-HS the earlier values are the baseline.
 */
export interface EpisodeAssessment {
  exposure: TriggerExposure;
  syndrome: Syndrome;
  /** Present for IEC classes (CAR T, T-cell engagers). */
  iecHs?: IecHsResult;
  hlh2004: Hlh2004Result;
  hscore: HScoreResult;
  ohi: OhiResult;
  /**
   * Other in-window agents of the same syndrome whose current course started on the same site calendar day
   * (a combination such as ipilimumab + nivolumab), by agent name.
   */
  combination: string[];
  /** Laboratory values in the lookback windows and observed findings dated before `countsFrom`: not counted. */
  notCounted: number;
  /** A documented marrow/tissue examination on or after this episode's day 0 (the card then suggests no biopsy). */
  marrowExamination?: MarrowExamination;
}

/**
 * A result that exists but cannot be used, newer than the analyte's latest usable value. `data-absent`: the lab
 * reported no usable result (specimen clotted, not performed: a repeat is offered); `unit-missing` and
 * `implausible`: a result exists but cannot be read (check it with the laboratory; not re-ordered).
 */
export interface UnusableResult {
  analyte: AnalyteId;
  kind: 'data-absent' | 'unit-missing' | 'implausible';
  /** `data-absent`: the lab's reason as written (dataAbsentReason text, display or code). */
  reason?: string;
  time: string;
  source: string;
}

/** The latest documented marrow/tissue examination for hemophagocytosis in the finding lookback (and since day 0). */
export interface MarrowExamination {
  hemophagocytosis: boolean;
  time: string;
  source: string;
}

export interface Assessment {
  /** ASSESSMENT_VERSION. */
  version: string;
  asOf: string;
  /** The site's IANA time zone the assessment was made in (absent: UTC); renderers read dates with it. */
  timeZone?: string;
  patientId?: string;
  /** Knowledge version and the dotted paths whose values differ from the shipped defaults. */
  /** Knowledge version, the paths a site's knowledge file changed, and the indicator rules in force. */
  knowledge: { version: string; overrides: string[]; indicator: IndicatorKnowledge };
  /** Syndrome screened for, from the primary in-window exposure; absent without one. */
  syndrome?: Syndrome;
  exposure: ExposureAssessment;
  /**
   * Every in-window trigger assessed on its own, in engine order (the primary first; its results are also the
   * top-level `iecHs`, `hlh2004`, `hscore`, `ohi`). Empty without a trigger in window. The card is about the
   * episode that gives the strongest card (src/render/cards.ts).
   */
  episodes?: EpisodeAssessment[];
  /** Present when the primary exposure is an IEC class (CAR T, T-cell engager). */
  iecHs?: IecHsResult;
  /**
   * With triggers in window: those of the primary episode (values before its day 0 not counted); without one,
   * over the whole lookback.
   */
  hlh2004: Hlh2004Result;
  hscore: HScoreResult;
  ohi: OhiResult;
  trends: TrendsResult;
  alternatives: AlternativeExplanation[];
  /** Latest value time (≤ asOf) per analyte, for work-up freshness decisions. */
  lastSeen: Partial<Record<AnalyteId, string>>;
  /** Analytes the criteria use that have no usable value in their lookback window. */
  missing: AnalyteId[];
  /** Unusable results newer than the analyte's latest usable value (in ANALYTE_IDS order). */
  unusable: UnusableResult[];
  /** A documented marrow/tissue examination for hemophagocytosis, if any (the card then suggests no biopsy). */
  marrowExamination?: MarrowExamination;
  /** Timeline data issues passed through, plus engine notes (e.g. `value-after-asof-ignored`). */
  dataIssues: DataIssue[];
}
