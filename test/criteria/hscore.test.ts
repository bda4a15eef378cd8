/**
 * HScore (Fardet 2014) — source: Fardet 2014 [confirmed]. Bands, both unit systems where the
 * table gives both (triglycerides mmol/L and mg/dL; fibrinogen g/L vs canonical mg/dL; Hb g/dL vs g/L).
 */
import { assess } from '../../src/criteria';
import { probability } from '../../src/criteria/hscore';
import type { HScoreVariable } from '../../src/criteria/types';
import type { LabValue } from '../../src/timeline/types';
import { ASOF, K, finding, lab, timeline } from './helpers';

function hs(labs: LabValue[], findings = [] as ReturnType<typeof finding>[]) {
  return assess(timeline({ labs, findings }), ASOF, K).hscore;
}
function v(id: string, labs: LabValue[], findings = [] as ReturnType<typeof finding>[]): HScoreVariable {
  return hs(labs, findings).variables.find((x) => x.id === id)!;
}

describe('HScore bands at, above and below every boundary (§4)', () => {
  it.each([
    // variable, analyte, canonical value, original (other unit system) or null, points
    ['temperature', 'temperature', 38.39, null, 0],
    ['temperature', 'temperature', 38.4, null, 33],
    ['temperature', 'temperature', 39.4, null, 33],
    ['temperature', 'temperature', 39.41, null, 49],
    ['ferritin', 'ferritin', 1999, null, 0],
    ['ferritin', 'ferritin', 2000, null, 35],
    ['ferritin', 'ferritin', 6000, null, 35],
    ['ferritin', 'ferritin', 6001, null, 50],
    // triglycerides mg/dL: < 132.7 → 0 · 132.7–354 → 44 · > 354 → 64
    ['triglycerides', 'triglycerides', 132.6, null, 0],
    ['triglycerides', 'triglycerides', 132.7, null, 44],
    ['triglycerides', 'triglycerides', 354, null, 44],
    ['triglycerides', 'triglycerides', 354.1, null, 64],
    // triglycerides mmol/L: < 1.5 → 0 · 1.5–4 → 44 · > 4 → 64 (4.0 mmol/L = 354.28 mg/dL must stay 44)
    ['triglycerides', 'triglycerides', 1.49 * 88.57, { value: 1.49, unit: 'mmol/L' }, 0],
    ['triglycerides', 'triglycerides', 1.5 * 88.57, { value: 1.5, unit: 'mmol/L' }, 44],
    ['triglycerides', 'triglycerides', 4 * 88.57, { value: 4, unit: 'mmol/L' }, 44],
    ['triglycerides', 'triglycerides', 4.01 * 88.57, { value: 4.01, unit: 'mmol/L' }, 64],
    // fibrinogen g/L: > 2.5 → 0 · ≤ 2.5 → 30 (canonical mg/dL 250)
    ['fibrinogen', 'fibrinogen', 251, null, 0],
    ['fibrinogen', 'fibrinogen', 250, null, 30],
    ['fibrinogen', 'fibrinogen', 249, null, 30],
    ['fibrinogen', 'fibrinogen', 2.51 * 100, { value: 2.51, unit: 'g/L' }, 0],
    ['fibrinogen', 'fibrinogen', 2.5 * 100, { value: 2.5, unit: 'g/L' }, 30],
    ['fibrinogen', 'fibrinogen', 2.49 * 100, { value: 2.49, unit: 'g/L' }, 30],
    // AST: < 30 → 0 · ≥ 30 → 19
    ['ast', 'ast', 29, null, 0],
    ['ast', 'ast', 30, null, 19],
    ['ast', 'ast', 31, null, 19],
  ] as const)('%s %s=%s %j → %s points', (id, analyte, value, original, points) => {
    const x = v(id, [lab(analyte, value, original ? { original } : {})]);
    expect(x.points).toBe(points);
    expect(x.maxPoints).toBe(points);
  });
});

describe('HScore cytopenias: its own thresholds (Hb ≤ 9.2 g/dL, WBC ≤ 5, platelets ≤ 110)', () => {
  it.each([
    // hb (g/dL), wbc, plt, points, maxPoints
    [9.2, 5, 110, 34, 34], // all exactly on the ≤ boundary
    [9.3, 5.1, 111, 0, 0],
    [9.2, 5.1, 111, 0, 0], // 1 lineage → 0 (not 24: public calculators miscount this)
    [9.2, 5, 111, 24, 24],
    [9.2, 5, null, 24, 34], // platelets unknown: could be the third
    [9.2, null, null, 0, 34],
    [null, null, null, 0, 34],
    [12, 8, null, 0, 0], // 2 known normal: cannot reach 2
  ] as const)('hb %s wbc %s plt %s → %s..%s', (hb, wbc, plt, points, max) => {
    const labs = [hb !== null && lab('hemoglobin', hb), wbc !== null && lab('wbc', wbc), plt !== null && lab('platelets', plt)].filter((x): x is LabValue => Boolean(x));
    const c = v('cytopenias', labs);
    expect([c.points, c.maxPoints]).toEqual([points, max]);
  });

  it('Hb 92 g/L reported in g/L is ≤ 9.2 g/dL (float-safe), 93 g/L is not', () => {
    const mk = (gl: number) => lab('hemoglobin', gl * 0.1, { original: { value: gl, unit: 'g/L' } });
    expect(v('cytopenias', [mk(92), lab('wbc', 4), lab('platelets', 300)]).points).toBe(24);
    expect(v('cytopenias', [mk(93), lab('wbc', 4), lab('platelets', 300)]).points).toBe(0);
    // HLH-2004 would not count Hb 9.1 g/dL, HScore does: the thresholds are not shared
    expect(v('cytopenias', [lab('hemoglobin', 9.1), lab('wbc', 4), lab('platelets', 300)]).points).toBe(24);
  });
});

describe('missing data never lowers maxPossible', () => {
  it('empty timeline: score 0, maxPossible 337 (all variables unknown)', () => {
    const r = hs([]);
    expect(r).toMatchObject({ score: 0, maxPossible: 337, maximum: 337, complete: false });
    expect(r.missing).toHaveLength(9);
  });

  it('adding a negative value can lower maxPossible, adding a positive never lowers score', () => {
    const base = hs([lab('ferritin', 8000)]);
    expect(base.score).toBe(50);
    expect(base.maxPossible).toBe(337);
    const moreData = hs([lab('ferritin', 8000), lab('ast', 20)]);
    expect(moreData.maxPossible).toBe(337 - 19);
    expect(moreData.score).toBe(50);
  });

  it('comparator values give a range: "<3000" ferritin → 0..35, ">40000" → 50', () => {
    const lt = v('ferritin', [lab('ferritin', 3000, { comparator: '<' })]);
    expect([lt.points, lt.maxPoints, lt.state]).toEqual([0, 35, 'unknown']);
    const gt = v('ferritin', [lab('ferritin', 40000, { comparator: '>' })]);
    expect([gt.points, gt.maxPoints, gt.state]).toEqual([50, 50, 'met']);
  });

  it('organomegaly: both 38, one 23, one + unknown 23..38; findings and immunosuppression', () => {
    expect(v('organomegaly', [], [finding('splenomegaly'), finding('hepatomegaly')]).points).toBe(38);
    const one = v('organomegaly', [], [finding('splenomegaly')]);
    expect([one.points, one.maxPoints]).toEqual([23, 38]);
    const neg = v('organomegaly', [], [finding('splenomegaly', false), finding('hepatomegaly', false)]);
    expect([neg.points, neg.maxPoints]).toEqual([0, 0]);
    expect(v('immunosuppression', [], [finding('immunosuppression', true, { detail: 'hiv' })]).points).toBe(18);
    expect(v('hemophagocytosis', [], [finding('hemophagocytosis')]).points).toBe(35);
    expect(v('hemophagocytosis', []).maxPoints).toBe(35);
  });

  it('a full worked example: 49+38+34+50+64+30+19+35+18 = 337', () => {
    const r = hs(
      [lab('temperature', 40), lab('hemoglobin', 7), lab('wbc', 1), lab('platelets', 20), lab('ferritin', 20000), lab('triglycerides', 500), lab('fibrinogen', 100), lab('ast', 300)],
      [finding('splenomegaly'), finding('hepatomegaly'), finding('hemophagocytosis'), finding('immunosuppression')],
    );
    expect(r).toMatchObject({ score: 337, maxPossible: 337, complete: true, missing: [] });
    expect(r.probability.display).toBe('>99%');
  });
});

describe('probability per Fardet 2014 table (linear interpolation, labelled)', () => {
  const T = K.criteria.hscore.probabilityTable.value;
  it.each([
    [0, '<1%', 'below-table'],
    [89, '<1%', 'below-table'],
    [90, '<1%', 'table-row'],
    [95, '≤1%', 'interpolated'],
    [100, '1%', 'table-row'],
    [165, '47%', 'interpolated'], // 40 + (54 − 40) × 0.5
    [169, '52.6%', 'interpolated'], // 40 + 14 × 0.9
    [170, '54%', 'table-row'],
    [175, '62%', 'interpolated'],
    [245, '99%', 'interpolated'],
    [250, '>99%', 'table-row'],
    [251, '>99%', 'above-table'],
    [337, '>99%', 'above-table'],
  ] as const)('score %s → %s (%s)', (score, display, method) => {
    const p = probability(score, T);
    expect(p.display).toBe(display);
    expect(p.method).toBe(method);
  });

  it('reports the probability for the max reachable score too, with no wording (the card content words it)', () => {
    const r = hs([lab('ferritin', 8000)]);
    expect(r).not.toHaveProperty('probabilityLabel');
    expect(r.probabilityAtMaxPossible.display).toBe('>99%');
    expect(r.cutoff).toBe(169);
  });
});
