/**
 * FHIR R4 resources as real EHRs send them, for the end-to-end tests under test/real-ehr: one builder set per
 * patient id (every resource id is prefixed with it, so patients never collide on the shared FHIR server).
 * Dates are around the harness's default asOf, 2026-03-15T12:00:00Z.
 */
type Json = Record<string, unknown>;

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

export interface Ehr {
  pid: string;
  patient(): Json;
  /** An Observation with a UCUM valueQuantity. */
  lab(code: string, value: number, unit: string, time: string): Json;
  /** A florid HLH picture at `time`: HLH-2004 4 met (fever, cytopenias, fibrinogen, ferritin), HScore 182. */
  hlhLabs(time: string): Json[];
  /** A CAR T infusion (Procedure, the product by name). */
  carT(time: string, product?: string): Json;
  administration(id: string, medication: Json, time: string): Json;
  request(id: string, medication: Json, extra?: Json): Json;
  statement(id: string, medication: Json, extra?: Json): Json;
  condition(id: string, system: string, code: string, extra?: Json): Json;
}

export const named = (text: string): Json => ({ medicationCodeableConcept: { text } });
export const coded = (code: string, display?: string): Json => ({
  medicationCodeableConcept: { coding: [{ system: RXNORM, code, ...(display ? { display } : {}) }] },
});

export function ehr(pid: string): Ehr {
  const subject = { reference: `Patient/${pid}` };
  let n = 0;
  const lab = (code: string, value: number, unit: string, time: string): Json => ({
    resourceType: 'Observation',
    id: `${pid}-obs-${++n}`,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: code === '8310-5' ? 'vital-signs' : 'laboratory' }] }],
    code: { coding: [{ system: LOINC, code }] },
    subject,
    effectiveDateTime: time,
    valueQuantity: { value, unit, system: UCUM, code: unit },
  });
  return {
    pid,
    patient: () => ({ resourceType: 'Patient', id: pid, birthDate: '1961-04-02', gender: 'female' }),
    lab,
    hlhLabs: (time) => [
      lab('2276-4', 12000, 'ng/mL', time),
      lab('777-3', 40, '10*9/L', time),
      lab('718-7', 7.5, 'g/dL', time),
      lab('751-8', 0.6, '10*9/L', time),
      lab('6690-2', 1.5, '10*9/L', time),
      lab('3255-7', 90, 'mg/dL', time),
      lab('1920-8', 300, 'U/L', time),
      lab('8310-5', 39.5, 'Cel', time),
    ],
    carT: (time, product = 'Axicabtagene ciloleucel (Yescarta) infusion') => ({
      resourceType: 'Procedure',
      id: `${pid}-cart-${++n}`,
      status: 'completed',
      subject,
      code: { text: product },
      performedDateTime: time,
    }),
    administration: (id, medication, time) => ({
      resourceType: 'MedicationAdministration',
      id: `${pid}-${id}`,
      status: 'completed',
      subject,
      ...medication,
      effectiveDateTime: time,
    }),
    request: (id, medication, extra = {}) => ({
      resourceType: 'MedicationRequest',
      id: `${pid}-${id}`,
      status: 'active',
      intent: 'order',
      subject,
      ...medication,
      ...extra,
    }),
    statement: (id, medication, extra = {}) => ({
      resourceType: 'MedicationStatement',
      id: `${pid}-${id}`,
      status: 'active',
      subject,
      ...medication,
      ...extra,
    }),
    condition: (id, system, code, extra = {}) => ({
      resourceType: 'Condition',
      id: `${pid}-${id}`,
      subject,
      code: { coding: [{ system, code }] },
      ...extra,
    }),
  };
}

/** `clinicalStatus` as a CodeableConcept. */
export const clinical = (code: string): Json => ({ clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] } });
