/**
 * Checkpoint inhibitors are screened "from first dose to 26 weeks after last dose" (Noseda 2019, J Immunother
 * Cancer 7:117). An order that stays "active" in the EHR long after the last administration, or a dispensing
 * validity period, is not a dose: neither may keep the window open.
 */
import { CODE, administration, lab, patient, run } from './fhir';

type J = Record<string, unknown>;
const subject = { reference: 'Patient/p1' };
const AS_OF = '2026-03-15T12:00:00Z';
const ago = (d: number) => new Date(Date.parse(AS_OF) - d * 86_400_000).toISOString();
const florid = (t: string): J[] => [
  lab(CODE.ferritin, 12000, 'ng/mL', t), lab(CODE.platelets, 40, '10*9/L', t), lab(CODE.hemoglobin, 7.5, 'g/dL', t),
  lab(CODE.anc, 0.6, '10*9/L', t), lab(CODE.fibrinogen, 90, 'mg/dL', t), lab(CODE.temperature, 39.5, 'Cel', t),
];
const pembro = (d: number) => administration('pembrolizumab 200 mg IV', ago(d));
const order = (status: string, extra: J = {}): J => ({
  resourceType: 'MedicationRequest', id: `pem-order-${status}`, status, intent: 'order', subject, medicationCodeableConcept: { text: 'Keytruda' }, authoredOn: ago(420), ...extra,
});

describe('administrations documented: an open order extends the course only while the last dose is within the window', () => {
  it.each([
    ['last dose 182 days ago (26 weeks): in window', 182, true],
    ['last dose 183 days ago: the "active" order is stale, out of window', 183, false],
    ['last dose 300 days ago: out of window, not "on therapy"', 300, false],
  ])('%s', (_label, last, inWindow) => {
    const r = run([patient(), order('active'), pembro(last + 21), pembro(last), ...florid(ago(1))], AS_OF);
    const e = r.a.exposure.all[0]!;
    expect(e.inWindow).toBe(inWindow);
    expect(e.daysSinceLastDose).toBe(last);
    if (!inWindow) {
      expect(e.onTherapy).toBeUndefined();
      expect(r.cards).toEqual([]);
    }
  });

  it('a recent dose with the order active: on therapy, in window', () => {
    const e = run([patient(), order('active'), pembro(21), ...florid(ago(1))], AS_OF).a.exposure.all[0]!;
    expect(e).toMatchObject({ inWindow: true, onTherapy: true, daysSinceLastDose: 21 });
  });

  it('no administrations documented: an active order still means on therapy (nothing says otherwise)', () => {
    const e = run([patient(), order('active', { dosageInstruction: [{ timing: { event: [ago(300)] } }] }), ...florid(ago(1))], AS_OF).a.exposure.all[0]!;
    expect(e).toMatchObject({ inWindow: true, onTherapy: true });
  });
});

describe('stopped and completed orders are never on therapy; a validity period is no dosing period', () => {
  it.each(['stopped', 'completed'])('%s order with validityPeriod running into the future', (status) => {
    const r = run([patient(), order(status, { dispenseRequest: { validityPeriod: { start: ago(420), end: ago(-200) } } }), pembro(400), pembro(379), pembro(358), ...florid(ago(1))], AS_OF);
    const e = r.a.exposure.all[0]!;
    expect(e).toMatchObject({ inWindow: false, daysSinceLastDose: 358 });
    expect(e.onTherapy).toBeUndefined();
  });

  it('a stopped order whose dosing bounds run into the future: no dose after its start, not on therapy', () => {
    const bounds = { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: ago(400), end: ago(-30) } } } }] };
    const e = run([patient(), order('stopped', bounds), ...florid(ago(1))], AS_OF).a.exposure.all[0]!;
    expect(e).toMatchObject({ inWindow: false, windowReason: 'after-window' });
    expect(e.onTherapy).toBeUndefined();
  });
});
