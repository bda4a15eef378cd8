import { clean, compare, fromComparator, point, satisfies } from '../../src/criteria/interval';

describe('interval comparisons (comparator soundness)', () => {
  it.each([
    // [value, comparator, op, bound, expected] — a comparator value decides only when every possible value agrees
    [40000, '>', '>', 800, true], // ">40000" proves "> 2 × ULN"
    [500, '>', '>=', 500, true],
    [500, '>=', '>=', 500, true],
    [500, '<', '>=', 500, false], // "<500" disproves "≥ 500"
    [500, '<=', '>=', 500, undefined], // could be exactly 500
    [3000, '<', '>', 2000, undefined], // "<3000" cannot prove "> 2000"
    [100, '<', '>', 2000, false],
    [50, '<', '<', 150, true], // "<50" proves "< 150"
    [150, '<', '<', 150, true],
    [150, '<=', '<', 150, undefined],
    [150, undefined, '<', 150, false],
    [150, undefined, '<=', 150, true],
  ] as const)('%s%s %s %s → %s', (v, c, op, b, exp) => {
    expect(compare(fromComparator(v, c), op, point(b))).toBe(exp);
  });

  it('cleans float noise from unit conversion', () => {
    expect(92 * 0.1).not.toBe(9.2);
    expect(clean(92 * 0.1)).toBe(9.2);
    expect(satisfies(fromComparator(92 * 0.1), { lte: 9.2 })).toBe(true);
  });

  it('two-sided predicates', () => {
    expect(satisfies(point(38.4), { gte: 38.4, lte: 39.4 })).toBe(true);
    expect(satisfies(point(39.4), { gte: 38.4, lte: 39.4 })).toBe(true);
    expect(satisfies(point(39.41), { gte: 38.4, lte: 39.4 })).toBe(false);
    expect(satisfies(fromComparator(39, '>'), { gte: 38.4, lte: 39.4 })).toBeUndefined();
  });
});
