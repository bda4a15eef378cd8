/**
 * ASTCT IEC-HS (Hines 2023), OHI (Zoref-Lorenz 2022), sCD25 units (Henter 2007) and data handling,
 * end to end. Verified correct by the clinical review.
 */
import { applyKnowledgeOverride } from '../../src/knowledge/load';
import { CODE, carT, findingObs, hlh, hscoreVar, iec, lab, patient, range, run } from './fhir';

const T = '2026-03-12T08:00:00Z';
const AS_OF = '2026-03-12T10:00:00Z';
const PRE = '2026-02-25T08:00:00Z'; // inside the 30-day baseline window before day 0
const cart = [patient(), carT('2026-03-01T10:00:00Z')];
const a = (...resources: Record<string, unknown>[]) => run([...cart, ...resources], AS_OF).a;

describe('ASTCT IEC-HS features (ASTCT 2023, Hines et al.)', () => {
  it('ferritin > 2 × ULN is strict, against the lab ULN when given', () => {
    const ulnArm = (v: number) => iec(a(lab(CODE.ferritin, v, 'ng/mL', T, range(20, 400, 'ng/mL'))), 'ferritin.uln');
    expect(ulnArm(800).state).toBe('not-met');
    expect(ulnArm(800.1)).toMatchObject({ state: 'met', threshold: { operator: '>', value: 800, basis: 'uln' } });
  });

  it('ferritin > 2 × baseline (last value in the 30 days before day 0) is strict', () => {
    const baseArm = (v: number) => iec(a(lab(CODE.ferritin, 350, 'ng/mL', PRE), lab(CODE.ferritin, v, 'ng/mL', T)), 'ferritin.baseline');
    expect(baseArm(700).state).toBe('not-met');
    expect(baseArm(700.1)).toMatchObject({ state: 'met', baseline: { value: 350 } });
  });

  it('a value minutes before a timed infusion is the baseline, not a post-infusion value', () => {
    const r = a(lab(CODE.ferritin, 300, 'ng/mL', '2026-03-01T09:59:00Z'), lab(CODE.ferritin, 700, 'ng/mL', T));
    expect(iec(r, 'ferritin.baseline')).toMatchObject({ state: 'met', baseline: { value: 300 } });
    expect(r.iecHs?.status).toBe('watch');
  });

  it('rapid rise (≥ 2× within 48 h, above ULN) [design]: 48 h exactly counts, 48 h + 1 s does not pair', () => {
    expect(iec(a(lab(CODE.ferritin, 300, 'ng/mL', '2026-03-10T08:00:00Z'), lab(CODE.ferritin, 600, 'ng/mL', T)), 'ferritin.rising').state).toBe('met');
    expect(iec(a(lab(CODE.ferritin, 300, 'ng/mL', '2026-03-10T07:59:59Z'), lab(CODE.ferritin, 600, 'ng/mL', T)), 'ferritin.rising').state).toBe('unknown');
    // doubling inside the normal range is not a rapid rise
    expect(iec(a(lab(CODE.ferritin, 150, 'ng/mL', '2026-03-10T08:00:00Z'), lab(CODE.ferritin, 300, 'ng/mL', T)), 'ferritin.rising').state).toBe('not-met');
  });

  it('transaminases: > 5 × ULN when baseline normal (strict), > 5 × baseline when baseline abnormal', () => {
    expect(iec(a(lab(CODE.alt, 175, 'U/L', T)), 'transaminases.alt').state).toBe('not-met'); // fallback ULN 35 → 175
    expect(iec(a(lab(CODE.alt, 175.1, 'U/L', T)), 'transaminases.alt').state).toBe('met');
    expect(iec(a(lab(CODE.alt, 35, 'U/L', PRE), lab(CODE.alt, 180, 'U/L', T)), 'transaminases.alt').state).toBe('met'); // baseline = ULN is normal
    expect(iec(a(lab(CODE.alt, 50, 'U/L', PRE), lab(CODE.alt, 250, 'U/L', T)), 'transaminases.alt')).toMatchObject({ state: 'not-met', threshold: { value: 250, basis: 'baseline' } });
    expect(iec(a(lab(CODE.alt, 50, 'U/L', PRE), lab(CODE.alt, 251, 'U/L', T)), 'transaminases.alt').state).toBe('met');
  });

  it('hypofibrinogenemia: < 150 mg/dL or < LLN (lab LLN, in g/L too; strict)', () => {
    const lab150 = range(150, 400, 'mg/dL');
    expect(iec(a(lab(CODE.fibrinogen, 150, 'mg/dL', T, lab150)), 'fibrinogen').state).toBe('not-met');
    expect(iec(a(lab(CODE.fibrinogen, 149.9, 'mg/dL', T, lab150)), 'fibrinogen').state).toBe('met');
    expect(iec(a(lab(CODE.fibrinogen, 1.7, 'g/L', T, range(2, 4, 'g/L'))), 'fibrinogen').state).toBe('met'); // 170 < LLN 200
    expect(iec(a(lab(CODE.fibrinogen, 1.9, 'g/L', T, range(1.5, 4, 'g/L'))), 'fibrinogen').state).toBe('not-met');
  });

  it('cytopenia must be new or worse than a cytopenic baseline', () => {
    const plt = (baseline: number, now: number) => iec(a(lab(CODE.platelets, baseline, '10*9/L', PRE), lab(CODE.platelets, now, '10*9/L', T)), 'cytopenias.platelets').state;
    expect(plt(200, 50)).toBe('met'); // new onset
    expect(plt(60, 50)).toBe('met'); // worsening
    expect(plt(50, 60)).toBe('not-met'); // pre-existing, improving
  });

  it('hemophagocytosis before day 0 does not count towards the CAR T episode (IEC-HS nor HLH-2004); a documented negative is not-met', () => {
    // A trigger explains only what follows it [design]: the finding predates the infusion.
    const before = a(findingObs('hemophagocytosis', true, '2026-02-20'), lab(CODE.ferritin, 900, 'ng/mL', T));
    expect(iec(before, 'hemophagocytosis').state).toBe('unknown');
    expect(hlh(before, 'hemophagocytosis').state).toBe('unknown');
    expect(before.episodes?.[0]?.notCounted).toBe(1);
    // without a trigger in window nothing is floored: the same finding counts
    expect(hlh(run([patient(), findingObs('hemophagocytosis', true, '2026-02-20')], AS_OF).a, 'hemophagocytosis').state).toBe('met');
    const negative = a(findingObs('hemophagocytosis', false, '2026-03-10'));
    expect(iec(negative, 'hemophagocytosis').state).toBe('not-met');
    expect(hlh(negative, 'hemophagocytosis').state).toBe('not-met');
    expect(hscoreVar(negative, 'hemophagocytosis')).toEqual({ points: 0, maxPoints: 0 });
  });

  it('working rule: ferritin criterion alone → watch; + one other common feature → suggestive; ferritin normal → not-met', () => {
    expect(a(lab(CODE.ferritin, 24500, 'ng/mL', T)).iecHs?.status).toBe('watch');
    expect(a(lab(CODE.ferritin, 24500, 'ng/mL', T), lab(CODE.fibrinogen, 110, 'mg/dL', T)).iecHs?.status).toBe('suggestive');
    expect(a(lab(CODE.ferritin, 300, 'ng/mL', T), lab(CODE.fibrinogen, 110, 'mg/dL', T)).iecHs?.status).toBe('not-met');
    expect(a(lab(CODE.fibrinogen, 110, 'mg/dL', T)).iecHs).toMatchObject({ status: 'not-evaluable', statusReason: 'no-ferritin-data' });
  });
});

describe('sCD25 units and OHI (Henter 2007 criterion 8, Zoref-Lorenz 2022)', () => {
  const k = applyKnowledgeOverride({
    analytes: { analytes: { scd25: { label: 'sCD25', codes: [{ system: 'urn:site', code: 'SIL2R' }], canonicalUnit: 'U/mL', notConvertible: [{ unit: 'pg/mL', reason: 'assay-specific' }] } } },
  });
  const scd25 = (value: number, unit: string) => ({
    resourceType: 'Observation', id: `s-${value}-${unit}`, status: 'final', code: { coding: [{ system: 'urn:site', code: 'SIL2R' }] },
    subject: { reference: 'Patient/p1' }, effectiveDateTime: T, valueQuantity: { value, unit },
  });
  const r = (value: number, unit: string, ferritin = 1001) => run([...cart, scd25(value, unit), lab(CODE.ferritin, ferritin, 'ng/mL', T)], AS_OF, k).a;

  it.each([
    [2399, 'not-met', 'not-met'],
    [2400, 'met', 'not-met'],
    [3900, 'met', 'not-met'],
    [3901, 'met', 'met'],
  ])('sCD25 %p U/mL → HLH-2004 %s, OHI (with ferritin 1,001) %s', (v, h, o) => {
    const x = r(v, 'U/mL');
    expect(hlh(x, 'scd25').state).toBe(h);
    expect(x.ohi.state).toBe(o);
  });

  it('OHI ferritin must exceed 1,000 ng/mL', () => {
    expect(r(5000, 'U/mL', 1000).ohi.state).toBe('not-met');
  });

  it.each(['pg/mL', 'ng/mL'])('sCD25 in %s is never converted: unknown (unit not evaluable) in HLH-2004 and OHI', (unit) => {
    const x = r(5000, unit);
    expect(hlh(x, 'scd25')).toMatchObject({ state: 'unknown', reason: 'unit-not-evaluable' });
    expect(x.ohi.state).toBe('unknown');
  });
});

describe('data handling (docs/knowledge.md)', () => {
  const ferritin = (extra: Record<string, unknown>, time = T, v = 30000) => hlh(a(lab(CODE.ferritin, v, 'ng/mL', time, extra)), 'ferritin');

  it('entered-in-error, cancelled and registered values are not used (unknown, not normal)', () => {
    for (const status of ['entered-in-error', 'cancelled', 'registered']) expect(ferritin({ status }).state).toBe('unknown');
  });

  it('preliminary values are used and flagged', () => {
    expect(ferritin({ status: 'preliminary' })).toMatchObject({ state: 'met', status: 'preliminary', flags: expect.arrayContaining(['preliminary']) });
  });

  it('lookback: exactly 7 days before asOf is in, one second more is out; a value after asOf is never read', () => {
    expect(ferritin({}, '2026-03-05T10:00:00Z').state).toBe('met');
    expect(ferritin({}, '2026-03-05T09:59:59Z').state).toBe('unknown');
    expect(ferritin({}, '2026-03-12T10:00:00Z').state).toBe('met');
    expect(ferritin({}, '2026-03-12T11:00:00+01:00').state).toBe('met'); // same instant as asOf
    expect(ferritin({}, '2026-03-12T06:00:00-05:00').state).toBe('unknown'); // 11:00Z, after asOf
  });

  it('effectivePeriod.start then issued are used when there is no effectiveDateTime', () => {
    expect(ferritin({ effectiveDateTime: undefined, effectivePeriod: { start: T, end: '2026-03-20T00:00:00Z' } }).state).toBe('met');
    expect(ferritin({ effectiveDateTime: undefined, issued: '2026-03-12T09:00:00Z' }).state).toBe('met');
  });

  it('conflicting values at the same instant are both kept, the conflict is reported and flagged on the item', () => {
    const r = run([...cart, lab(CODE.ferritin, 800, 'ng/mL', T), lab(CODE.ferritin, 300, 'ng/mL', T)], AS_OF);
    expect(r.timeline.conflicts).toEqual([expect.objectContaining({ analyte: 'ferritin', values: expect.arrayContaining([800, 300]) })]);
    expect(hlh(r.a, 'ferritin')).toMatchObject({ state: 'met', value: 800, flags: expect.arrayContaining(['conflicting-values']) });
  });

  it('a fibrinogen reference range in g/L is converted before "< LLN" is judged on a mg/dL value', () => {
    expect(iec(a(lab(CODE.fibrinogen, 170, 'mg/dL', T, range(2, 4, 'g/L'))), 'fibrinogen')).toMatchObject({
      state: 'met',
      referenceRange: { low: 200, high: 400, unit: 'mg/dL', source: 'lab' },
    });
  });
});
