/**
 * Clinical review (second reviewer): small FHIR builders and a runner that goes through the real pipeline
 * pieces — buildTimeline (FHIR → PatientTimeline) → assess → renderCards — so each boundary is checked
 * end to end, in the unit system the lab reported. Judged against the papers the knowledge base cites.
 */
import { assess, type Assessment, type CriterionItem } from '../../src/criteria';
import { defaultKnowledge, type Knowledge } from '../../src/knowledge';
import { renderCards } from '../../src/render/cards';
import { loadCardContent } from '../../src/render/content';
import { buildTimeline, type PatientTimeline } from '../../src/timeline';
import type { Card } from '../../src/hooks/response';

const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
const FINDING = 'urn:hlh-sentinel:finding';

type J = Record<string, unknown>;

export const CODE = {
  ferritin: '2276-4',
  alt: '1742-6',
  ast: '1920-8',
  platelets: '777-3',
  hemoglobin: '718-7',
  anc: '751-8',
  wbc: '6690-2',
  fibrinogen: '3255-7',
  tgMass: '2571-8',
  tgMolar: '14927-8',
  temperature: '8310-5',
} as const;

let seq = 0;

/** An Observation with a valueQuantity (`unit` as written by the lab; comparator optional). */
export function lab(code: string, value: number, unit: string, time: string, extra: J = {}, comparator?: string): J {
  return {
    resourceType: 'Observation',
    id: `cr-${++seq}`,
    status: 'final',
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: time,
    valueQuantity: { value, unit, ...(comparator ? { comparator } : {}) },
    ...extra,
  };
}

export function range(low: number | undefined, high: number | undefined, unit: string): J {
  const r: J = {};
  if (low !== undefined) r.low = { value: low, unit };
  if (high !== undefined) r.high = { value: high, unit };
  return { referenceRange: [r] };
}

export function patient(birthDate = '1960-05-01'): J {
  return { resourceType: 'Patient', id: 'p1', birthDate };
}

/** CAR T infusion documented as a Procedure (day 0). */
export function carT(time: string, name = 'axicabtagene ciloleucel infusion'): J {
  return { resourceType: 'Procedure', id: `cr-${++seq}`, status: 'completed', code: { text: name }, subject: { reference: 'Patient/p1' }, performedDateTime: time };
}

export function administration(name: string, time: string, extra: J = {}): J {
  return {
    resourceType: 'MedicationAdministration',
    id: `cr-${++seq}`,
    status: 'completed',
    medicationCodeableConcept: { text: name },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: time,
    ...extra,
  };
}

export function condition(system: string, code: string, extra: J = {}): J {
  return { resourceType: 'Condition', id: `cr-${++seq}`, code: { coding: [{ system, code }] }, subject: { reference: 'Patient/p1' }, ...extra };
}

export function findingObs(code: string, value: boolean, time: string): J {
  return {
    resourceType: 'Observation',
    id: `cr-${++seq}`,
    status: 'final',
    code: { coding: [{ system: FINDING, code }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: time,
    valueBoolean: value,
  };
}

const content = loadCardContent();

export interface Run {
  timeline: PatientTimeline;
  a: Assessment;
  cards: Card[];
}

export function run(resources: unknown[], asOf: string, knowledge: Knowledge = defaultKnowledge): Run {
  const timeline = buildTimeline(resources, knowledge, { patientId: 'p1' });
  const a = assess(timeline, asOf, knowledge);
  let n = 0;
  const cards = renderCards(a, { patientId: 'p1', detail: 'full' }, content, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
  return { timeline, a, cards };
}

export function hlh(a: Assessment, id: string): CriterionItem {
  const all: CriterionItem[] = [];
  const walk = (xs: readonly CriterionItem[]) => xs.forEach((x) => (all.push(x), walk(x.components ?? [])));
  walk(a.hlh2004.items);
  const it = all.find((i) => i.id === id);
  if (!it) throw new Error(`no HLH-2004 item ${id}`);
  return it;
}

export function iec(a: Assessment, id: string): CriterionItem {
  const all: CriterionItem[] = [];
  const walk = (xs: readonly CriterionItem[]) => xs.forEach((x) => (all.push(x), walk(x.components ?? [])));
  walk([...(a.iecHs?.features ?? []), ...(a.iecHs?.mayBePresent ?? [])]);
  const it = all.find((i) => i.id === id);
  if (!it) throw new Error(`no IEC-HS item ${id}`);
  return it;
}

export function hscoreVar(a: Assessment, id: string): { points: number; maxPoints: number } {
  const v = a.hscore.variables.find((x) => x.id === id);
  if (!v) throw new Error(`no HScore variable ${id}`);
  return { points: v.points, maxPoints: v.maxPoints };
}
