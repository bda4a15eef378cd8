import { defaultKnowledge, knowledgeSchema } from '../../src/knowledge';
import { analyteKnowledgeSchema } from '../../src/knowledge/analytes';
import { exposureKnowledgeSchema } from '../../src/knowledge/exposures';
import { findingKnowledgeSchema } from '../../src/knowledge/findings';
import { ANALYTE_IDS, EXPOSURE_CLASSES, RXNORM } from '../../src/vocabulary';

describe('data-layer knowledge (JSON-overridable, strict)', () => {
  test('defaults survive a JSON round trip through the schemas', () => {
    const json = JSON.parse(JSON.stringify(defaultKnowledge));
    expect(knowledgeSchema.parse(json)).toEqual(defaultKnowledge);
  });

  test('every analyte and every exposure class is configured', () => {
    expect(Object.keys(defaultKnowledge.analytes.analytes).sort()).toEqual([...ANALYTE_IDS].sort());
    expect(Object.keys(defaultKnowledge.exposures.windows).sort()).toEqual([...EXPOSURE_CLASSES].sort());
  });

  test('no code maps to two analytes', () => {
    const seen = new Map<string, string>();
    for (const [id, def] of Object.entries(defaultKnowledge.analytes.analytes)) {
      for (const c of def.codes) {
        const key = `${c.system}|${c.code}`;
        expect(seen.get(key)).toBeUndefined();
        seen.set(key, id);
      }
    }
  });

  test('only the four RxNorm codes §6 confirms are listed', () => {
    const codes = defaultKnowledge.exposures.agents.flatMap((a) => a.codes.map((c) => [a.agent, c.system, c.code]));
    expect(codes.sort()).toEqual(
      [
        ['blinatumomab', RXNORM, '1597258'],
        ['ibrutinib', RXNORM, '1442981'],
        ['nivolumab', RXNORM, '1597876'],
        ['pembrolizumab', RXNORM, '1547545'],
      ].sort(),
    );
    expect(defaultKnowledge.analytes.analytes.scd25.codes).toEqual([]);
  });

  test('windows carry the §6 [design] values', () => {
    const w = defaultKnowledge.exposures.windows;
    expect(w['car-t'].closeAfter).toEqual({ value: 100, unit: 'd' });
    expect(w['t-cell-engager']).toMatchObject({ closeFrom: 'last', closeAfter: { value: 90, unit: 'd' }, openWhileOngoing: true });
    expect(w['checkpoint-inhibitor']).toMatchObject({ closeFrom: 'last', closeAfter: { value: 26, unit: 'wk' } });
    expect(w['btk-inhibitor']).toMatchObject({ closeFrom: 'last', closeAfter: { value: 90, unit: 'd' } });
    expect(w.lamotrigine).toMatchObject({ closeFrom: 'start', closeAfter: { value: 8, unit: 'wk' }, reopenOnDoseIncrease: true });
    expect(w['tmp-smx']).toMatchObject({ closeFrom: 'start', closeAfter: { value: 8, unit: 'wk' } });
  });

  test('typos and malformed overrides are rejected', () => {
    const a = structuredClone(defaultKnowledge.analytes);
    expect(analyteKnowledgeSchema.safeParse({ ...a, unitAlias: {} }).success).toBe(false);
    const both = structuredClone(a);
    both.analytes.creatinine.conversions = [{ fromUnit: 'umol/L', multiplyBy: 1, divideBy: 2 }];
    expect(analyteKnowledgeSchema.safeParse(both).success).toBe(false);
    const f = structuredClone(defaultKnowledge.findings);
    expect(findingKnowledgeSchema.safeParse({ ...f, codes: [{ system: 's', code: 'c', kinds: ['spleen'] }] }).success).toBe(false);
    const e = structuredClone(defaultKnowledge.exposures);
    expect(exposureKnowledgeSchema.safeParse({ ...e, windows: { ...e.windows, 'car-t': { ...e.windows['car-t'], closeAfter: { value: 100, unit: 'days' } } } }).success).toBe(false);
  });
});
