/**
 * What the chart already says, in both EHR data paths: a documented negative marrow examination, a resolved HLH
 * diagnosis, a result reported with dataAbsentReason, a result without a unit, a refuted and an entered-in-error
 * Condition.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, DAY0, detailOf, type Json } from './chart';

const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const SNOMED = 'http://snomed.info/sct';
const clinical = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] });
const verification = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code }] });

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

/** IEC-HS on day 12 without a fibrinogen value: ferritin 24,500 and platelets 38 (a warning card). */
function base(c: Chart): Json[] {
  return [
    c.patient(),
    c.carT(DAY0),
    c.lab(CODE.ferritin, 24500, 'ng/mL', '2026-03-15T08:00:00Z'),
    c.lab(CODE.platelets, 38, '10*9/L', '2026-03-15T08:00:00Z'),
  ];
}
type R = { card?: { detail?: string; suggestions?: { actions?: { description?: string }[] }[] } };
const orders = (r: R) => (r.card?.suggestions ?? []).flatMap((s) => s.actions ?? []).map((a) => a.description ?? '');

it('negative marrow, clotted fibrinogen, LDH without unit: said as such, and the work-up follows', async () => {
  const c = new Chart('chart-says-labs');
  const clotted = c.lab(CODE.fibrinogen, 0, 'mg/dL', '2026-03-15T07:00:00Z', {
    dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'error' }], text: 'specimen clotted' },
  });
  delete clotted.valueQuantity;
  const ldh = c.lab(CODE.ldh, 900, 'U/L', '2026-03-15T08:00:00Z', { valueQuantity: { value: 900 } });
  const resources = [...base(c), c.finding('hemophagocytosis', false, '2026-03-12T10:00:00Z'), clotted, ldh];
  const { prefetch, fetch } = await h.both(resources, { patientId: 'chart-says-labs' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    const detail = detailOf(r);
    // the marrow: when and what, and no biopsy suggestion
    expect(detail).not.toContain('Consider bone marrow aspirate/biopsy');
    expect(detail).toContain('Marrow/tissue examination documented 2026-03-12 10:00Z: no hemophagocytosis');
    expect(detail).toMatch(/\| Hemophagocytosis \\\(marrow or tissue\\\) \| not met \|/);
    // the clotted fibrinogen: "no usable result", offered as a repeat, never "no result"
    expect(detail).toContain('unknown (no usable result: specimen clotted)');
    expect(detail).toContain('No usable result, repeat offered: Fibrinogen (no usable result: specimen clotted, 2026-03-15 07:00Z)');
    expect(detail).not.toMatch(/No result: [^\n]*Fibrinogen/);
    expect(orders(r)).toContain('Order Fibrinogen (repeat: no usable result: specimen clotted)');
    // LDH without a unit: present, not re-ordered
    expect(detail).toContain('Result present but not usable, check it with the laboratory (not re-ordered): LDH (result present, unit missing, 2026-03-15 08:00Z)');
    expect(orders(r).some((o) => o.startsWith('Order LDH'))).toBe(false);
  }
});

it('a resolved HLH diagnosis is history; refuted is a documented negative; entered-in-error is ignored', async () => {
  const c = new Chart('chart-says-conditions');
  const resources = [
    ...base(c),
    c.condition(ICD10, 'D76.1', { clinicalStatus: clinical('resolved'), verificationStatus: verification('confirmed'), onsetDateTime: '2024-05-01', abatementDateTime: '2024-08-01' }),
    c.condition(ICD10, 'D76.2', { verificationStatus: verification('refuted'), recordedDate: '2026-03-10' }),
    c.condition(SNOMED, '16294009', { clinicalStatus: clinical('active'), verificationStatus: verification('refuted'), recordedDate: '2026-03-14' }),
    c.condition(ICD10, 'R16.2', { clinicalStatus: clinical('active'), verificationStatus: verification('entered-in-error'), recordedDate: '2026-03-14' }),
  ];
  const { prefetch, fetch } = await h.both(resources, { patientId: 'chart-says-conditions' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    const detail = detailOf(r);
    expect(detail).not.toContain('HLH diagnosis documented (');
    expect(detail).toMatch(/Earlier HLH diagnosis on record \(resolved, 2024-05-01\): history, not a current diagnosis\./);
    expect(detail).toMatch(/HLH diagnosis documented as refuted\./);
    // refuted splenomegaly: not met (a documented negative); the entered-in-error hepatosplenomegaly is ignored
    expect(detail).toMatch(/\| Splenomegaly \| not met \|/);
    expect(detail).not.toMatch(/\| Splenomegaly \| \*\*met\*\* \|/);
  }
});
