/**
 * A small synthetic chart per test (ids prefixed with the patient id, so tests sharing the harness's FHIR server
 * never see each other's data), in the shapes real EHRs send. Times are around the harness clock
 * 2026-03-15T12:00Z: CAR T infusion (day 0) 2026-03-03T14:00Z.
 */
import { CODE as REVIEW_CODE } from '../clinical-review/fhir';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
const FINDING = 'urn:hlh-sentinel:finding';
export const DAY0 = '2026-03-03T14:00:00Z';

export type Json = Record<string, unknown>;

/** LOINC codes of the tests these charts carry: the clinical-review table plus the CRS markers and the CBC panel. */
export const CODE = {
  ...REVIEW_CODE,
  crp: '1988-5',
  il6: '26881-3',
  ldh: '2532-0',
  cbcPanel: '58410-2',
} as const;

export class Chart {
  private seq = 0;
  constructor(readonly pid: string) {}

  id(kind: string): string {
    return `${this.pid}-${kind}-${++this.seq}`;
  }

  get subject(): Json {
    return { reference: `Patient/${this.pid}` };
  }

  patient(birthDate = '1965-02-01'): Json {
    return { resourceType: 'Patient', id: this.pid, birthDate, gender: 'female' };
  }

  /** Axi-cel infusion (day 0) as a MedicationAdministration. */
  carT(time = DAY0): Json {
    return {
      resourceType: 'MedicationAdministration',
      id: this.id('carT'),
      status: 'completed',
      medicationCodeableConcept: { text: 'axicabtagene ciloleucel (Yescarta) infusion' },
      subject: this.subject,
      effectiveDateTime: time,
    };
  }

  /** A laboratory Observation with a UCUM valueQuantity; `extra` replaces or adds fields. */
  lab(code: string, value: number, unit: string, time: string, extra: Json = {}): Json {
    return {
      resourceType: 'Observation',
      id: this.id(code.replace(/[^0-9a-z]/gi, '')),
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code }] },
      subject: this.subject,
      effectiveDateTime: time,
      valueQuantity: { value, unit, system: UCUM, code: unit },
      ...extra,
    };
  }

  finding(code: string, present: boolean, time: string): Json {
    return {
      resourceType: 'Observation',
      id: this.id('finding'),
      status: 'final',
      code: { coding: [{ system: FINDING, code }] },
      subject: this.subject,
      effectiveDateTime: time,
      valueBoolean: present,
    };
  }

  condition(system: string, code: string, extra: Json = {}): Json {
    return { resourceType: 'Condition', id: this.id('cond'), code: { coding: [{ system, code }] }, subject: this.subject, ...extra };
  }

  /**
   * IEC-HS after axi-cel on day 12 (2026-03-15): ferritin 450 → 9,800 → 24,500 ng/mL, fibrinogen 110 mg/dL,
   * platelets 38 ×10⁹/L, hemoglobin 7.9 g/dL; labs with lab reference ranges. ASTCT suggestive: a warning card.
   */
  iecHs(): Json[] {
    const r = (low: number, high: number, unit: string) => ({ referenceRange: [{ low: { value: low, unit }, high: { value: high, unit } }] });
    return [
      this.patient(),
      this.carT(),
      this.lab(CODE.ferritin, 450, 'ng/mL', '2026-02-28T08:00:00Z', r(30, 400, 'ng/mL')),
      this.lab(CODE.ferritin, 9800, 'ng/mL', '2026-03-13T12:00:00Z', r(30, 400, 'ng/mL')),
      this.lab(CODE.ferritin, 24500, 'ng/mL', '2026-03-15T08:00:00Z', r(30, 400, 'ng/mL')),
      this.lab(CODE.fibrinogen, 110, 'mg/dL', '2026-03-15T08:00:00Z', r(200, 400, 'mg/dL')),
      this.lab(CODE.platelets, 38, '10*9/L', '2026-03-15T08:00:00Z', r(150, 400, '10*9/L')),
      this.lab(CODE.hemoglobin, 10.8, 'g/dL', '2026-02-28T08:00:00Z', r(13.5, 17.5, 'g/dL')),
      this.lab(CODE.hemoglobin, 7.9, 'g/dL', '2026-03-15T08:00:00Z', r(13.5, 17.5, 'g/dL')),
    ];
  }
}

/** The card's Markdown detail (empty when there is no card). */
export function detailOf(r: { card?: { detail?: string } }): string {
  return r.card?.detail ?? '';
}
