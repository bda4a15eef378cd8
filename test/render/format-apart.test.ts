import { formatNumberApart, formatValue } from '../../src/render/format';

describe('formatNumberApart: a value never rounds onto (or across) its threshold (clinical review finding 8)', () => {
  it.each([
    [149.6, 150, '149.6'],
    [99.96, 100, '99.96'],
    [8.96, 9, '8.96'],
    [150.4, 150, '150.4'],
    [1999.7, 2000, '1,999.7'],
    [149.99999, 150, '149.99999'],
    [150, 150, '150'],
    [120, 150, '120'],
    [24500, 500, '24,500'],
    [8.5, undefined, '8.5'],
  ])('%p vs %p → %p', (v, bound, want) => {
    expect(formatNumberApart(v, bound)).toBe(want);
  });

  it('formatValue keeps the old output without a bound', () => {
    expect(formatValue(149.6, 'mg/dL')).toBe('150 mg/dL');
    expect(formatValue(149.6, 'mg/dL', undefined, 150)).toBe('149.6 mg/dL');
  });
});
