import fc from 'fast-check';
import { clean } from '../../src/criteria/interval';

/** The definition clean() implements (its fast paths must agree with it exactly, -0 included). */
const reference = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(12)) : x);

describe('clean: fast paths equal Number(x.toPrecision(12))', () => {
  const check = (x: number) => {
    if (!Object.is(clean(x), reference(x))) throw new Error(`clean(${x}) = ${clean(x)}, expected ${reference(x)}`);
  };

  it('fixed edge cases', () => {
    for (const x of [
      0, -0, 1, -1, 0.1, 0.2, 0.1 + 0.2, 92 * 0.1, 9.2, 38.5, 0.456, 99.999, 100, 999.5, 1e6, 1e12, 1e12 - 0.5, 999999999999.5,
      1e21, 1e-7, 1.5e-7, 5e-324, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 2 ** 53, 2 ** 53 + 2, 0.30000000000000004,
      123456.789012, 123456.7890123, 1234567.890125, 2.4 * 17.1, 1.6 / 88.57, 120 / 88.57, NaN, Infinity, -Infinity,
    ]) {
      check(x);
      check(-x);
    }
  });

  it('short decimals and their float-noise neighbours', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2e12, max: 2e12 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: -3, max: 3 }), (n, k, ulps) => {
        let x = n / 10 ** k;
        for (let i = 0; i < Math.abs(ulps); i++) x = ulps > 0 ? x + Math.abs(x) * Number.EPSILON : x - Math.abs(x) * Number.EPSILON;
        check(x);
      }),
      { numRuns: 200_000 },
    );
  });

  it('products and quotients as unit conversion makes them', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constantFrom(0.1, 10, 17.1, 1 / 17.1, 88.57, 1 / 88.57, 0.0113, 2.5), (v, f) => {
        check(Math.round(v * 100) / 100 * f);
        check(v * f);
      }),
      { numRuns: 100_000 },
    );
  });

  it('any double', () => {
    fc.assert(fc.property(fc.double(), (x) => check(x)), { numRuns: 100_000 });
  });
});
