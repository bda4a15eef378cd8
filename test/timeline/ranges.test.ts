/**
 * Reference ranges that are not Quantities: text ranges (used only when they read one way) and the age-banded
 * fallback ranges of the knowledge base.
 */
import { defaultKnowledge, knowledgeSchema } from '../../src/knowledge';
import { createTimelineBuilder } from '../../src/timeline';
import { addAge, parseRangeText, pickBand } from '../../src/timeline/ranges';
import { obs, patient, qty } from './fixtures';

describe('parseRangeText (table)', () => {
  const rows: [string, ReturnType<typeof parseRangeText>][] = [
    ['20-250', { low: 20, high: 250 }],
    ['20 - 250', { low: 20, high: 250 }],
    ['20–250 ng/mL', { low: 20, high: 250, unit: 'ng/mL' }],
    ['20 — 250', { low: 20, high: 250 }],
    ['0.5 to 1.2 mg/dL', { low: 0.5, high: 1.2, unit: 'mg/dL' }],
    ['.3-1.0', { low: 0.3, high: 1 }],
    ['150-400 x10^9/L', { low: 150, high: 400, unit: 'x10^9/L' }],
    ['<35', { high: 35 }],
    ['<35 U/L', { high: 35, unit: 'U/L' }],
    ['< 35U/L', { high: 35, unit: 'U/L' }],
    ['≤ 400', { high: 400 }],
    ['<= 400', { high: 400 }],
    ['>150 mg/dL', { low: 150, unit: 'mg/dL' }],
    ['≥ 1.5 g/L', { low: 1.5, unit: 'g/L' }],
    ['  20 -  250  ', { low: 20, high: 250 }],
    // refused: the fallback applies and the card names the text
    ['1,5-3,0', undefined],
    ['1,000-2,000', undefined],
    ['M: 20-250, F: 10-120', undefined],
    ['250-20', undefined],
    ['-5 - 5', undefined],
    ['normal', undefined],
    ['see report', undefined],
    ['', undefined],
    ['20-', undefined],
    ['<', undefined],
  ];
  test.each(rows)('%j', (text, expected) => {
    expect(parseRangeText(text)).toEqual(expected);
  });
});

describe('text ranges in the timeline', () => {
  const build = createTimelineBuilder(defaultKnowledge);
  const withRange = (text: string, value = qty(100, 'U/L', 'U/L'), code = '1742-6') =>
    build([patient, obs('o1', code, value, { referenceRange: [{ text }] })], { patientId: 'p1' });

  test('a readable text is the lab range, in the value unit when the text has none', () => {
    expect(withRange('0-40').labs.alt?.[0]?.referenceRange).toEqual({ low: 0, high: 40, unit: 'U/L', source: 'lab', text: '0-40' });
    expect(withRange('<35 U/L').labs.alt?.[0]?.referenceRange).toEqual({ high: 35, unit: 'U/L', source: 'lab', text: '<35 U/L' });
  });

  test('the text unit is converted to the canonical unit', () => {
    const t = withRange('2.0-4.0 g/L', qty(120, 'mg/dL', 'mg/dL'), '3255-7');
    expect(t.labs.fibrinogen?.[0]?.referenceRange).toMatchObject({ low: 200, high: 400, unit: 'mg/dL', source: 'lab' });
    const noUnit = withRange('2.0-4.0', qty(1.2, 'g/L', 'g/L'), '3255-7'); // the value's g/L applies to the text
    expect(noUnit.labs.fibrinogen?.[0]?.referenceRange).toMatchObject({ low: 200, high: 400, unit: 'mg/dL', source: 'lab' });
  });

  test('an unreadable text leaves the fallback in place and is kept to be shown', () => {
    const v = withRange('M: 10-50, F: 7-35').labs.alt?.[0];
    expect(v?.referenceRange).toEqual({ low: 0, high: 35, unit: 'U/L', source: 'fallback', population: 'adult' });
    expect(v?.unreadRangeText).toBe('M: 10-50, F: 7-35');
    const unknownUnit = withRange('0-40 furlongs').labs.alt?.[0];
    expect(unknownUnit?.unreadRangeText).toBe('0-40 furlongs');
  });

  test('a text in a unit that cannot convert is "not convertible", as for a Quantity range', () => {
    const t = withRange('0-40 mg/dL');
    expect(t.labs.alt?.[0]?.referenceRange?.source).toBe('fallback');
    expect(t.issues.map((i) => i.code)).toEqual(['reference-range-not-convertible']);
  });

  test('low/high Quantities win over the text', () => {
    const t = build([patient, obs('o1', '1742-6', qty(100, 'U/L', 'U/L'), { referenceRange: [{ low: { value: 5, unit: 'U/L' }, high: { value: 45, unit: 'U/L' }, text: '0-40' }] })], { patientId: 'p1' });
    expect(t.labs.alt?.[0]?.referenceRange).toEqual({ low: 5, high: 45, unit: 'U/L', source: 'lab' });
  });
});

describe('age-banded fallback ranges', () => {
  const birth = Date.UTC(2016, 1, 29); // 29 Feb 2016
  test('addAge steps calendar years and months (UTC), days and weeks exactly', () => {
    expect(new Date(addAge(birth, 18, 'a')).toISOString()).toBe('2034-03-01T00:00:00.000Z'); // no 29 Feb in 2034
    expect(new Date(addAge(Date.UTC(2008, 4, 10), 18, 'a')).toISOString()).toBe('2026-05-10T00:00:00.000Z');
    expect(new Date(addAge(Date.UTC(2026, 0, 31), 1, 'mo')).toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(addAge(birth, 2, 'wk') - birth).toBe(14 * 86_400_000);
    expect(addAge(birth, 3, 'd') - birth).toBe(3 * 86_400_000);
  });

  const bands = [
    { population: 'neonate', age: { high: { value: 28, unit: 'd' as const } }, low: 1, high: 2 },
    { population: 'child', age: { low: { value: 28, unit: 'd' as const }, high: { value: 18, unit: 'a' as const } }, low: 3, high: 4 },
    { population: 'adult', low: 5, high: 6 },
  ];
  const at = (iso: string) => Date.parse(iso);
  test.each([
    ['day 0', '2016-02-29T00:00:00Z', 'neonate'],
    ['day 27', '2016-03-27T23:59:59Z', 'neonate'],
    ['day 28 (low inclusive)', '2016-03-28T00:00:00Z', 'child'],
    ['the day before 18', '2034-02-28T23:59:59Z', 'child'],
    ['18 (high exclusive)', '2034-03-01T00:00:00Z', 'adult'],
  ])('%s → %s', (_l, time, expected) => {
    expect(pickBand(bands, birth, at(time))?.population).toBe(expected);
  });

  test('unknown birth date: only a band without age applies', () => {
    expect(pickBand(bands, undefined, at('2026-01-01T00:00:00Z'))?.population).toBe('adult');
    expect(pickBand(bands.slice(0, 2), undefined, at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  test('a site configures pediatric bands; the timeline picks by age at the value time', () => {
    const k = structuredClone(defaultKnowledge);
    k.analytes.analytes.alt.fallbackRanges = [
      { population: '1–<18 years', age: { low: { value: 1, unit: 'a' }, high: { value: 18, unit: 'a' } }, low: 0, high: 30 },
      { population: 'adult', low: 0, high: 35 },
    ];
    const build = createTimelineBuilder(knowledgeSchema.parse(k));
    const child = { ...patient, birthDate: '2016-05-01' };
    const t = build([child, obs('o1', '1742-6', qty(100, 'U/L', 'U/L'), { effectiveDateTime: '2026-03-01T08:00:00Z' })], { patientId: 'p1' });
    expect(t.labs.alt?.[0]?.referenceRange).toEqual({ low: 0, high: 30, unit: 'U/L', source: 'fallback', population: '1–<18 years' });
    const adult = build([patient, obs('o1', '1742-6', qty(100, 'U/L', 'U/L'))], { patientId: 'p1' });
    expect(adult.labs.alt?.[0]?.referenceRange).toMatchObject({ high: 35, population: 'adult' });
  });

  test('bands are validated', () => {
    const k = structuredClone(defaultKnowledge) as unknown as { analytes: { analytes: { alt: { fallbackRanges: unknown } } } };
    k.analytes.analytes.alt.fallbackRanges = [{ population: 'x', low: 40, high: 30 }];
    expect(() => knowledgeSchema.parse(k)).toThrow(/low must not exceed high/);
    k.analytes.analytes.alt.fallbackRanges = [{ population: 'x', age: { low: { value: 1, unit: 'y' } }, high: 30 }];
    expect(() => knowledgeSchema.parse(k)).toThrow();
  });
});
