/**
 * Realistic synthetic hook requests for the benchmark: one patient, day 12 after axi-cel, with N
 * Observations spread over 90 days (mixed analytes, units, statuses, comparators, components), plus
 * medications and conditions. The latest values describe florid IEC-HS, so the real path renders a
 * critical card with suggestions. Deterministic for a given N (seeded PRNG).
 */
const DAY = 86_400_000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Analyte {
  key: 'labsChemistry' | 'labsBloodCount' | 'labsCoagulation' | 'labsInflammation' | 'vitalsTemperature';
  loinc: string;
  units: Array<{ unit: string; code: string; factor: number }>;
  /** Normal value and the florid value at the end, in the first unit. */
  normal: number;
  florid: number;
}

const UCUM = 'http://unitsofmeasure.org';
const ANALYTES: Analyte[] = [
  { key: 'labsChemistry', loinc: '2276-4', units: [{ unit: 'ng/mL', code: 'ng/mL', factor: 1 }, { unit: 'ug/L', code: 'ug/L', factor: 1 }], normal: 250, florid: 24500 },
  { key: 'labsChemistry', loinc: '1742-6', units: [{ unit: 'U/L', code: 'U/L', factor: 1 }], normal: 25, florid: 410 },
  { key: 'labsChemistry', loinc: '1920-8', units: [{ unit: 'U/L', code: 'U/L', factor: 1 }], normal: 28, florid: 520 },
  { key: 'labsChemistry', loinc: '2532-0', units: [{ unit: 'U/L', code: 'U/L', factor: 1 }], normal: 180, florid: 1900 },
  { key: 'labsChemistry', loinc: '2571-8', units: [{ unit: 'mg/dL', code: 'mg/dL', factor: 1 }, { unit: 'mmol/L', code: 'mmol/L', factor: 1 / 88.57 }], normal: 120, florid: 390 },
  { key: 'labsChemistry', loinc: '1975-2', units: [{ unit: 'mg/dL', code: 'mg/dL', factor: 1 }, { unit: 'umol/L', code: 'umol/L', factor: 17.1 }], normal: 0.6, florid: 2.4 },
  { key: 'labsChemistry', loinc: '2160-0', units: [{ unit: 'mg/dL', code: 'mg/dL', factor: 1 }], normal: 0.9, florid: 1.6 },
  { key: 'labsBloodCount', loinc: '777-3', units: [{ unit: '10*3/uL', code: '10*3/uL', factor: 1 }, { unit: 'K/uL', code: 'K/uL', factor: 1 }], normal: 210, florid: 38 },
  { key: 'labsBloodCount', loinc: '718-7', units: [{ unit: 'g/dL', code: 'g/dL', factor: 1 }, { unit: 'g/L', code: 'g/L', factor: 10 }], normal: 12.5, florid: 7.9 },
  { key: 'labsBloodCount', loinc: '751-8', units: [{ unit: '10*9/L', code: '10*9/L', factor: 1 }], normal: 3.8, florid: 0.4 },
  { key: 'labsBloodCount', loinc: '6690-2', units: [{ unit: '10*3/uL', code: '10*3/uL', factor: 1 }], normal: 6.1, florid: 1.1 },
  { key: 'labsCoagulation', loinc: '3255-7', units: [{ unit: 'mg/dL', code: 'mg/dL', factor: 1 }, { unit: 'g/L', code: 'g/L', factor: 0.01 }], normal: 320, florid: 105 },
  { key: 'labsCoagulation', loinc: '6301-6', units: [{ unit: '{INR}', code: '{INR}', factor: 1 }], normal: 1.0, florid: 1.6 },
  { key: 'labsInflammation', loinc: '1988-5', units: [{ unit: 'mg/L', code: 'mg/L', factor: 1 }], normal: 4, florid: 60 },
  { key: 'labsInflammation', loinc: '26881-3', units: [{ unit: 'pg/mL', code: 'pg/mL', factor: 1 }], normal: 5, florid: 40 },
  { key: 'vitalsTemperature', loinc: '8310-5', units: [{ unit: 'Cel', code: 'Cel', factor: 1 }, { unit: '[degF]', code: '[degF]', factor: NaN }], normal: 36.8, florid: 39.6 },
];

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface GeneratedRequest {
  body: Record<string, unknown>;
  patientId: string;
  observationCount: number;
}

/** A patient-view request whose prefetch carries N Observations; `now` anchors all dates. */
export function generateHookRequest(n: number, now = new Date('2026-03-15T12:00:00Z'), seed = 42): GeneratedRequest {
  const rand = prng(seed + n);
  const patientId = `bench-${n}`;
  const subject = { reference: `Patient/${patientId}` };
  const day0 = now.getTime() - 12 * DAY;
  const bundles: Record<string, Array<Record<string, unknown>>> = {
    labsChemistry: [],
    labsBloodCount: [],
    labsCoagulation: [],
    labsInflammation: [],
    vitalsTemperature: [],
  };
  for (let i = 0; i < n; i++) {
    const a = ANALYTES[i % ANALYTES.length]!;
    // Most recent observations first in time order: i close to n → close to now.
    const t = now.getTime() - Math.floor((1 - i / n) * 90 * DAY) + Math.floor(rand() * 3_600_000);
    const progress = t > day0 ? Math.min(1, (t - day0) / (12 * DAY)) : 0;
    let value = a.normal + (a.florid - a.normal) * progress * progress;
    value *= 0.95 + rand() * 0.1;
    const unit = a.units[Math.floor(rand() * a.units.length)]!;
    let v = unit.unit === '[degF]' ? value * 1.8 + 32 : value * unit.factor;
    v = round(v, v > 100 ? 0 : 2);
    const status = rand() < 0.03 ? 'entered-in-error' : rand() < 0.05 ? 'preliminary' : 'final';
    const obs: Record<string, unknown> = {
      resourceType: 'Observation',
      id: `obs-${n}-${i}`,
      status,
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: a.key === 'vitalsTemperature' ? 'vital-signs' : 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: a.loinc }] },
      subject,
      effectiveDateTime: new Date(t).toISOString(),
      issued: new Date(t + 3_600_000).toISOString(),
      valueQuantity: { value: v, unit: unit.unit, system: UCUM, code: unit.code, ...(a.loinc === '2276-4' && v > 40000 ? { comparator: '>' } : {}) },
    };
    if (a.loinc === '1742-6' || a.loinc === '1920-8') obs.referenceRange = [{ low: { value: 0, unit: 'U/L', system: UCUM, code: 'U/L' }, high: { value: 40, unit: 'U/L', system: UCUM, code: 'U/L' } }];
    bundles[a.key]!.push(obs);
  }
  const bundle = (entries: Array<Record<string, unknown>>) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    total: entries.length,
    entry: entries.map((resource) => ({ fullUrl: `urn:uuid:${String(resource.id)}`, resource })),
  });
  const prefetch: Record<string, unknown> = {
    patient: { resourceType: 'Patient', id: patientId, birthDate: '1961-04-02', gender: 'female' },
    findingObservations: bundle([]),
    conditions: bundle([
      {
        resourceType: 'Condition',
        id: `crs-${n}`,
        subject,
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] },
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'D89.832' }] },
        onsetDateTime: new Date(day0 + 2 * DAY).toISOString(),
        abatementDateTime: new Date(day0 + 6 * DAY).toISOString(),
      },
      {
        resourceType: 'Condition',
        id: `dlbcl-${n}`,
        subject,
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'C83.30' }], text: 'Diffuse large B-cell lymphoma' },
        onsetDateTime: '2025-06-01',
      },
    ]),
    medicationRequests: bundle([
      {
        resourceType: 'MedicationRequest',
        id: `mr-dex-${n}`,
        status: 'completed',
        intent: 'order',
        subject,
        medicationCodeableConcept: { text: 'dexamethasone 10 mg IV' },
        authoredOn: new Date(day0 + 3 * DAY).toISOString(),
      },
    ]),
    medicationAdministrations: bundle([]),
    medicationStatements: bundle([]),
    procedures: bundle([
      {
        resourceType: 'Procedure',
        id: `proc-cart-${n}`,
        status: 'completed',
        subject,
        code: { text: 'Axicabtagene ciloleucel (Yescarta) infusion' },
        performedDateTime: new Date(day0).toISOString(),
      },
    ]),
  };
  for (const [key, entries] of Object.entries(bundles)) prefetch[key] = bundle(entries);
  return {
    patientId,
    observationCount: n,
    body: {
      hook: 'patient-view',
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
      context: { userId: 'Practitioner/bench', patientId },
      prefetch,
    },
  };
}
