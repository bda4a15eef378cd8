import fc from 'fast-check';
import { fill, formatNumber, groupThousands } from '../../src/render/format';
import { escapeMarkdown, escapeMarkdownUncached } from '../../src/render/markdown';

/** formatNumber as it was written with Intl.NumberFormat (the hand-written grouping must agree exactly). */
const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
function formatNumberIntl(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return intl.format(Math.round(v));
  const digits = a >= 10 ? 1 : a >= 1 ? 1 : 2;
  const s = v.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

describe('groupThousands / formatNumber equal Intl en-US', () => {
  const edge = [
    0, -0, 1, 99.999, 99.95, 100, 100.5, 999.5, 999.4999, 1000, 9999.5, 1e6, 1234567.5, 1e15, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1.5e21, 1e300,
    Number.MAX_VALUE, NaN, Infinity, 0.001, 0.005, 2.5, 3.5,
  ];
  it('edge cases, both signs', () => {
    for (const x of edge) {
      for (const v of [x, -x]) {
        expect(formatNumber(v)).toBe(formatNumberIntl(v));
        expect(groupThousands(v)).toBe(intl.format(v));
      }
    }
  });

  it('integers of every length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (len, f, neg) => {
        const n = (neg ? -1 : 1) * Math.floor(f * 10 ** len);
        expect(groupThousands(n)).toBe(intl.format(n));
      }),
      { numRuns: 4_000 },
    );
  });

  it('any double', () => {
    fc.assert(fc.property(fc.double(), (v) => expect(formatNumber(v)).toBe(formatNumberIntl(v))), { numRuns: 4_000 });
    fc.assert(
      fc.property(fc.double({ min: -1e7, max: 1e7, noNaN: true }), (v) => expect(formatNumber(v)).toBe(formatNumberIntl(v))),
      { numRuns: 4_000 },
    );
  });
});

describe('fill (templates split once) equals the regex replacement', () => {
  const reference = (template: string, vars: Record<string, string | number | undefined>): string =>
    template.replace(/\{([a-zA-Z]+)\}/g, (m, name: string) => {
      const v = vars[name];
      return v === undefined ? m : String(v);
    });
  it('random templates', () => {
    const piece = fc.constantFrom('{a}', '{b}', '{day}', '{x1}', '{}', '{', '}', 'text ', '$&', '$1', '{{a}}', '{A}', ' ', 'é');
    const vars = fc.record({ a: fc.option(fc.string(), { nil: undefined }), b: fc.option(fc.integer(), { nil: undefined }), day: fc.constant('$&') });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), vars, (ps, v) => {
        const t = ps.join('');
        expect(fill(t, v)).toBe(reference(t, v));
        expect(fill(t, v)).toBe(reference(t, v)); // cached split
      }),
      { numRuns: 4_000 },
    );
  });
});

describe('escapeMarkdown fast path equals the full escaping', () => {
  const check = (s: string, max?: number) => expect(escapeMarkdown(s, max)).toBe(escapeMarkdownUncached(s, max));
  const tricky = [
    'a', 'Z', '0', '9', ' ', '  ', '.', ',', '/', '%', ':', '-', '#', '+', '=', ')', '(', '[', ']', '\\', '`', '*', '_', '|', '~', '!', '$', '&', '<', '>',
    'www', 'WwW', 'w', '://', 'http', '\t', '\n', '\r', '\u000b', '\u000c', '\u0000', '\u001f', '\u007f', '\u0080', '\u009f', '\u00a0', '\u00a1',
    '×', '⁹', 'µ', '–', '≤', '≥', '°', '→', '↳', '§', '\u1680', '\u180e', '\u2000', '\u200a', '\u200b', '\u200f', '\u2010', '\u2027', '\u2028',
    '\u2029', '\u202a', '\u202e', '\u202f', '\u2030', '\u205e', '\u205f', '\u2060', '\u2066', '\u2069', '\u206f', '\u2070', '\u3000', '\ufeff',
    '\ud83d', '\ude00', '😀', '12.', '1)', 'é',
  ];
  it('fixed cases', () => {
    for (const s of ['', 'ferritin', '20,726 ng/mL', '2026-03-14 08:50Z', '150–400 ×10⁹/L', '0.55', '2026.11.0', '12. x', 'x www.y', 'a://b', ' x', 'x ', 'a  b', '-1', 'Observation/obs-1']) {
      check(s);
      check(s, 3);
    }
  });
  it('random strings of tricky pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tricky), { maxLength: 14 }), fc.constantFrom(undefined, 5, 200), (ps, max) => check(ps.join(''), max)),
      { numRuns: 12_000 },
    );
  });
  it('any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => check(s)), { numRuns: 4_000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => check(s)), { numRuns: 4_000 });
  });
});
