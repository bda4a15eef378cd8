/**
 * Fixes of the clinical review's criteria-engine and card findings, end to end
 * (buildTimeline → assess → renderCards).
 */
import { applyKnowledgeOverride } from '../../src/knowledge/load';
import { CODE, SNOMED, administration, carT, condition, findingObs, hlh, hscoreVar, iec, lab, patient, run } from './fhir';

type J = Record<string, unknown>;
const subject = { reference: 'Patient/p1' };

const request = (id: string, name: string, extra: J = {}): J => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'active',
  intent: 'order',
  subject,
  medicationCodeableConcept: { text: name },
  ...extra,
});

/** Labs meeting HLH-2004 ≥ 5/8 (fever, cytopenias, fibrinogen, ferritin, splenomegaly) and HScore ≥ 169. */
function hlhLabs(t: string): J[] {
  return [
    lab(CODE.temperature, 38.6, 'Cel', t),
    lab(CODE.hemoglobin, 8.5, 'g/dL', t),
    lab(CODE.platelets, 80, '10*9/L', t),
    lab(CODE.fibrinogen, 140, 'mg/dL', t),
    lab(CODE.ferritin, 3000, 'ng/mL', t),
    lab(CODE.ast, 40, 'U/L', t),
    lab(CODE.tgMass, 200, 'mg/dL', t),
    condition(SNOMED, '16294009', { clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: t }),
  ];
}

describe('an ongoing exposure without any usable date still screens', () => {
  const T = '2026-03-20T08:00:00Z';
  const AS_OF = '2026-03-20T10:00:00Z';

  it('active pembrolizumab order without dates + HLH-2004 5/8 → in window (ongoing-no-date) and a critical card', () => {
    const r = run([patient(), request('mr-pembro', 'pembrolizumab'), ...hlhLabs(T)], AS_OF);
    expect(r.timeline.exposures[0]).toMatchObject({ class: 'checkpoint-inhibitor', ongoing: true });
    expect(r.timeline.exposures[0]!.start).toBeUndefined();
    expect(r.a.hlh2004.met).toBeGreaterThanOrEqual(5);
    expect(r.a.hscore.score).toBeGreaterThanOrEqual(169);
    expect(r.a.exposure.status).toBe('in-window');
    expect(r.a.exposure.primary).toMatchObject({ agent: 'pembrolizumab', inWindow: true, windowReason: 'ongoing-no-date' });
    expect(r.a.exposure.primary!.daysSince).toBeUndefined();
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.indicator).toBe('critical');
    expect(r.cards[0]!.summary).toMatch(/after pembrolizumab/);
    expect(r.cards[0]!.summary).not.toMatch(/day \d/);
    expect(r.cards[0]!.detail).toMatch(/start date unknown/);
    expect(r.cards[0]!.detail).toMatch(/exposure-without-date/);
  });

  it('undated and not ongoing stays out of window (no card of its own)', () => {
    const r = run([patient(), request('mr-pembro', 'pembrolizumab', { status: 'completed' }), ...hlhLabs(T)], AS_OF);
    expect(r.a.exposure.status).toBe('outside-window');
    expect(r.a.exposure.all[0]).toMatchObject({ inWindow: false, windowReason: 'no-start-date' });
    expect(r.cards).toHaveLength(0);
  });

  it('undated, not ongoing: the data issue shows on a card made by another exposure', () => {
    const r = run(
      [
        patient(),
        request('mr-pembro', 'pembrolizumab', { status: 'completed' }),
        request('mr-ibru', 'ibrutinib', { authoredOn: '2026-03-01' }),
        administration('ibrutinib 420 mg', '2026-03-01T08:00:00Z'),
        ...hlhLabs(T),
      ],
      AS_OF,
    );
    expect(r.a.exposure.primary).toMatchObject({ agent: 'ibrutinib', inWindow: true });
    expect(r.a.exposure.all.find((e) => e.agent === 'pembrolizumab')).toMatchObject({ inWindow: false, windowReason: 'no-start-date' });
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.detail).toMatch(/exposure-without-date/);
    expect(r.cards[0]!.detail).toMatch(/pembrolizumab \\\(immune checkpoint inhibitor\\\) is documented without any usable date/);
  });
});

describe('HScore immunosuppression needs long-term therapy (Fardet 2014), not one dose', () => {
  const DAY0 = '2026-03-01T08:00:00Z';
  const T = '2026-03-21T08:00:00Z'; // day 20
  const AS_OF = '2026-03-21T10:00:00Z';
  const base = (): J[] => [
    patient(),
    administration('pembrolizumab 200 mg IV', DAY0),
    lab(CODE.ferritin, 3000, 'ng/mL', T),
    lab(CODE.temperature, 38.6, 'Cel', T),
    lab(CODE.fibrinogen, 200, 'mg/dL', T),
    lab(CODE.ast, 40, 'U/L', T),
    lab(CODE.tgMass, 200, 'mg/dL', T),
  ];
  const statement = (id: string, name: string, status: string, start: string, extra: J = {}): J => ({
    resourceType: 'MedicationStatement',
    id,
    status,
    subject,
    medicationCodeableConcept: { text: name },
    effectivePeriod: { start },
    ...extra,
  });

  it('repro baseline: HScore 161 and no card', () => {
    const r = run(base(), AS_OF);
    expect(r.a.hscore.score).toBe(161);
    expect(r.cards).toHaveLength(0);
  });

  it('one dexamethasone 8 mg IV dose: immunosuppression unknown (0–18) with the dose as source; still 161, no card', () => {
    const dex = administration('dexamethasone 8 mg IV', '2026-03-20T08:00:00Z', { id: 'ma-dex' });
    const r = run([...base(), dex], AS_OF);
    expect(hscoreVar(r.a, 'immunosuppression')).toEqual({ points: 0, maxPoints: 18 });
    const v = r.a.hscore.variables.find((x) => x.id === 'immunosuppression')!;
    expect(v).toMatchObject({ state: 'unknown', reason: 'not-long-term', sources: ['MedicationAdministration/ma-dex'] });
    expect(r.a.hscore.score).toBe(161);
    expect(r.a.hscore.missing).toContain('immunosuppression');
    expect(r.cards).toHaveLength(0);
  });

  it('an active prednisone statement started 10 days ago is not yet long-term: unknown', () => {
    const r = run([...base(), statement('ms-pred', 'prednisone 10 mg daily', 'active', '2026-03-11')], AS_OF);
    expect(hscoreVar(r.a, 'immunosuppression')).toEqual({ points: 0, maxPoints: 18 });
  });

  it('an active prednisone statement spanning ≥ the configured minimum counts: 18 points, critical card (the source is in the evidence view, not the card)', () => {
    const r = run([...base(), statement('ms-pred', 'prednisone 10 mg daily', 'active', '2025-10-01')], AS_OF);
    expect(hscoreVar(r.a, 'immunosuppression')).toEqual({ points: 18, maxPoints: 18 });
    expect(r.a.hscore.score).toBe(179);
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.indicator).toBe('critical');
    expect(r.cards[0]!.detail).toMatch(/\| Known underlying immunosuppression \| 18 \| \*\*met\*\* \|/);
  });

  it('the minimum duration is configurable [design]: criteria.hscore.immunosuppressionMedicationMinDays', () => {
    const k = applyKnowledgeOverride({ criteria: { hscore: { immunosuppressionMedicationMinDays: { value: 7 } } } });
    const r = run([...base(), statement('ms-pred', 'prednisone 10 mg daily', 'active', '2026-03-11')], AS_OF, k);
    expect(hscoreVar(r.a, 'immunosuppression')).toEqual({ points: 18, maxPoints: 18 });
    expect(r.a.knowledge.overrides).toContain('criteria.hscore.immunosuppressionMedicationMinDays.value');
  });

  it('a long course that was completed before asOf is not ongoing: unknown', () => {
    const r = run(
      [...base(), statement('ms-pred', 'prednisone 10 mg daily', 'completed', '2025-06-01', { effectivePeriod: { start: '2025-06-01', end: '2025-12-01' } })],
      AS_OF,
    );
    expect(hscoreVar(r.a, 'immunosuppression')).toEqual({ points: 0, maxPoints: 18 });
  });

  it('HIV (B20) and long-term steroid use (Z79.52) are met', () => {
    for (const code of ['B20', 'Z79.52']) {
      const r = run([...base(), condition('http://hl7.org/fhir/sid/icd-10-cm', code, { id: `c-${code}` })], AS_OF);
      expect(hscoreVar(r.a, 'immunosuppression')).toEqual({ points: 18, maxPoints: 18 });
    }
  });
});

describe('findings count only when current and confirmed', () => {
  const AS_OF = '2026-03-20T10:00:00Z';
  const spleen = (extra: J): J => condition(SNOMED, '16294009', { id: 'c-spleen', ...extra });
  const status = (code: string): J => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] });
  const verification = (code: string): J => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code }] });

  it('repro: splenomegaly resolved in 2019 is neither HLH-2004 splenomegaly nor HScore organomegaly', () => {
    const r = run([patient(), spleen({ clinicalStatus: status('resolved'), onsetDateTime: '2019-01-10', abatementDateTime: '2019-06-01' })], AS_OF);
    expect(hlh(r.a, 'splenomegaly')).toMatchObject({ state: 'unknown' });
    expect(hscoreVar(r.a, 'organomegaly')).toEqual({ points: 0, maxPoints: 38 });
  });

  it.each(['resolved', 'inactive', 'remission'])('clinicalStatus %s → not present (unknown)', (code) => {
    const r = run([patient(), spleen({ clinicalStatus: status(code), onsetDateTime: '2026-03-10' })], AS_OF);
    expect(hlh(r.a, 'splenomegaly').state).toBe('unknown');
  });

  it('abated before the finding lookback → not present', () => {
    const r = run([patient(), spleen({ onsetDateTime: '2025-01-10', abatementDateTime: '2025-02-01' })], AS_OF);
    expect(hlh(r.a, 'splenomegaly').state).toBe('unknown');
  });

  it('an active splenomegaly with an old onset still counts', () => {
    const r = run([patient(), spleen({ clinicalStatus: status('active'), onsetDateTime: '2019-01-10' })], AS_OF);
    expect(hlh(r.a, 'splenomegaly').state).toBe('met');
    expect(hscoreVar(r.a, 'organomegaly')).toEqual({ points: 23, maxPoints: 38 });
  });

  it('a finding with no status dated before the finding lookback does not count [design]', () => {
    const r = run([patient(), spleen({ onsetDateTime: '2025-06-01' })], AS_OF);
    expect(hlh(r.a, 'splenomegaly').state).toBe('unknown');
    const recent = run([patient(), spleen({ onsetDateTime: '2026-03-10' })], AS_OF);
    expect(hlh(recent.a, 'splenomegaly').state).toBe('met');
  });

  it.each(['provisional', 'differential', 'unconfirmed'])('verificationStatus %s → unknown, not met (source kept)', (code) => {
    const r = run([patient(), spleen({ clinicalStatus: status('active'), verificationStatus: verification(code), onsetDateTime: '2026-03-10' })], AS_OF);
    expect(hlh(r.a, 'splenomegaly')).toMatchObject({ state: 'unknown', reason: 'finding-unconfirmed', sources: ['Condition/c-spleen'] });
    expect(hscoreVar(r.a, 'organomegaly')).toEqual({ points: 0, maxPoints: 38 });
  });

  it('a resolved positive with a current documented negative → not-met', () => {
    const neg = condition(SNOMED, '16294009', { id: 'c-neg', verificationStatus: verification('refuted'), recordedDate: '2026-03-15' });
    const r = run([patient(), spleen({ clinicalStatus: status('resolved'), onsetDateTime: '2019-01-10' }), neg], AS_OF);
    expect(hlh(r.a, 'splenomegaly')).toMatchObject({ state: 'not-met', sources: ['Condition/c-neg'] });
  });

  it('the finding lookback is configurable: criteria.lookback.findingDays', () => {
    const k = applyKnowledgeOverride({ criteria: { lookback: { findingDays: { value: 400 } } } });
    const r = run([patient(), spleen({ onsetDateTime: '2025-06-01' })], AS_OF, k);
    expect(hlh(r.a, 'splenomegaly').state).toBe('met');
  });
});

describe('date-only infusion — values on day 0’s calendar date are baseline candidates', () => {
  const proc = (date: string): J => ({ resourceType: 'Procedure', id: 'pr-axicel', status: 'completed', subject, code: { text: 'axicabtagene ciloleucel infusion' }, performedDateTime: date });
  const AS_OF = '2026-03-12T10:00:00Z';

  it('repro: ferritin 300 at 08:00 on the infusion date is the baseline; 700 on day 11 is > 2 × baseline', () => {
    const r = run([patient(), proc('2026-03-01'), lab(CODE.ferritin, 300, 'ng/mL', '2026-03-01T08:00:00Z'), lab(CODE.ferritin, 700, 'ng/mL', '2026-03-12T08:00:00Z')], AS_OF);
    const b = iec(r.a, 'ferritin.baseline');
    expect(b).toMatchObject({ state: 'met', value: 700, baseline: { value: 300, time: '2026-03-01T08:00:00Z' } });
    expect(b.flags).toContain('baseline-day0-date-only');
    expect(iec(r.a, 'ferritin')).toMatchObject({ state: 'met' });
    expect(r.cards[0]!.detail).toMatch(/same-day value as baseline/);
  });

  it('the same-day value is not a "current" value (it is not judged as post-infusion)', () => {
    const r = run([patient(), proc('2026-03-01'), lab(CODE.ferritin, 5000, 'ng/mL', '2026-03-01T08:00:00Z')], '2026-03-01T20:00:00Z');
    expect(iec(r.a, 'ferritin')).toMatchObject({ state: 'unknown', reason: 'no-data' });
  });

  it('a timed infusion keeps the exact instant: a value after it on the same day is current', () => {
    const r = run(
      [patient(), proc('2026-03-01T06:00:00Z'), lab(CODE.ferritin, 300, 'ng/mL', '2026-03-01T05:00:00Z'), lab(CODE.ferritin, 700, 'ng/mL', '2026-03-01T20:00:00Z')],
      '2026-03-01T22:00:00Z',
    );
    const b = iec(r.a, 'ferritin.baseline');
    expect(b).toMatchObject({ state: 'met', value: 700, baseline: { value: 300 } });
    expect(b.flags ?? []).not.toContain('baseline-day0-date-only');
  });
});

describe('the window closes at the end of calendar day N (as daysSince counts)', () => {
  const proc = (date: string): J => ({ resourceType: 'Procedure', id: 'pr-axicel', status: 'completed', subject, code: { text: 'axicabtagene ciloleucel infusion' }, performedDateTime: date });

  it('repro: date-only infusion 2026-03-01, asOf day 100 at 10:00Z → in window, card says day 100', () => {
    const r = run([patient(), proc('2026-03-01'), lab(CODE.ferritin, 60000, 'ng/mL', '2026-06-09T08:00:00Z')], '2026-06-09T10:00:00Z');
    expect(r.a.exposure.primary).toMatchObject({ daysSince: 100, inWindow: true, windowEnd: '2026-06-09T23:59:59.999Z' });
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.summary).toMatch(/day 100 after axi-cel/);
  });

  it('timed infusion: day 100 later in the day than the infusion time is still day 100, in window', () => {
    const r = run([patient(), proc('2026-03-01T10:00:00Z'), lab(CODE.ferritin, 60000, 'ng/mL', '2026-06-09T18:00:00Z')], '2026-06-09T20:00:00Z');
    expect(r.a.exposure.primary).toMatchObject({ daysSince: 100, inWindow: true });
  });

  it('day 101 is outside the window', () => {
    const r = run([patient(), proc('2026-03-01'), lab(CODE.ferritin, 60000, 'ng/mL', '2026-06-10T00:30:00Z')], '2026-06-10T01:00:00Z');
    expect(r.a.exposure.all[0]).toMatchObject({ daysSince: 101, inWindow: false, windowReason: 'after-window' });
    expect(r.cards).toHaveLength(0);
  });
});

describe('a preliminary value does not decide over a final one at the same instant', () => {
  const T = '2026-03-12T08:00:00Z';
  const AS_OF = '2026-03-12T10:00:00Z';

  it('repro: preliminary ferritin 600 and final 450 at the same instant → HLH-2004 ferritin judged on the final (not met), conflict kept', () => {
    const r = run([patient(), lab(CODE.ferritin, 600, 'ng/mL', T, { status: 'preliminary' }), lab(CODE.ferritin, 450, 'ng/mL', T)], AS_OF);
    expect(r.timeline.conflicts).toHaveLength(1);
    const f = hlh(r.a, 'ferritin');
    expect(f).toMatchObject({ state: 'not-met', value: 450, status: 'final' });
    expect(f.flags).toContain('conflicting-values');
  });

  it('corrected wins over preliminary too; two preliminaries still both count (conflict, no final)', () => {
    const r = run([patient(), lab(CODE.ferritin, 600, 'ng/mL', T, { status: 'preliminary' }), lab(CODE.ferritin, 450, 'ng/mL', T, { status: 'corrected' })], AS_OF);
    expect(hlh(r.a, 'ferritin')).toMatchObject({ state: 'not-met', value: 450 });
    const p = run([patient(), lab(CODE.ferritin, 600, 'ng/mL', T, { status: 'preliminary' }), lab(CODE.ferritin, 450, 'ng/mL', T, { status: 'preliminary' })], AS_OF);
    expect(hlh(p.a, 'ferritin')).toMatchObject({ state: 'met', value: 600 });
  });

  it('a preliminary value at another instant still counts (flagged)', () => {
    const r = run([patient(), lab(CODE.ferritin, 600, 'ng/mL', T, { status: 'preliminary' }), lab(CODE.ferritin, 450, 'ng/mL', '2026-03-11T08:00:00Z')], AS_OF);
    expect(hlh(r.a, 'ferritin')).toMatchObject({ state: 'met', value: 600 });
    expect(hlh(r.a, 'ferritin').flags).toContain('preliminary');
  });

  it('the card summary marks a preliminary deciding value', () => {
    const r = run([patient(), carT('2026-03-01T10:00:00Z'), lab(CODE.ferritin, 60000, 'ng/mL', T, { status: 'preliminary' })], AS_OF);
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.summary).toMatch(/ferritin 60,000 ng\/mL \([^)]*\) \(preliminary\)/);
    const f = run([patient(), carT('2026-03-01T10:00:00Z'), lab(CODE.ferritin, 60000, 'ng/mL', T)], AS_OF);
    expect(f.cards[0]!.summary).not.toMatch(/preliminary/);
  });
});

describe('ASTCT status worded by statusReason', () => {
  const T = '2026-03-12T08:00:00Z';
  const AS_OF = '2026-03-12T10:00:00Z';
  const others = (): J[] => [
    lab(CODE.temperature, 39.0, 'Cel', T),
    lab(CODE.hemoglobin, 8.0, 'g/dL', T),
    lab(CODE.platelets, 50, '10*9/L', T),
    lab(CODE.fibrinogen, 120, 'mg/dL', T),
    condition(SNOMED, '16294009', { onsetDateTime: '2026-03-10' }),
  ];

  it('ferritin data exists but the criterion is undecided → "ferritin criterion undecided", not "no ferritin data"', () => {
    const r = run([patient(), carT('2026-03-01T10:00:00Z'), lab(CODE.ferritin, 500, 'ng/mL', T, {}, '>'), ...others()], AS_OF);
    expect(r.a.iecHs).toMatchObject({ status: 'not-evaluable', statusReason: 'ferritin-criterion-unknown' });
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.detail).toMatch(/ferritin criterion undecided: needs serial values or a baseline/);
    expect(r.cards[0]!.detail).not.toMatch(/no ferritin data/);
  });

  it('no ferritin at all still says "no ferritin data"', () => {
    const r = run([patient(), carT('2026-03-01T10:00:00Z'), findingObs('hemophagocytosis', true, T), ...others()], AS_OF);
    expect(r.a.iecHs).toMatchObject({ status: 'not-evaluable', statusReason: 'no-ferritin-data' });
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.detail).toMatch(/not evaluable \(no ferritin data\)/);
  });
});

describe('a met value never displays as its threshold', () => {
  const T = '2026-03-12T08:00:00Z';
  const AS_OF = '2026-03-12T10:00:00Z';

  it('fibrinogen 149.6, platelets 99.96, Hb 8.96 are shown with enough decimals; other values unchanged', () => {
    const r = run(
      [
        patient(),
        carT('2026-03-01T10:00:00Z'),
        lab(CODE.ferritin, 30000, 'ng/mL', T),
        lab(CODE.temperature, 39.8, 'Cel', T),
        lab(CODE.fibrinogen, 149.6, 'mg/dL', T),
        lab(CODE.platelets, 99.96, '10*9/L', T),
        lab(CODE.hemoglobin, 8.96, 'g/dL', T),
        condition(SNOMED, '16294009', { onsetDateTime: '2026-03-10' }),
      ],
      AS_OF,
    );
    expect(hlh(r.a, 'triglycerides-fibrinogen.fibrinogen').state).toBe('met');
    expect(hlh(r.a, 'cytopenias.platelets').state).toBe('met');
    expect(hlh(r.a, 'cytopenias.hemoglobin').state).toBe('met');
    const d = r.cards[0]!.detail!;
    // the card escapes '.' in Markdown cells ("149\.6")
    expect(d).toMatch(/↳ Fibrinogen \| \*\*met\*\* \| 149\\\.6 mg\/dL \| ≤ 150 mg\/dL/);
    expect(d).not.toMatch(/\*\*met\*\* \| 150 mg\/dL \| [<≤&]/);
    expect(d).toMatch(/\| 99\\\.96 ×10⁹\/L/);
    expect(d).toMatch(/\| 8\\\.96 g\/dL/);
    expect(d).toMatch(/\| 30,000 ng\/mL/);
    expect(r.cards[0]!.summary).toMatch(/fibrinogen 149\.6 mg\/dL/);
  });
});
