/**
 * HLH-2004 (Henter 2007) boundaries — source: Henter 2007 (HLH-2004) [confirmed]. Operators exactly as
 * §3: fever ≥ 38.5 °C; Hb < 90 g/L (< 100 g/L under 4 weeks); platelets < 100 × 10⁹/L; ANC < 1.0 × 10⁹/L;
 * fasting TG ≥ 3.0 mmol/L (≥ 265 mg/dL); fibrinogen ≤ 1.5 g/L (≤ 150 mg/dL); ferritin ≥ 500; sCD25 ≥ 2,400 U/mL.
 */
import { assess } from '../../src/criteria';
import type { CriterionItem } from '../../src/criteria/types';
import type { LabValue } from '../../src/timeline/types';
import { ASOF, K, dAgo, finding, knowledgeWith, lab, timeline, type LabOpts } from './helpers';

function hlh(labs: LabValue[], findings = [] as ReturnType<typeof finding>[], k = K, birthDate?: string) {
  return assess(timeline({ labs, findings, ...(birthDate ? { birthDate } : {}) }), ASOF, k).hlh2004;
}
function itemOf(id: string, labs: LabValue[], opts: { birthDate?: string; k?: typeof K } = {}): CriterionItem {
  const r = hlh(labs, [], opts.k ?? K, opts.birthDate);
  const top = id.split('.')[0]!;
  const parent = r.items.find((i) => i.id === top)!;
  return id.includes('.') ? parent.components!.find((c) => c.id === id)! : parent;
}

/** Canonical value + the same value as reported in another unit (original), for both unit systems. */
const asG_L = (gdl: number, gl: number): [number, LabOpts] => [gdl, { original: { value: gl, unit: 'g/L' } }];

describe('HLH-2004 single-value criteria at, above and below each boundary (§3)', () => {
  it.each([
    // id, analyte, canonical value, opts, expected
    ['fever', 'temperature', 38.5, {}, 'met'], // ≥ 38.5 °C
    ['fever', 'temperature', 38.4, {}, 'not-met'],
    ['fever', 'temperature', 38.6, {}, 'met'],
    ['ferritin', 'ferritin', 500, {}, 'met'], // ≥ 500
    ['ferritin', 'ferritin', 499, {}, 'not-met'],
    ['ferritin', 'ferritin', 501, {}, 'met'],
    ['ferritin', 'ferritin', 500, { original: { value: 500, unit: 'ug/L' } }, 'met'], // µg/L system
    ['ferritin', 'ferritin', 499.9, { original: { value: 499.9, unit: 'ug/L' } }, 'not-met'],
    ['scd25', 'scd25', 2400, {}, 'met'], // ≥ 2,400 U/mL
    ['scd25', 'scd25', 2399, {}, 'not-met'],
    ['scd25', 'scd25', 2401, {}, 'met'],
    ['triglycerides-fibrinogen.fibrinogen', 'fibrinogen', 150, {}, 'met'], // ≤ 150 mg/dL
    ['triglycerides-fibrinogen.fibrinogen', 'fibrinogen', 151, {}, 'not-met'],
    ['triglycerides-fibrinogen.fibrinogen', 'fibrinogen', 149, {}, 'met'],
    ['triglycerides-fibrinogen.fibrinogen', 'fibrinogen', 1.5 * 100, { original: { value: 1.5, unit: 'g/L' } }, 'met'], // ≤ 1.5 g/L
    ['triglycerides-fibrinogen.fibrinogen', 'fibrinogen', 1.51 * 100, { original: { value: 1.51, unit: 'g/L' } }, 'not-met'],
    ['triglycerides-fibrinogen.fibrinogen', 'fibrinogen', 1.49 * 100, { original: { value: 1.49, unit: 'g/L' } }, 'met'],
    ['cytopenias.platelets', 'platelets', 100, {}, 'not-met'], // < 100
    ['cytopenias.platelets', 'platelets', 99, {}, 'met'],
    ['cytopenias.platelets', 'platelets', 101, {}, 'not-met'],
    ['cytopenias.platelets', 'platelets', 100, { original: { value: 100, unit: '10*3/uL' } }, 'not-met'],
    ['cytopenias.anc', 'anc', 1.0, {}, 'not-met'], // < 1.0
    ['cytopenias.anc', 'anc', 0.99, {}, 'met'],
    ['cytopenias.anc', 'anc', 1.01, {}, 'not-met'],
    ['cytopenias.hemoglobin', 'hemoglobin', 9.0, {}, 'not-met'], // < 90 g/L = 9.0 g/dL
    ['cytopenias.hemoglobin', 'hemoglobin', 8.9, {}, 'met'],
    ['cytopenias.hemoglobin', 'hemoglobin', 9.1, {}, 'not-met'],
    ['cytopenias.hemoglobin', 'hemoglobin', ...asG_L(90 * 0.1, 90), 'not-met'], // g/L system, float-converted canonical
    ['cytopenias.hemoglobin', 'hemoglobin', ...asG_L(89 * 0.1, 89), 'met'],
    ['cytopenias.hemoglobin', 'hemoglobin', ...asG_L(91 * 0.1, 91), 'not-met'],
  ] as const)('%s: %s %s %j → %s', (id, analyte, value, opts, expected) => {
    expect(itemOf(id, [lab(analyte, value, opts as LabOpts)]).state).toBe(expected);
  });
});

describe('fasting triglycerides (§3 #4): judgement call', () => {
  const fastingCode = { system: 'urn:test', code: 'tg-fasting' };
  const kFasting = knowledgeWith((k) => {
    k.criteria.hlh2004.triglyceridesFastingCodes.value = ['urn:test|tg-fasting'];
  });
  it.each([
    // mg/dL system: ≥ 265
    [265, {}, 'met'],
    [264.9, {}, 'not-met'],
    [266, {}, 'met'],
    // mmol/L system: ≥ 3.0 (2.995 mmol/L = 265.27 mg/dL canonical, still < 3.0 in its own system)
    [3.0 * 88.57, { original: { value: 3.0, unit: 'mmol/L' } }, 'met'],
    [2.995 * 88.57, { original: { value: 2.995, unit: 'mmol/L' } }, 'not-met'],
    [3.01 * 88.57, { original: { value: 3.01, unit: 'mmol/L' } }, 'met'],
  ] as const)('fasting-coded %s %j → %s', (v, o, exp) => {
    const it = itemOf('triglycerides-fibrinogen.triglycerides', [lab('triglycerides', v, { ...o, code: fastingCode })], { k: kFasting });
    expect(it.state).toBe(exp);
  });

  it('unknown fasting state: above threshold is unknown (fasting-unknown), below is not-met', () => {
    const above = itemOf('triglycerides-fibrinogen.triglycerides', [lab('triglycerides', 400)]);
    expect(above).toMatchObject({ state: 'unknown', reason: 'fasting-unknown' });
    expect(above.flags).toContain('fasting-unknown');
    const below = itemOf('triglycerides-fibrinogen.triglycerides', [lab('triglycerides', 200)]);
    expect(below.state).toBe('not-met');
    expect(below.flags).toContain('fasting-unknown');
  });

  it('site policy treat-as-fasting counts a non-fasting value', () => {
    const k = knowledgeWith((x) => {
      x.criteria.hlh2004.triglyceridesUnknownFasting.value = 'treat-as-fasting';
    });
    expect(itemOf('triglycerides-fibrinogen.triglycerides', [lab('triglycerides', 400)], { k }).state).toBe('met');
  });

  it('fibrinogen ≤ 150 meets the combined criterion even when TG fasting is unknown', () => {
    expect(itemOf('triglycerides-fibrinogen', [lab('triglycerides', 400), lab('fibrinogen', 120)]).state).toBe('met');
    expect(itemOf('triglycerides-fibrinogen', [lab('triglycerides', 400), lab('fibrinogen', 300)]).state).toBe('unknown');
    expect(itemOf('triglycerides-fibrinogen', [lab('triglycerides', 200), lab('fibrinogen', 300)]).state).toBe('not-met');
    expect(itemOf('triglycerides-fibrinogen', [lab('fibrinogen', 300)]).state).toBe('unknown'); // TG missing
  });
});

describe('cytopenias need ≥ 2 of 3 lineages (§3 #3); unknown lineages are not "not met"', () => {
  const low = { hb: lab('hemoglobin', 8.0), plt: lab('platelets', 50), anc: lab('anc', 0.5) };
  const ok = { hb: lab('hemoglobin', 12), plt: lab('platelets', 200), anc: lab('anc', 3) };
  it.each([
    ['2 met', [low.hb, low.plt], 'met'],
    ['3 met', [low.hb, low.plt, low.anc], 'met'],
    ['1 met + 1 unknown', [low.hb, ok.plt], 'unknown'], // ANC unknown could be the 2nd lineage
    ['1 met + 2 unknown', [low.hb], 'unknown'],
    ['0 met + 2 unknown', [ok.hb], 'unknown'],
    ['1 met + 2 not-met', [low.hb, ok.plt, ok.anc], 'not-met'],
    ['0 met + 1 unknown', [ok.hb, ok.plt], 'not-met'],
    ['nothing', [], 'unknown'],
  ] as const)('%s → %s', (_n, labs, exp) => {
    expect(itemOf('cytopenias', [...labs]).state).toBe(exp);
  });

  it('a comparator lineage that cannot decide stays unknown', () => {
    // "<150" platelets could be ≥ 100 → unknown; with Hb met → still unknown overall
    const it = itemOf('cytopenias', [low.hb, lab('platelets', 150, { comparator: '<' }), ok.anc]);
    expect(it.state).toBe('unknown');
    expect(it.components!.find((c) => c.id === 'cytopenias.platelets')!.reason).toBe('comparator-inconclusive');
  });

  it('hemoglobin < 100 g/L under 4 weeks of age when birthDate is known', () => {
    const neonate = dAgo(20);
    const it = itemOf('cytopenias.hemoglobin', [lab('hemoglobin', 9.5)], { birthDate: neonate.slice(0, 10) });
    expect(it.state).toBe('met');
    expect(it.flags).toContain('age-adjusted');
    expect(itemOf('cytopenias.hemoglobin', [lab('hemoglobin', 10.0)], { birthDate: neonate.slice(0, 10) }).state).toBe('not-met');
    expect(itemOf('cytopenias.hemoglobin', [lab('hemoglobin', 9.5)], { birthDate: dAgo(29).slice(0, 10) }).state).toBe('not-met');
    expect(itemOf('cytopenias.hemoglobin', [lab('hemoglobin', 9.5)]).state).toBe('not-met'); // birthDate unknown → adult
  });
});

describe('counting and reachability', () => {
  it('no data at all: 0 met, 8 unknown, reachable — never not-met', () => {
    const r = hlh([]);
    expect(r).toMatchObject({ met: 0, notMet: 0, unknown: 8, total: 8, required: 5, status: 'reachable' });
    expect(r.items.map((i) => i.id)).toEqual(['fever', 'splenomegaly', 'cytopenias', 'triglycerides-fibrinogen', 'hemophagocytosis', 'nk-activity', 'ferritin', 'scd25']);
    expect(r.items.every((i) => i.reason === 'no-data' || i.reason === 'lineages-unknown' || i.reason === 'arms-unknown')).toBe(true);
  });

  it('5 met → reached; 4 not-met → impossible', () => {
    const labs = [lab('temperature', 39), lab('hemoglobin', 8), lab('platelets', 40), lab('fibrinogen', 100), lab('ferritin', 5000), lab('scd25', 5000)];
    const r = hlh(labs, [finding('splenomegaly')]);
    expect(r.met).toBe(6);
    expect(r.status).toBe('reached');
    const neg = hlh([lab('temperature', 37), lab('hemoglobin', 13), lab('platelets', 250), lab('anc', 4), lab('ferritin', 100)], [finding('splenomegaly', false)]);
    expect(neg.notMet).toBe(4);
    expect(neg.status).toBe('impossible');
  });

  it('documented negative findings are not-met; absent records unknown (§7)', () => {
    const r = hlh([], [finding('hemophagocytosis', false), finding('nk-activity-low', true)]);
    expect(r.items.find((i) => i.id === 'hemophagocytosis')!.state).toBe('not-met');
    expect(r.items.find((i) => i.id === 'nk-activity')!.state).toBe('met');
    expect(r.items.find((i) => i.id === 'splenomegaly')!.state).toBe('unknown');
  });

  it('sCD25 in pg/mL is not converted: unknown (unit-not-evaluable)', () => {
    const r = assess(
      timeline({ notEvaluable: [{ analyte: 'scd25', reason: 'pg/mL', time: dAgo(1), original: { value: 9000, unit: 'pg/mL' }, source: 'Observation/s' }] }),
      ASOF,
      K,
    ).hlh2004;
    expect(r.items.find((i) => i.id === 'scd25')).toMatchObject({ state: 'unknown', reason: 'unit-not-evaluable', sources: ['Observation/s'] });
  });

  it('lookbacks: labs 7 days, temperature 72 h; values after asOf are never read', () => {
    expect(itemOf('ferritin', [lab('ferritin', 900, { h: 7 * 24 + 1 })]).state).toBe('unknown');
    expect(itemOf('ferritin', [lab('ferritin', 900, { h: 7 * 24 })]).state).toBe('met');
    expect(itemOf('fever', [lab('temperature', 39, { h: 73 })]).state).toBe('unknown');
    expect(itemOf('fever', [lab('temperature', 39, { h: 71 })]).state).toBe('met');
    const future = assess(timeline({ labs: [lab('ferritin', 90000, { h: -1 })] }), ASOF, K);
    expect(future.hlh2004.items.find((i) => i.id === 'ferritin')!.state).toBe('unknown');
    expect(future.dataIssues.map((d) => d.code)).toContain('values-after-asof-ignored');
  });

  it('most abnormal value in the criterion direction counts, with provenance', () => {
    const it = itemOf('ferritin', [lab('ferritin', 300, { h: 50, source: 'Observation/a' }), lab('ferritin', 800, { h: 30, source: 'Observation/b' }), lab('ferritin', 450, { h: 2, source: 'Observation/c' })]);
    expect(it).toMatchObject({ state: 'met', value: 800, unit: 'ng/mL', sources: ['Observation/b'], reason: 'threshold-met' });
    expect(it.threshold).toMatchObject({ operator: '>=', value: 500, basis: 'absolute', status: 'confirmed' });
  });

  it('comparator values: ">40000" meets ≥ 500; "<300" disproves; "<=500" is unknown', () => {
    expect(itemOf('ferritin', [lab('ferritin', 40000, { comparator: '>' })]).state).toBe('met');
    expect(itemOf('ferritin', [lab('ferritin', 300, { comparator: '<' })]).state).toBe('not-met');
    expect(itemOf('ferritin', [lab('ferritin', 500, { comparator: '<=' })])).toMatchObject({ state: 'unknown', reason: 'comparator-inconclusive' });
  });
});
