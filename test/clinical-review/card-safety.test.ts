/**
 * Card rules (the knowledge base's `indicator`, docs/knowledge.md) and "ferritin alone must never produce a 'likely
 * HLH' card" (Schram 2015, Blood 125:1548), end to end. Verified correct by the clinical review.
 */
import { CODE, administration, carT, condition, lab, patient, run, SNOMED } from './fhir';

const T = '2026-03-12T08:00:00Z';
const AS_OF = '2026-03-12T10:00:00Z';

/** Five HLH-2004 criteria met (fever, splenomegaly, cytopenias, fibrinogen, ferritin). */
const florid = (time = T) => [
  lab(CODE.ferritin, 30000, 'ng/mL', time),
  lab(CODE.fibrinogen, 100, 'mg/dL', time),
  lab(CODE.temperature, 39.8, 'Cel', time),
  lab(CODE.platelets, 30, '10*9/L', time),
  lab(CODE.anc, 0.5, '10*9/L', time),
  condition(SNOMED, '16294009', { onsetDateTime: '2026-03-10' }),
];

describe('no trigger exposure in window → no card', () => {
  it('florid HLH without any exposure gives no card (the assessment still says 5 of 8)', () => {
    const r = run([patient(), ...florid()], AS_OF);
    expect(r.a.exposure.status).toBe('none');
    expect(r.a.hlh2004.met).toBe(5);
    expect(r.cards).toEqual([]);
  });

  it('lamotrigine 8-week window: day 56 in, day 57 out', () => {
    const lam = administration('lamotrigine 25 mg', '2026-01-01T08:00:00Z');
    expect(run([patient(), lam, ...florid('2026-02-26T07:00:00Z')], '2026-02-26T08:00:00Z').cards).toHaveLength(1);
    expect(run([patient(), lam, ...florid('2026-02-27T07:00:00Z')], '2026-02-27T08:00:00Z').cards).toEqual([]);
  });

  it('checkpoint inhibitor: 26 weeks (182 days) after the last dose is in until the end of day 182, day 183 out', () => {
    const nivo = administration('nivolumab', '2025-06-01T10:00:00Z');
    expect(run([patient(), nivo, ...florid('2025-11-30T08:00:00Z')], '2025-11-30T10:00:00Z').cards).toHaveLength(1);
    expect(run([patient(), nivo, ...florid('2025-11-30T08:00:00Z')], '2025-12-01T00:01:00Z').cards).toEqual([]);
  });

  it('a MedicationRequest with intent "plan" is not an exposure', () => {
    const plan = { resourceType: 'MedicationRequest', id: 'mr1', status: 'active', intent: 'plan', authoredOn: '2026-01-10', medicationCodeableConcept: { text: 'pembrolizumab' }, subject: { reference: 'Patient/p1' } };
    expect(run([patient(), plan, ...florid()], AS_OF).cards).toEqual([]);
  });
});

describe('isolated hyperferritinemia never exceeds info (Zoref-Lorenz 2022)', () => {
  it('drug exposure + ferritin 60,000 alone → no card', () => {
    const r = run([patient(), administration('pembrolizumab', '2026-02-20T10:00:00Z'), lab(CODE.ferritin, 60000, 'ng/mL', T)], AS_OF);
    expect(r.cards).toEqual([]);
  });

  it('drug exposure + ferritin ">100000" alone → no card', () => {
    const r = run([patient(), administration('ibrutinib 420 mg', '2026-02-20T10:00:00Z'), lab(CODE.ferritin, 100000, 'ng/mL', T, {}, '>')], AS_OF);
    expect(r.cards).toEqual([]);
  });

  it('CAR T + ferritin 60,000 alone → info "watch", worded as a watch, never as likely HLH', () => {
    const r = run([patient(), carT('2026-03-01T10:00:00Z'), lab(CODE.ferritin, 60000, 'ng/mL', T)], AS_OF);
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]).toMatchObject({ indicator: 'info' });
    expect(r.cards[0]!.summary).toMatch(/^IEC-HS watch \(ferritin only\), day 11 after axi-cel/);
    expect(r.cards[0]!.summary).not.toMatch(/likely|diagnos/i);
  });

  it('drug warning needs ferritin ≥ 500 plus ≥ 2 further HLH-2004 criteria (1 further → no card)', () => {
    const pembro = [patient(), administration('pembrolizumab', '2026-02-20T10:00:00Z')];
    const fer = lab(CODE.ferritin, 499, 'ng/mL', T);
    const fever = lab(CODE.temperature, 39, 'Cel', T);
    const fib = lab(CODE.fibrinogen, 120, 'mg/dL', T);
    expect(run([...pembro, lab(CODE.ferritin, 600, 'ng/mL', T), fever], AS_OF).cards).toEqual([]);
    expect(run([...pembro, fer, fever, fib], AS_OF).cards).toEqual([]); // ferritin 499 < 500
    const w = run([...pembro, lab(CODE.ferritin, 500, 'ng/mL', T), fever, fib], AS_OF).cards;
    expect(w).toHaveLength(1);
    expect(w[0]!.indicator).toBe('warning');
  });
});

describe('critical cards and exposure precedence', () => {
  it('drug exposure + HLH-2004 5/8 → critical, worded as "possible", with the day after the drug', () => {
    const r = run([patient(), administration('pembrolizumab', '2026-02-20T10:00:00Z'), ...florid()], AS_OF);
    expect(r.cards[0]).toMatchObject({ indicator: 'critical' });
    expect(r.cards[0]!.summary).toMatch(/^Possible treatment-related HLH \(HLH-2004 5\/8\), day 20 after pembrolizumab/);
    expect(r.cards[0]!.summary.length).toBeLessThan(140);
  });

  it('CAR T and a checkpoint inhibitor both in window: the IEC exposure is primary (IEC-HS framework applies)', () => {
    const r = run([patient(), carT('2026-03-01T10:00:00Z'), administration('pembrolizumab', '2026-02-01T10:00:00Z'), ...florid()], AS_OF);
    expect(r.a.exposure.primary).toMatchObject({ class: 'car-t', daysSince: 11 });
    expect(r.a.syndrome).toBe('iec-hs');
    expect(r.cards[0]).toMatchObject({ indicator: 'critical' });
    expect(r.cards[0]!.summary).toMatch(/^Possible IEC-HS/);
  });

  it('CAR T out of its 100-day window but an ICI in window: screened as treatment-related HLH', () => {
    const r = run([patient(), carT('2025-11-01T10:00:00Z'), administration('pembrolizumab', '2026-02-01T10:00:00Z'), ...florid()], AS_OF);
    expect(r.a.exposure.primary).toMatchObject({ class: 'checkpoint-inhibitor' });
    expect(r.cards[0]!.summary).toMatch(/^Possible treatment-related HLH/);
  });

  it('a preliminary value that decides a criterion is flagged as preliminary in the card detail', () => {
    const r = run([patient(), administration('pembrolizumab', '2026-02-20T10:00:00Z'), ...florid().slice(1), lab(CODE.ferritin, 30000, 'ng/mL', T, { status: 'preliminary' })], AS_OF);
    expect(r.cards[0]!.detail).toMatch(/\| Ferritin \| \*\*met\*\* \| 30,000 ng\/mL \*[^|]*preliminary/);
  });
});
