/**
 * Three-valued comparisons over intervals. A laboratory value is an interval of possible true values: a plain
 * value is a point, `>40000` is (40000, ∞), `<5` is (−∞, 5). A comparison is `true` when it holds for every
 * value in the interval, `false` when it holds for none, and `undefined` (unknown) otherwise. This is what
 * makes comparator values sound: `>40000` proves "> 2 × ULN", `<5` can never prove a ">" criterion.
 */
import type { Comparator } from '../timeline/types';
import type { ThresholdOperator } from './types';

export interface Interval {
  lo: number;
  loIncl: boolean;
  hi: number;
  hiIncl: boolean;
}

export type Tri = boolean | undefined;

/** Removes binary floating-point noise from converted values (92 g/L × 0.1 = 9.200000000000001 → 9.2). */
export function clean(x: number): number {
  // Integers below 1e12 print exactly in 12 significant digits: toPrecision would give them back unchanged
  // (0 excluded: -0 comes back as +0 through the string).
  if (Number.isInteger(x) && x !== 0 && x < 1e12 && x > -1e12) return x;
  if (!Number.isFinite(x)) return x;
  // Short decimals (38.5, 9.2, 0.456) come back unchanged too, and toPrecision is slow: when n / 10^k (n an
  // integer below 1e12) rounds to x, x is the double nearest a decimal of at most 12 significant digits, so
  // toPrecision(12) prints that decimal and Number() reads x back (test/criteria/clean.test.ts checks this).
  if (x === 0) return 0; // -0 → +0, as through the string
  for (let p = 10; p <= 1e6; p *= 10) {
    const n = Math.round(x * p);
    if (n / p === x && n < 1e12 && n > -1e12) return x;
  }
  return Number(x.toPrecision(12));
}

export function point(v: number): Interval {
  const c = clean(v);
  return { lo: c, loIncl: true, hi: c, hiIncl: true };
}

export function fromComparator(value: number, comparator?: Comparator): Interval {
  const v = clean(value);
  switch (comparator) {
    case '>':
      return { lo: v, loIncl: false, hi: Infinity, hiIncl: false };
    case '>=':
      return { lo: v, loIncl: true, hi: Infinity, hiIncl: false };
    case '<':
      return { lo: -Infinity, loIncl: false, hi: v, hiIncl: false };
    case '<=':
      return { lo: -Infinity, loIncl: false, hi: v, hiIncl: true };
    default:
      return point(v);
  }
}

/** Multiplies an interval by a positive factor. */
export function scale(i: Interval, factor: number): Interval {
  return { lo: clean(i.lo * factor), loIncl: i.loIncl, hi: clean(i.hi * factor), hiIncl: i.hiIncl };
}

/** `a op b` for every a ∈ A and b ∈ B → true; for none → false; otherwise undefined. */
export function compare(a: Interval, op: ThresholdOperator, b: Interval): Tri {
  switch (op) {
    case '>':
      if (a.lo > b.hi || (a.lo === b.hi && (!a.loIncl || !b.hiIncl))) return true;
      if (a.hi <= b.lo) return false;
      return undefined;
    case '>=':
      if (a.lo >= b.hi) return true;
      if (a.hi < b.lo || (a.hi === b.lo && (!a.hiIncl || !b.loIncl))) return false;
      return undefined;
    case '<':
      return compare(b, '>', a);
    case '<=':
      return compare(b, '>=', a);
  }
}

export function and3(...xs: Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  if (xs.every((x) => x === true)) return true;
  return undefined;
}

export function or3(...xs: Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  if (xs.every((x) => x === false)) return false;
  return undefined;
}

export interface Bounds {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** Evaluates `{gt, gte, lt, lte}` (conjunction of its bounds) over an interval. */
export function satisfies(v: Interval, b: Bounds): Tri {
  // and3 over the bounds set, without the parts array (hot: once per judged value): any false → false.
  let all = true;
  let r: Tri;
  if (b.gt !== undefined && (r = compare(v, '>', point(b.gt))) !== true) {
    if (r === false) return false;
    all = false;
  }
  if (b.gte !== undefined && (r = compare(v, '>=', point(b.gte))) !== true) {
    if (r === false) return false;
    all = false;
  }
  if (b.lt !== undefined && (r = compare(v, '<', point(b.lt))) !== true) {
    if (r === false) return false;
    all = false;
  }
  if (b.lte !== undefined && (r = compare(v, '<=', point(b.lte))) !== true) {
    if (r === false) return false;
    all = false;
  }
  return all ? true : undefined;
}

/** The single operator/value of a one-sided predicate (for display); undefined for two-sided ones. */
export function oneSided(b: Bounds): { operator: ThresholdOperator; value: number } | undefined {
  // Allocation-free (hot: once per judged value): exactly one of gt, gte, lt, lte set, else undefined.
  let count = 0;
  let operator: ThresholdOperator = '>';
  let value = 0;
  if (b.gt !== undefined) {
    count++;
    operator = '>';
    value = b.gt;
  }
  if (b.gte !== undefined) {
    count++;
    operator = '>=';
    value = b.gte;
  }
  if (b.lt !== undefined) {
    count++;
    operator = '<';
    value = b.lt;
  }
  if (b.lte !== undefined) {
    count++;
    operator = '<=';
    value = b.lte;
  }
  return count === 1 ? { operator, value } : undefined;
}
