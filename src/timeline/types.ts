/**
 * The normalized clinical timeline: the only shape the criteria engine reads.
 *
 * Built by `buildTimeline(resources, knowledge)` from whatever FHIR R4 data arrived (prefetch or fetched).
 * Every value is already in its analyte's canonical unit; every item keeps a `source` reference
 * (`Observation/123`, `Observation/123#component[0]`) so cards can show their evidence.
 * Times are ISO 8601 strings as found in the resource (dates and date-times); compare them with
 * `toEpochMs` from `./time`, never as strings.
 */

import type { AnalyteId, Coding, DataIssue, ExposureClass, FindingKind } from '../vocabulary';

/** A reference range converted to the analyte's canonical unit. */
export interface ReferenceRange {
  low?: number;
  high?: number;
  unit: string;
  /** `lab`: from Observation.referenceRange; `fallback`: the knowledge base's default for the patient's age band. */
  source: 'lab' | 'fallback';
  /** Fallback ranges: the band's population label (e.g. `adult`). */
  population?: string;
  /** Lab ranges given only as `referenceRange.text`: that text (it was read unambiguously). */
  text?: string;
}

export type Comparator = '<' | '<=' | '>=' | '>';
export type UsedStatus = 'final' | 'amended' | 'corrected' | 'preliminary';

/** One usable laboratory or vital-sign value, in canonical units. */
export interface LabValue {
  analyte: AnalyteId;
  /** Numeric value in `unit` (canonical). With a comparator, the bound: `>40000` → value 40000, comparator '>'. */
  value: number;
  unit: string;
  comparator?: Comparator;
  /** Clinically relevant time: effectiveDateTime, effectivePeriod.start, effectiveInstant, else issued. */
  time: string;
  timeSource: 'effectiveDateTime' | 'effectivePeriod.start' | 'effectiveInstant' | 'issued';
  status: UsedStatus;
  /** Lab's range if present (converted), otherwise the fallback range where the knowledge base has one. */
  referenceRange?: ReferenceRange;
  /** The lab's range was given only as text that does not read one way: that text (the fallback, if any, applies). */
  unreadRangeText?: string;
  /** Observation.interpretation codes (e.g. H, HH, L). */
  interpretation?: string[];
  /** What the resource said before conversion, for the card's provenance. */
  original: { value: number | string; unit?: string };
  code: Coding;
  /** `Observation/123` or `Observation/123#component[2]`. */
  source: string;
  /**
   * Other sources that reported the identical value (same analyte, instant, value, comparator, unit); the
   * value is kept once, from the best-status then lexically first source. Absent when there were none.
   */
  duplicateSources?: string[];
}

/** Why a recognised value is not evaluable (stable machine code; `reason` has the human text). */
export type NotEvaluableReason =
  | 'no-unit'
  | 'unit-unknown'
  | 'unit-not-convertible'
  | 'unit-refused'
  | 'not-numeric'
  | 'no-value'
  | 'data-absent'
  | 'no-time'
  /** Not finite, outside the analyte's plausibility limits, or a Quantity value sent as a string. */
  | 'implausible';

/** A recognised value that could not be used (unit not convertible, no unit, non-numeric…). */
export interface NotEvaluableValue {
  analyte: AnalyteId;
  reason: string;
  time?: string;
  original: { value?: number | string; unit?: string };
  source: string;
  reasonCode?: NotEvaluableReason;
  code?: Coding;
  /** `data-absent`: the lab's reason as it wrote it (dataAbsentReason text, display or code), e.g. "specimen clotted". */
  detail?: string;
}

/** Two different values for the same analyte at the same time from different resources: both are kept. */
export interface ValueConflict {
  analyte: AnalyteId;
  time: string;
  /** Sorted; `values[i]` (canonical unit) came from `sources[i]`. Includes sources of kept duplicates. */
  sources: string[];
  values: number[];
}

/**
 * What a documented date of a trigger therapy says: `administered` (MedicationAdministration, Procedure: given),
 * `reported` (MedicationStatement: taken, as reported), `scheduled` (MedicationRequest dosage timing or validity
 * period: the planned course), `ordered` (MedicationRequest.authoredOn only: when the order was written).
 */
export type ExposureDateKind = 'administered' | 'reported' | 'scheduled' | 'ordered';

/** One dated piece of exposure evidence: a dose or infusion (`at`), or a documented period (`at` … `until`). */
export interface ExposureDate {
  at: string;
  until?: string;
  kind: ExposureDateKind;
  /**
   * From a resource saying the therapy goes on (active order or statement: `true`, continuous up to asOf) or has
   * ended (completed or stopped: `false`, its period is no dosing beyond asOf).
   */
  ongoing?: boolean;
  source: string;
}

/** A trigger therapy found in MedicationAdministration/Request/Statement or Procedure, merged per agent. */
export interface Exposure {
  class: ExposureClass;
  /** Generic name, lower case (e.g. `axicabtagene ciloleucel`). */
  agent: string;
  /** First dose / infusion (day 0 for CAR T). Absent when no resource carried a usable date. */
  start?: string;
  /** Last documented dose or end of a documented period. */
  last?: string;
  /** Dates of documented dose increases (lamotrigine window restarts on these). */
  doseIncreases: string[];
  /**
   * Every dated piece of evidence, in time order (site zone): the criteria engine splits them into courses (a gap
   * longer than the class's window ends a course). Absent in timelines built without it: then one course runs
   * from `start` to `last`.
   */
  dates?: ExposureDate[];
  /** True when a request/statement is still active (on therapy). Undefined when not stated. */
  ongoing?: boolean;
  /** [design] Screened as a class effect of its drug class (no agent-specific HLH report cited). */
  classEffect?: true;
  /**
   * Cell therapy (day 0 = infusion) with no infusion documented (no administration or infusion procedure, no
   * statement that it was given): `start` is a planned (scheduled) or order date.
   */
  infusionPlanned?: true;
  /** How the agent was recognised: a configured code, or a generic/brand name fallback. */
  matchedBy: 'code' | 'name';
  /** The code (`system|code`) or the name text that matched. */
  matched: string;
  sources: string[];
}

/**
 * A coded clinical finding from Condition or Observation. Hepatosplenomegaly yields two findings
 * (splenomegaly and hepatomegaly) with the same source.
 */
export interface Finding {
  kind: FindingKind;
  /** false = documented negative (e.g. marrow examined, no hemophagocytosis) → criterion `not-met`. */
  present: boolean;
  /** onsetDateTime / effective time; else recordedDate / issued. */
  time?: string;
  /** Condition abatement (resolved CRS, cleared infection). */
  end?: string;
  /**
   * Condition.clinicalStatus code where present (active, resolved…). For an immunosuppressive medication
   * (kind `immunosuppression`, detail `glucocorticoid` / `cyclosporine` / `azathioprine`): the resource's status
   * (active, completed, stopped…); `time`/`end` are then its first/last documented dates.
   */
  clinicalStatus?: string;
  /** Condition.verificationStatus code where present (confirmed, provisional…); `refuted` gives present=false. */
  verificationStatus?: string;
  /** CRS grade 1–5 from D89.831–D89.835 where coded. */
  grade?: number;
  /** Sub-kind: e.g. `hiv`, `long-term-steroids`, `ebv`, `cmv`, `bacteremia`. */
  detail?: string;
  /** Condition.code.text, when given (what the clinician wrote). */
  text?: string;
  code: Coding;
  source: string;
}

/** Data issues are vocabulary (src/vocabulary/data-issues.ts): the fetch layer and the evidence view raise them too. */
export type { DataIssue };

export interface PatientTimeline {
  patient: { id?: string; birthDate?: string; gender?: string };
  /** Usable values per analyte, sorted by time ascending (ties broken by source for determinism). */
  labs: Partial<Record<AnalyteId, LabValue[]>>;
  notEvaluable: NotEvaluableValue[];
  conflicts: ValueConflict[];
  exposures: Exposure[];
  findings: Finding[];
  issues: DataIssue[];
}
