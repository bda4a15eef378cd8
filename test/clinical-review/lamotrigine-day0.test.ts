/**
 * Lamotrigine: screened 0–8 weeks after start or dose increase (FDA Drug Safety Communication, 25 Apr 2018).
 * - An increase is a higher daily amount: 25 mg mornings + 50 mg evenings is not an increase every evening, so a
 *   patient on a stable regimen for two years is outside the window.
 * - A trigger explains only what follows it [design]: when the counted values predate the latest increase, the
 *   card's day reference is the course start ("day N after start"), never "after dose increase".
 */
import { CODE, administration, lab, patient, run } from './fhir';

type J = Record<string, unknown>;
const subject = { reference: 'Patient/p1' };
const mg = (value: number) => ({ value, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' });
const dose = (amount: number, time: string) => administration('lamotrigine tablet', time, { dosage: { dose: mg(amount) } });
const florid = (t: string): J[] => [
  lab(CODE.ferritin, 12000, 'ng/mL', t), lab(CODE.platelets, 40, '10*9/L', t), lab(CODE.hemoglobin, 7.5, 'g/dL', t),
  lab(CODE.anc, 0.6, '10*9/L', t), lab(CODE.fibrinogen, 90, 'mg/dL', t), lab(CODE.temperature, 39.5, 'Cel', t),
];
const homeMedication = (start: string, extra: J = {}): J => ({
  resourceType: 'MedicationStatement', id: `lam-home-${start}`, status: 'active', subject, medicationCodeableConcept: { text: 'Lamictal' }, effectivePeriod: { start }, ...extra,
});

it('a stable asymmetric twice-daily regimen for two years is no dose increase: outside the 8-week window, no card', () => {
  const doses = ['10', '11', '12', '13', '14'].flatMap((d) => [dose(25, `2026-03-${d}T08:00:00Z`), dose(50, `2026-03-${d}T20:00:00Z`)]);
  const r = run([patient(), homeMedication('2024-03-01'), ...doses, ...florid('2026-03-15T06:00:00Z')], '2026-03-15T12:00:00Z');
  expect(r.timeline.exposures[0]?.doseIncreases).toEqual([]);
  expect(r.a.exposure.all[0]).toMatchObject({ class: 'lamotrigine', inWindow: false, windowReason: 'after-window' });
  expect(r.cards).toEqual([]);
});

it('values dated before a dose increase: "day N after start" (start 01-20, labs 03-05, increase 03-10), never "after dose increase"', () => {
  const daily = { dosage: [{ doseAndRate: [{ doseQuantity: mg(50) }], timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } }] };
  const r = run([patient(), homeMedication('2026-01-20', daily), dose(100, '2026-03-10T08:00:00Z'), ...florid('2026-03-05T06:00:00Z')], '2026-03-11T12:00:00Z');
  expect(r.cards).toHaveLength(1);
  expect(r.cards[0]!.summary).toMatch(/day 50 after lamotrigine: /);
  expect(r.cards[0]!.summary).not.toMatch(/dose increase/);
  expect(r.cards[0]!.detail).toContain('day 50 after start (2026-01-20)');
  expect(r.cards[0]!.detail).not.toMatch(/after dose increase|Also in window/);
});

it('values dated after the increase: still "day N after dose increase (started …)"', () => {
  const daily = { dosage: [{ doseAndRate: [{ doseQuantity: mg(50) }], timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } }] };
  const r = run([patient(), homeMedication('2026-01-20', daily), dose(100, '2026-03-10T08:00:00Z'), ...florid('2026-03-14T06:00:00Z')], '2026-03-15T12:00:00Z');
  expect(r.cards[0]!.summary).toMatch(/day 5 after lamotrigine dose increase: /);
  expect(r.cards[0]!.detail).toContain('day 5 after dose increase (2026-03-10 08:00Z; started 2026-01-20)');
});
