/**
 * Threshold boundaries end to end (FHIR → timeline → assess), in the unit system the lab reported.
 * Every expectation cites its source (paper, or [design] in docs/knowledge.md). Verified correct by the clinical review.
 */
import { CODE, administration, hlh, hscoreVar, lab, patient, run } from './fhir';

const T = '2026-03-12T08:00:00Z';
const AS_OF = '2026-03-12T10:00:00Z';
// A drug exposure in window so the whole engine runs (ICI window: first dose to 26 weeks after the last dose).
const base = [patient(), administration('pembrolizumab', '2026-02-20T10:00:00Z')];
const one = (...resources: Record<string, unknown>[]) => run([...base, ...resources], AS_OF).a;

describe('HLH-2004 (Henter 2007) boundaries through unit conversion', () => {
  it.each([
    // #1 fever ≥ 38.5 °C; 101.3 °F = 38.5 °C exactly (°F converted)
    [101.3, '°F', 'met'],
    [101.29, '°F', 'not-met'],
    [101.3, '[degF]', 'met'],
    [101.3, 'F', 'met'], // bare F is a temperature only for body temperature
    [38.5, 'Cel', 'met'],
    [38.49, '°C', 'not-met'],
  ])('fever %p %s → %s', (v, unit, state) => {
    expect(hlh(one(lab(CODE.temperature, v, unit, T)), 'fever').state).toBe(state);
  });

  it.each([
    // #3 hemoglobin < 90 g/L (adult); g/L reported → judged on the g/L number, g/dL likewise
    [90, 'g/L', 'not-met'],
    [89.9, 'g/L', 'met'],
    [9.0, 'g/dL', 'not-met'],
    [8.99, 'g/dl', 'met'],
  ])('hemoglobin %p %s → %s', (v, unit, state) => {
    expect(hlh(one(lab(CODE.hemoglobin, v, unit, T)), 'cytopenias.hemoglobin').state).toBe(state);
  });

  it.each([
    // #3 platelets < 100 × 10⁹/L; raw counts per µL convert (99,000 /uL = 99 × 10⁹/L)
    [100, '10*9/L', 'not-met'],
    [99, '10*9/L', 'met'],
    [100000, '/uL', 'not-met'],
    [99000, '/uL', 'met'],
    [38000, '/uL', 'met'],
    [100, 'K/uL', 'not-met'],
    [99, 'x10^3/uL', 'met'],
  ])('platelets %p %s → %s', (v, unit, state) => {
    expect(hlh(one(lab(CODE.platelets, v, unit, T)), 'cytopenias.platelets').state).toBe(state);
  });

  it.each([
    // #3 neutrophils < 1.0 × 10⁹/L
    [1.0, '10*9/L', 'not-met'],
    [0.99, '10*9/L', 'met'],
    [1000, '/uL', 'not-met'],
    [990, 'cells/uL', 'met'],
  ])('ANC %p %s → %s', (v, unit, state) => {
    expect(hlh(one(lab(CODE.anc, v, unit, T)), 'cytopenias.anc').state).toBe(state);
  });

  it('cytopenias need ≥ 2 of 3 lineages: met only at 2; 1 met + 1 unknown stays unknown; 2 normal + 1 unknown is not-met', () => {
    const plt50 = lab(CODE.platelets, 50, '10*9/L', T);
    expect(hlh(one(plt50), 'cytopenias').state).toBe('unknown');
    expect(hlh(one(plt50, lab(CODE.hemoglobin, 12, 'g/dL', T)), 'cytopenias').state).toBe('unknown'); // ANC could still be low
    expect(hlh(one(lab(CODE.platelets, 200, '10*9/L', T), lab(CODE.hemoglobin, 12, 'g/dL', T)), 'cytopenias').state).toBe('not-met');
    expect(hlh(one(plt50, lab(CODE.anc, 0.5, '10*9/L', T)), 'cytopenias').state).toBe('met');
  });

  it.each([
    // #4 fibrinogen ≤ 1.5 g/L (≤ 150 mg/dL): note ≤, not <
    [1.5, 'g/L', 'met'],
    [1.51, 'g/L', 'not-met'],
    [150, 'mg/dL', 'met'],
    [150.1, 'mg/dL', 'not-met'],
  ])('fibrinogen %p %s → %s', (v, unit, state) => {
    expect(hlh(one(lab(CODE.fibrinogen, v, unit, T)), 'triglycerides-fibrinogen.fibrinogen').state).toBe(state);
  });

  it.each([
    // #4 fasting TG ≥ 3.0 mmol/L (≥ 265 mg/dL). Fasting state unknown by default: a value at/above the
    // threshold is unknown (never counted as normal), a value below it disproves the arm.
    [3.0, 'mmol/L', CODE.tgMolar, 'unknown'],
    [2.99, 'mmol/L', CODE.tgMolar, 'not-met'],
    [265, 'mg/dL', CODE.tgMass, 'unknown'],
    [264.9, 'mg/dL', CODE.tgMass, 'not-met'],
  ])('triglycerides %p %s → %s (fasting unknown)', (v, unit, code, state) => {
    expect(hlh(one(lab(code, v, unit, T)), 'triglycerides-fibrinogen.triglycerides').state).toBe(state);
  });

  it.each([
    // #7 ferritin ≥ 500 µg/L (= ng/mL); µg/mL converts ×1000
    [500, 'ng/mL', 'met'],
    [499.9, 'ng/mL', 'not-met'],
    [500, 'µg/L', 'met'],
    [0.5, 'ug/mL', 'met'],
  ])('ferritin %p %s → %s', (v, unit, state) => {
    expect(hlh(one(lab(CODE.ferritin, v, unit, T)), 'ferritin').state).toBe(state);
  });

  it('comparators: ">40000" proves ≥ 500; "<0.5" disproves it; a value without a unit is unknown, not normal', () => {
    expect(hlh(one(lab(CODE.ferritin, 40000, 'ng/mL', T, {}, '>')), 'ferritin')).toMatchObject({ state: 'met', comparator: '>' });
    expect(hlh(one(lab(CODE.ferritin, 0.5, 'ug/L', T, {}, '<')), 'ferritin').state).toBe('not-met');
    const noUnit = { resourceType: 'Observation', id: 'nu', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: CODE.ferritin }] }, subject: { reference: 'Patient/p1' }, effectiveDateTime: T, valueString: '>40000' };
    expect(hlh(one(noUnit), 'ferritin').state).toBe('unknown');
  });

  it('neonatal hemoglobin threshold (< 100 g/L under 4 weeks) applies strictly before day 28 of life', () => {
    const neonate = [patient('2026-02-13'), administration('lamotrigine 5 mg', '2026-02-20T08:00:00Z')];
    const at = (time: string, v: number) => hlh(run([...neonate, lab(CODE.hemoglobin, v, 'g/L', time)], '2026-03-13T12:00:00Z').a, 'cytopenias.hemoglobin');
    expect(at('2026-03-12T23:59:00Z', 99)).toMatchObject({ state: 'met', flags: expect.arrayContaining(['age-adjusted']) }); // 27 d 23 h
    expect(at('2026-03-12T23:59:00Z', 100).state).toBe('not-met');
    expect(at('2026-03-13T00:00:00Z', 99).state).toBe('not-met'); // exactly 28 d: adult < 90 g/L applies
  });

  it('HLH-2004 count: unknowns are reported, and reachable/impossible follow from them', () => {
    const none = one();
    expect(none.hlh2004).toMatchObject({ met: 0, unknown: 8, status: 'reachable' });
    const allNormal = one(
      lab(CODE.temperature, 37, 'Cel', T),
      lab(CODE.ferritin, 100, 'ng/mL', T),
      lab(CODE.fibrinogen, 300, 'mg/dL', T),
      lab(CODE.tgMass, 100, 'mg/dL', T),
      lab(CODE.platelets, 250, '10*9/L', T),
      lab(CODE.hemoglobin, 13, 'g/dL', T),
    );
    // fever, cytopenias, TG/fibrinogen, ferritin not met; splenomegaly, hemophagocytosis, NK, sCD25 unknown → 4 < 5
    expect(allNormal.hlh2004).toMatchObject({ met: 0, notMet: 4, unknown: 4, status: 'impossible' });
  });
});

describe('HScore (Fardet 2014) band edges through unit conversion', () => {
  it.each([
    // temperature °C: < 38.4 → 0 · 38.4–39.4 → 33 · > 39.4 → 49 (101.12 °F = 38.4 °C, 102.92 °F = 39.4 °C)
    [38.39, 'Cel', 0],
    [38.4, 'Cel', 33],
    [39.4, 'Cel', 33],
    [39.41, 'Cel', 49],
    [101.1, '°F', 0],
    [101.12, '°F', 33],
    [102.92, '°F', 33],
    [102.93, '°F', 49],
  ])('temperature %p %s → %p points', (v, unit, pts) => {
    expect(hscoreVar(one(lab(CODE.temperature, v, unit, T)), 'temperature')).toEqual({ points: pts, maxPoints: pts });
  });

  it.each([
    // ferritin ng/mL: < 2,000 → 0 · 2,000–6,000 → 35 · > 6,000 → 50
    [1999, 'ng/mL', 0],
    [2000, 'ng/mL', 35],
    [6000, 'ug/L', 35],
    [6001, 'ng/mL', 50],
    [6, 'ug/mL', 35],
  ])('ferritin %p %s → %p points', (v, unit, pts) => {
    expect(hscoreVar(one(lab(CODE.ferritin, v, unit, T)), 'ferritin')).toEqual({ points: pts, maxPoints: pts });
  });

  it.each([
    // triglycerides mmol/L: < 1.5 → 0 · 1.5–4 → 44 · > 4 → 64 ; mg/dL: < 132.7 · 132.7–354 · > 354
    // 4.0 mmol/L is 354.28 mg/dL after × 88.57 but stays 44: judged on the lab's own unit system.
    [1.49, 'mmol/L', CODE.tgMolar, 0],
    [1.5, 'mmol/L', CODE.tgMolar, 44],
    [4, 'mmol/L', CODE.tgMolar, 44],
    [4.01, 'mmol/L', CODE.tgMolar, 64],
    [132.6, 'mg/dL', CODE.tgMass, 0],
    [132.7, 'mg/dL', CODE.tgMass, 44],
    [354, 'mg/dL', CODE.tgMass, 44],
    [354.1, 'mg/dL', CODE.tgMass, 64],
  ])('triglycerides %p %s (LOINC %s) → %p points (no fasting requirement in HScore)', (v, unit, code, pts) => {
    expect(hscoreVar(one(lab(code, v, unit, T)), 'triglycerides')).toEqual({ points: pts, maxPoints: pts });
  });

  it.each([
    // fibrinogen g/L: > 2.5 → 0 · ≤ 2.5 → 30 (mg/dL = g/L × 100)
    [2.5, 'g/L', 30],
    [2.51, 'g/L', 0],
    [250, 'mg/dL', 30],
    [250.1, 'mg/dL', 0],
  ])('fibrinogen %p %s → %p points', (v, unit, pts) => {
    expect(hscoreVar(one(lab(CODE.fibrinogen, v, unit, T)), 'fibrinogen')).toEqual({ points: pts, maxPoints: pts });
  });

  it.each([
    [29.9, 'U/L', 0],
    [30, 'U/L', 19],
    [30, 'IU/L', 19],
  ])('AST %p %s → %p points (≥ 30 → 19)', (v, unit, pts) => {
    expect(hscoreVar(one(lab(CODE.ast, v, unit, T)), 'ast')).toEqual({ points: pts, maxPoints: pts });
  });

  it.each([
    // Hb ≤ 9.2 g/dL (≤ 92 g/L), WBC ≤ 5, platelets ≤ 110 × 10⁹/L; 0 or 1 lineage → 0 · 2 → 24 · 3 → 34
    [[9.2, 'g/dL'], [5, '10*9/L'], [110, '10*9/L'], 34],
    [[9.21, 'g/dL'], [5, '10*9/L'], [110, '10*9/L'], 24],
    [[92, 'g/L'], [5.01, '10*9/L'], [110000, '/uL'], 24],
    [[92, 'g/L'], [5.01, '10*9/L'], [111, '10*9/L'], 0], // exactly one lineage scores 0, not 24
  ] as const)('cytopenias Hb %p WBC %p Plt %p → %p points', (hb, wbc, plt, pts) => {
    const a = one(lab(CODE.hemoglobin, hb[0], hb[1], T), lab(CODE.wbc, wbc[0], wbc[1], T), lab(CODE.platelets, plt[0], plt[1], T));
    expect(hscoreVar(a, 'cytopenias')).toEqual({ points: pts, maxPoints: pts });
  });

  it('HScore thresholds are not HLH-2004 thresholds: Hb 9.1 g/dL, WBC 4.5, platelets 105 → 34 HScore points, 0 HLH-2004 lineages', () => {
    const a = one(lab(CODE.hemoglobin, 9.1, 'g/dL', T), lab(CODE.wbc, 4.5, '10*9/L', T), lab(CODE.platelets, 105, '10*9/L', T), lab(CODE.anc, 2, '10*9/L', T));
    expect(hscoreVar(a, 'cytopenias').points).toBe(34);
    expect(hlh(a, 'cytopenias').state).toBe('not-met');
  });

  it('missing data never lowers maxPossible: one lineage cytopenic and two missing → 0..34; no data at all → 0..337', () => {
    expect(hscoreVar(one(lab(CODE.hemoglobin, 8, 'g/dL', T)), 'cytopenias')).toEqual({ points: 0, maxPoints: 34 });
    const empty = one();
    expect(empty.hscore).toMatchObject({ score: 0, maxPossible: 337, complete: false });
    expect(empty.hscore.probability.display).toBe('<1%');
  });

  it('comparator ferritin ">5000" spans two bands (35..50), ">=2000" gives 35..50, ">6000" gives 50', () => {
    expect(hscoreVar(one(lab(CODE.ferritin, 5000, 'ng/mL', T, {}, '>')), 'ferritin')).toEqual({ points: 35, maxPoints: 50 });
    expect(hscoreVar(one(lab(CODE.ferritin, 2000, 'ng/mL', T, {}, '>=')), 'ferritin')).toEqual({ points: 35, maxPoints: 50 });
    expect(hscoreVar(one(lab(CODE.ferritin, 6000, 'ng/mL', T, {}, '>')), 'ferritin')).toEqual({ points: 50, maxPoints: 50 });
  });
});
