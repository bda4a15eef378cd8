/** Small builders for PatientTimelines used by the criteria unit tests (no FHIR, no builder). */
import { defaultKnowledge, type Knowledge } from '../../src/knowledge';
import { applyKnowledgeOverride } from '../../src/knowledge/load';
import { DAY_MS, HOUR_MS } from '../../src/timeline/time';
import type {
  Comparator,
  Exposure,
  Finding,
  LabValue,
  NotEvaluableValue,
  PatientTimeline,
  ReferenceRange,
  UsedStatus,
} from '../../src/timeline/types';
import type { AnalyteId, ExposureClass, FindingKind } from '../../src/vocabulary';

export const ASOF = '2026-03-15T12:00:00.000Z';
export const ASOF_MS = Date.parse(ASOF);

const CANONICAL: Record<AnalyteId, string> = {
  ferritin: 'ng/mL',
  alt: 'U/L',
  ast: 'U/L',
  platelets: '10*9/L',
  hemoglobin: 'g/dL',
  anc: '10*9/L',
  wbc: '10*9/L',
  fibrinogen: 'mg/dL',
  triglycerides: 'mg/dL',
  ldh: 'U/L',
  'bilirubin-total': 'mg/dL',
  'bilirubin-direct': 'mg/dL',
  scd25: 'U/mL',
  crp: 'mg/L',
  il6: 'pg/mL',
  pt: 's',
  inr: '{INR}',
  aptt: 's',
  'd-dimer': 'ug/mL',
  creatinine: 'mg/dL',
  temperature: 'Cel',
};

/** ISO instant `h` hours before ASOF (negative = after). */
export function hAgo(h: number): string {
  return new Date(ASOF_MS - h * HOUR_MS).toISOString();
}

export function dAgo(d: number): string {
  return new Date(ASOF_MS - d * DAY_MS).toISOString();
}

let seq = 0;

export interface LabOpts {
  /** Hours before ASOF (default 1). */
  h?: number;
  time?: string;
  comparator?: Comparator;
  /** Reference range in the canonical unit; `null` = none. Default: lab range only when given. */
  range?: { low?: number; high?: number; source?: ReferenceRange['source']; population?: string } | null;
  /** Original value/unit as reported (default: the canonical value/unit). */
  original?: { value: number | string; unit?: string };
  status?: UsedStatus;
  code?: { system: string; code: string };
  source?: string;
}

export function lab(analyte: AnalyteId, value: number, o: LabOpts = {}): LabValue {
  const unit = CANONICAL[analyte];
  const v: LabValue = {
    analyte,
    value,
    unit,
    time: o.time ?? hAgo(o.h ?? 1),
    timeSource: 'effectiveDateTime',
    status: o.status ?? 'final',
    original: o.original ?? { value, unit },
    code: o.code ?? { system: 'http://loinc.org', code: 'x' },
    source: o.source ?? `Observation/${analyte}-${++seq}`,
  };
  if (o.comparator) v.comparator = o.comparator;
  if (o.range) v.referenceRange = { ...o.range, unit, source: o.range.source ?? 'lab' };
  return v;
}

export function finding(kind: FindingKind, present = true, o: Partial<Finding> = {}): Finding {
  return {
    kind,
    present,
    code: { system: 'urn:test', code: kind },
    source: `Condition/${kind}-${++seq}`,
    ...o,
  };
}

export function exposure(cls: ExposureClass, agent: string, startDaysAgo: number, o: Partial<Exposure> = {}): Exposure {
  return {
    class: cls,
    agent,
    start: dAgo(startDaysAgo),
    doseIncreases: [],
    matchedBy: 'code',
    matched: 'test',
    sources: [`MedicationAdministration/${agent.replace(/\s+/g, '-')}`],
    ...o,
  };
}

export interface TimelineParts {
  labs?: LabValue[];
  findings?: Finding[];
  exposures?: Exposure[];
  notEvaluable?: NotEvaluableValue[];
  birthDate?: string;
  id?: string;
}

export function timeline(p: TimelineParts = {}): PatientTimeline {
  const labs: PatientTimeline['labs'] = {};
  for (const v of p.labs ?? []) (labs[v.analyte] ??= []).push(v);
  for (const list of Object.values(labs)) list?.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.source < b.source ? -1 : 1));
  const patient: PatientTimeline['patient'] = {};
  if (p.id) patient.id = p.id;
  if (p.birthDate) patient.birthDate = p.birthDate;
  return {
    patient,
    labs,
    notEvaluable: p.notEvaluable ?? [],
    conflicts: [],
    exposures: p.exposures ?? [],
    findings: p.findings ?? [],
    issues: [],
  };
}

/** Default knowledge with an edit applied as a site override (through the loader: validated, paths recorded). */
export function knowledgeWith(edit: (k: Knowledge) => void): Knowledge {
  const k = JSON.parse(JSON.stringify(defaultKnowledge)) as Knowledge;
  edit(k);
  return applyKnowledgeOverride(k);
}

export const K: Knowledge = defaultKnowledge;
