/**
 * OHI (§5 [confirmed]: sCD25 > 3,900 U/mL and ferritin > 1,000 ng/mL), exposure windows (§6 [design], from
 * knowledge.exposures.windows), trends ([design]: 48 h change), knowledge overrides, and properties:
 * missing data never lowers HScore maxPossible; values after asOf never change the result.
 */
import fc from 'fast-check';
import { assess } from '../../src/criteria';
import { applyKnowledgeOverride } from '../../src/knowledge/load';
import type { LabValue } from '../../src/timeline/types';
import { ASOF, K, dAgo, exposure, knowledgeWith, lab, timeline } from './helpers';

describe('OHI boundaries (§5)', () => {
  it.each([
    [3900, 1001, 'not-met'],
    [3901, 1001, 'met'],
    [3901, 1000, 'not-met'],
    [3899, 5000, 'not-met'],
    [3901, null, 'unknown'],
    [null, 1001, 'unknown'],
    [null, 900, 'not-met'], // ferritin disproves the AND even with sCD25 unknown
  ] as const)('sCD25 %s, ferritin %s → %s', (s, f, exp) => {
    const labs = [s !== null && lab('scd25', s), f !== null && lab('ferritin', f)].filter((x): x is LabValue => Boolean(x));
    expect(assess(timeline({ labs }), ASOF, K).ohi.state).toBe(exp);
  });
});

describe('exposure windows (§6, knowledge.exposures.windows)', () => {
  const run = (e: ReturnType<typeof exposure>) => assess(timeline({ exposures: [e] }), ASOF, K).exposure;
  it.each([
    ['CAR T day 100', exposure('car-t', 'tisagenlecleucel', 100), true],
    ['CAR T day 101', exposure('car-t', 'tisagenlecleucel', 101), false],
    ['ICI 26 wk after last dose', exposure('checkpoint-inhibitor', 'nivolumab', 300, { last: dAgo(182) }), true],
    ['ICI 26 wk + 1 d after last dose', exposure('checkpoint-inhibitor', 'nivolumab', 300, { last: dAgo(183) }), false],
    ['lamotrigine 8 wk', exposure('lamotrigine', 'lamotrigine', 56), true],
    ['lamotrigine 8 wk + 1 d', exposure('lamotrigine', 'lamotrigine', 57), false],
    ['lamotrigine reopened by dose increase', exposure('lamotrigine', 'lamotrigine', 200, { doseIncreases: [dAgo(10)] }), true],
    ['ibrutinib ongoing', exposure('btk-inhibitor', 'ibrutinib', 400, { last: dAgo(300), ongoing: true }), true],
    ['ibrutinib stopped 91 d ago', exposure('btk-inhibitor', 'ibrutinib', 400, { last: dAgo(91), ongoing: false }), false],
    ['future start', exposure('car-t', 'tisagenlecleucel', -2), false],
  ] as const)('%s → in window %s', (_n, e, exp) => {
    const r = run(e);
    expect(r.all[0]!.inWindow).toBe(exp);
    expect(r.status).toBe(exp ? 'in-window' : 'outside-window');
  });

  it('day counts are calendar days from day 0; lamotrigine day 0 is the latest dose increase', () => {
    expect(run(exposure('car-t', 'axicabtagene ciloleucel', 12)).primary).toMatchObject({ daysSince: 12, syndrome: 'iec-hs' });
    expect(run(exposure('lamotrigine', 'lamotrigine', 200, { doseIncreases: [dAgo(10)] })).primary).toMatchObject({ daysSince: 10, day0: dAgo(10) });
  });

  it('undated exposures are reported, never in window', () => {
    const e = exposure('car-t', 'tisagenlecleucel', 1);
    delete e.start;
    expect(run(e).all[0]).toMatchObject({ inWindow: false, windowReason: 'no-start-date' });
  });

  it('IEC classes are primary over drug exposures', () => {
    const a = assess(timeline({ exposures: [exposure('checkpoint-inhibitor', 'pembrolizumab', 3), exposure('t-cell-engager', 'teclistamab', 20, { ongoing: true })] }), ASOF, K);
    expect(a.exposure.primary!.agent).toBe('teclistamab');
    expect(a.syndrome).toBe('iec-hs');
  });

  it('uses the site-configured window (override recorded)', () => {
    const k = knowledgeWith((x) => {
      x.exposures.windows['car-t'].closeAfter = { value: 30, unit: 'd' };
    });
    const a = assess(timeline({ exposures: [exposure('car-t', 'tisagenlecleucel', 40)] }), ASOF, k);
    expect(a.exposure.status).toBe('outside-window');
    expect(a.knowledge.overrides).toEqual(['exposures.windows.car-t.closeAfter.value']);
  });
});

describe('trends', () => {
  it('latest, most abnormal, 48 h change, comparator approximate', () => {
    const a = assess(timeline({ labs: [lab('platelets', 90, { h: 100 }), lab('platelets', 60, { h: 47 }), lab('platelets', 30, { h: 20 }), lab('platelets', 45, { h: 1 })] }), ASOF, K);
    const t = a.trends.items.find((x) => x.analyte === 'platelets')!;
    expect(t.latest!.value).toBe(45);
    expect(t.mostAbnormal!.value).toBe(30);
    expect(t.change48h).toMatchObject({ from: { value: 60 }, to: { value: 45 }, absolute: -15, ratio: 0.75, approximate: false });
    expect(t.points).toHaveLength(4);
  });
  it('CRS-divergence is unknown when CRP or IL-6 has no 48 h change', () => {
    const a = assess(timeline({ labs: [lab('ferritin', 1000, { h: 30 }), lab('ferritin', 3000, { h: 1 }), lab('crp', 100, { h: 30 }), lab('crp', 50, { h: 1 })] }), ASOF, K);
    expect(a.trends.crsDivergence).toMatchObject({ state: 'unknown', ferritin: 'rising', crp: 'falling' });
  });
});

describe('knowledge version and overrides', () => {
  it("lists the loader's changed paths, never `overrides` itself", () => {
    const k = applyKnowledgeOverride({ criteria: { iecHs: { rapidRise: { factor: { value: 3 } } }, lookback: { labHours: { value: 96 } } } });
    const a = assess(timeline(), ASOF, k);
    expect(a.knowledge.overrides).toEqual(['criteria.iecHs.rapidRise.factor.value', 'criteria.lookback.labHours.value']);
    expect(a.knowledge.version).toBe(`${K.version}+site`);
    expect(assess(timeline(), ASOF, K).knowledge.overrides).toEqual([]);
  });
  it('rejects an asOf that is not a date-time', () => {
    expect(() => assess(timeline(), 'yesterday', K)).toThrow(/asOf/);
  });
});

describe('properties', () => {
  const analytes = ['ferritin', 'temperature', 'hemoglobin', 'wbc', 'platelets', 'triglycerides', 'fibrinogen', 'ast'] as const;
  const labArb = fc.record({
    analyte: fc.constantFrom(...analytes),
    value: fc.double({ min: 0, max: 50000, noNaN: true }),
    h: fc.integer({ min: 0, max: 200 }),
    comparator: fc.constantFrom(undefined, '<', '>', '<=', '>='),
  });
  const toLab = (x: { analyte: (typeof analytes)[number]; value: number; h: number; comparator: '<' | '>' | '<=' | '>=' | undefined }) =>
    lab(x.analyte, x.value, { h: x.h, ...(x.comparator ? { comparator: x.comparator } : {}) });

  it('removing data never lowers HScore maxPossible and never raises the score', () => {
    fc.assert(
      fc.property(fc.array(labArb, { maxLength: 12 }), fc.integer({ min: 0, max: 11 }), (xs, drop) => {
        const labs = xs.map(toLab);
        const full = assess(timeline({ labs }), ASOF, K).hscore;
        const fewer = assess(timeline({ labs: labs.filter((_, i) => i !== drop) }), ASOF, K).hscore;
        expect(full.score).toBeLessThanOrEqual(full.maxPossible);
        expect(fewer.maxPossible).toBeGreaterThanOrEqual(full.score);
        // with fewer values the proven score can only drop; the reachable top never falls below what the full data proves
        expect(fewer.score).toBeLessThanOrEqual(full.score);
      }),
      { numRuns: 150 },
    );
  });

  it('HLH-2004 counts are consistent and values after asOf change nothing', () => {
    fc.assert(
      fc.property(fc.array(labArb, { maxLength: 10 }), fc.array(labArb, { maxLength: 5 }), (xs, future) => {
        const past = xs.map(toLab); // built once: sources must be identical in both runs
        const base = assess(timeline({ labs: past }), ASOF, K);
        const withFuture = assess(timeline({ labs: [...past, ...future.map((f) => toLab({ ...f, h: -1 - f.h }))] }), ASOF, K);
        const { met, notMet, unknown } = base.hlh2004;
        expect(met + notMet + unknown).toBe(8);
        const strip = (a: typeof base) => JSON.stringify({ ...a, dataIssues: [] });
        expect(strip(withFuture)).toBe(strip(base));
      }),
      { numRuns: 100 },
    );
  });
});
