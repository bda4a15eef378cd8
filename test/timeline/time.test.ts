/**
 * toEpochMs reads the common ISO shape by hand (no regex, no Date.parse) and falls back to the general
 * parser for everything else: the two must agree on every string, valid or not.
 */
import fc from 'fast-check';
import { toEpochMs, toEpochMsReference } from '../../src/timeline/time';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
// Components over and past their valid ranges, so both accepted and refused strings are produced.
const isoLike = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.integer({ min: 0, max: 61 }),
    frac: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{0,7}$/)),
    zone: fc.oneof(
      fc.constantFrom('', 'Z', 'z', '+00:00', '-00:00', '+14:00', '-12:30', '+24:00', '-00:60', '+5:00', '+0500'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([sg, h, m]) => `${sg}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map(({ y, mo, d, h, mi, s, frac, zone }) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}${zone}`);

describe('toEpochMs (fast path) equals toEpochMsReference', () => {
  it.each([
    ['2026-03-15T12:00:00Z', Date.UTC(2026, 2, 15, 12)],
    ['2026-03-15T12:00:00.5Z', Date.UTC(2026, 2, 15, 12, 0, 0, 500)],
    ['2026-03-15T12:00:00.123Z', Date.UTC(2026, 2, 15, 12, 0, 0, 123)],
    ['2026-03-15T12:00:00.123456Z', Date.UTC(2026, 2, 15, 12, 0, 0, 123)],
    ['2026-03-15T12:00:00+02:00', Date.UTC(2026, 2, 15, 10)],
    ['2026-03-15T12:00:00-05:30', Date.UTC(2026, 2, 15, 17, 30)],
    ['2026-03-15T12:00:00', Date.UTC(2026, 2, 15, 12)],
    ['2026-02-31T00:00:00Z', Date.parse('2026-02-31T00:00:00Z')],
    ['2026-01-01T24:00:00Z', Date.UTC(2026, 0, 2)],
    ['2026-04-31T00:00:00Z', Date.UTC(2026, 4, 1)],
    ['2026-02-30T10:00:00+01:00', Date.UTC(2026, 2, 2, 9)],
    ['2026-03-15', Date.UTC(2026, 2, 15)],
    ['2026-03', Date.UTC(2026, 2, 1)],
    ['2026', Date.UTC(2026, 0, 1)],
    ['2026-13-01T00:00:00Z', undefined],
    ['2026-01-01T23:60:00Z', undefined],
    ['2026-01-01T00:00:00+24:00', undefined],
    ['2026-01-01T00:00:00.Z', undefined],
    ['2026-01-01T00:00:00Zjunk', undefined],
    ['', undefined],
    ['not a date', undefined],
  ])('%s', (text, expected) => {
    expect(toEpochMs(text)).toBe(expected);
    expect(toEpochMs(text)).toBe(toEpochMsReference(text));
  });

  it('agrees on generated date-times, valid and invalid', () => {
    fc.assert(fc.property(isoLike, (text) => toEpochMs(text) === toEpochMsReference(text)), { numRuns: 20_000 });
  });

  it('agrees on arbitrary strings and on the generated ones cut or extended', () => {
    fc.assert(
      fc.property(isoLike, fc.nat({ max: 30 }), fc.string({ maxLength: 3 }), (text, cut, extra) => {
        const variant = text.slice(0, cut) + extra;
        return toEpochMs(variant) === toEpochMsReference(variant) && toEpochMs(extra) === toEpochMsReference(extra);
      }),
      { numRuns: 20_000 },
    );
  });
});
