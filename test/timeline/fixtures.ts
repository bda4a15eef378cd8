/** Small builders for realistic (and deliberately messy) FHIR R4 test resources. */
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const SNOMED = 'http://snomed.info/sct';
export const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

type J = Record<string, unknown>;

export function obs(id: string, loinc: string, value: J, extra: J = {}): J {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: loinc, display: 'whatever the lab calls it' }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2026-03-01T08:00:00Z',
    ...value,
    ...extra,
  };
}

export function qty(value: unknown, unit?: string, code?: string, extra: J = {}): J {
  const q: J = { value, ...extra };
  if (unit !== undefined) q.unit = unit;
  if (code !== undefined) {
    q.system = UCUM;
    q.code = code;
  }
  return { valueQuantity: q };
}

export function bundle(...resources: unknown[]): J {
  return { resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) };
}

export const patient = { resourceType: 'Patient', id: 'p1', birthDate: '1961-04-02', gender: 'female' };
