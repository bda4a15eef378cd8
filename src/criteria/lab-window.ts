/**
 * The values of one analyte in a time window. Criteria read the same analyte's window many times per assessment,
 * so each analyte's value times are parsed once into an index (`Ctx.labIndex`) and a window is a binary search
 * over it when the times are sorted (the timeline sorts them), a scan otherwise. Values after `asOf` are never
 * returned; a preliminary value that conflicts with a final one at the same instant is not judged.
 */
import type { LabValue } from '../timeline/types';
import type { AnalyteId } from '../vocabulary';
import { timeOf, type Ctx, type LabIndex } from './context';

/** Values of one analyte with fromMs ≤ time ≤ min(toMs, asOf), time ascending. */
export function valuesIn(ctx: Ctx, analyte: AnalyteId, fromMs: number, toMs: number = ctx.asOfMs): LabValue[] {
  const to = Math.min(toMs, ctx.asOfMs);
  const ix = labIndex(ctx, analyte);
  if (!ix) return [];
  const { values, ms } = ix;
  if (ix.sorted) {
    // Times ascending (the timeline sorts by instant): the window is one contiguous slice.
    const lo = lowerBound(ms, fromMs);
    const hi = upperBound(ms, to);
    return lo < hi ? values.slice(lo, hi) : [];
  }
  const out: LabValue[] = [];
  for (let i = 0; i < values.length; i++) {
    const t = ms[i]!; // NaN (unparseable) fails both comparisons
    if (t >= fromMs && t <= to) out.push(values[i]!);
  }
  return out;
}

/** The last value of `valuesIn(ctx, analyte, fromMs, toMs)`, without copying the window. */
export function lastIn(ctx: Ctx, analyte: AnalyteId, fromMs: number, toMs: number = ctx.asOfMs): LabValue | undefined {
  const to = Math.min(toMs, ctx.asOfMs);
  const ix = labIndex(ctx, analyte);
  if (!ix) return undefined;
  const { values, ms } = ix;
  if (ix.sorted) {
    const lo = lowerBound(ms, fromMs);
    const hi = upperBound(ms, to);
    return lo < hi ? values[hi - 1] : undefined;
  }
  for (let i = values.length - 1; i >= 0; i--) {
    const t = ms[i]!;
    if (t >= fromMs && t <= to) return values[i];
  }
  return undefined;
}

/** How many of the timeline's values of `analyte` (superseded ones included) are dated after asOf. */
export function countAfterAsOf(ctx: Ctx, analyte: AnalyteId): number {
  const all = ctx.timeline.labs[analyte];
  if (!all) return 0;
  const ix = labIndex(ctx, analyte);
  if (ix && ix.values === all) {
    // The index holds every value with its parsed time (NaN when unparseable: never after asOf).
    if (ix.sorted) return all.length - upperBound(ix.ms, ctx.asOfMs);
    let n = 0;
    for (let i = 0; i < ix.ms.length; i++) if (ix.ms[i]! > ctx.asOfMs) n++;
    return n;
  }
  let n = 0;
  for (const v of all) if ((timeOf(v, ctx) ?? -Infinity) > ctx.asOfMs) n++;
  return n;
}

/**
 * Conflicting values at one instant (timeline `conflicts`): a final / amended / corrected value there supersedes
 * the preliminary ones, which are not judged (preliminary values are flagged; the conflict flag stays on the item).
 * Without a non-preliminary value at that instant every value is kept.
 */
function supersedePreliminary(ctx: Ctx, analyte: AnalyteId, all: readonly LabValue[]): readonly LabValue[] {
  const instants = new Set<number>();
  for (const c of ctx.timeline.conflicts) {
    const t = c.analyte === analyte ? ctx.ms(c.time) : undefined;
    if (t !== undefined) instants.add(t);
  }
  if (!instants.size) return all;
  const settled = new Set<number>();
  for (const v of all) {
    const t = ctx.ms(v.time);
    if (t !== undefined && instants.has(t) && v.status !== 'preliminary') settled.add(t);
  }
  if (!settled.size) return all;
  return all.filter((v) => v.status !== 'preliminary' || !settled.has(ctx.ms(v.time) as number));
}

/** Parses each value's time once per assessment (criteria read the same analyte's window many times). */
function labIndex(ctx: Ctx, analyte: AnalyteId): LabIndex | undefined {
  const all = ctx.timeline.labs[analyte];
  if (!all) return undefined;
  const cache = (ctx.labIndex ??= new Map());
  let ix = cache.get(analyte);
  if (!ix || ix.src !== all || ix.srcLength !== all.length) {
    const values = supersedePreliminary(ctx, analyte, all);
    const ms = new Float64Array(values.length);
    let sorted = true;
    for (let i = 0; i < values.length; i++) {
      const t = ctx.ms(values[i]!.time);
      ms[i] = t ?? NaN;
      if (t === undefined || (i > 0 && !(ms[i - 1]! <= t))) sorted = false;
    }
    ix = { src: all, srcLength: all.length, values, ms, sorted };
    cache.set(analyte, ix);
  }
  return ix;
}

/** First index with time ≥ x (binary search over non-decreasing times). */
function lowerBound(ms: Float64Array, x: number): number {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms[mid]! >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index with time > x (binary search over non-decreasing times). */
function upperBound(ms: Float64Array, x: number): number {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Same as valuesIn but with an exclusive upper bound (baseline windows end before day 0; earlier values within
 * a span before a value): fromMs ≤ time < beforeMs and time ≤ asOf, in timeline order. Reads the index's
 * parsed times (it re-parsed every value's time).
 */
export function valuesBefore(ctx: Ctx, analyte: AnalyteId, fromMs: number, beforeMs: number): LabValue[] {
  const ix = labIndex(ctx, analyte);
  if (!ix) return [];
  const { values, ms } = ix;
  if (ix.sorted) {
    const lo = lowerBound(ms, fromMs);
    const hi = Math.min(upperBound(ms, ctx.asOfMs), lowerBound(ms, beforeMs));
    return lo < hi ? values.slice(lo, hi) : [];
  }
  const out: LabValue[] = [];
  for (let i = 0; i < values.length; i++) {
    const t = ms[i]!;
    if (t >= fromMs && t <= ctx.asOfMs && t < beforeMs) out.push(values[i]!);
  }
  return out;
}

/**
 * The value in [fromMs, beforeMs) (and at or before asOf) whose time is closest to `targetMs`; on a tie the later
 * one. Reads the index's parsed times (no re-parsing per candidate).
 */
export function closestIn(ctx: Ctx, analyte: AnalyteId, fromMs: number, beforeMs: number, targetMs: number): LabValue | undefined {
  const ix = labIndex(ctx, analyte);
  if (!ix) return undefined;
  const { values, ms } = ix;
  const lo = ix.sorted ? lowerBound(ms, fromMs) : 0;
  const hi = ix.sorted ? Math.min(upperBound(ms, ctx.asOfMs), lowerBound(ms, beforeMs)) : values.length;
  let best = -1;
  for (let i = lo; i < hi; i++) {
    const t = ms[i]!; // NaN (unparseable) fails every comparison
    if (!(t >= fromMs && t < beforeMs && t <= ctx.asOfMs)) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    const d = Math.abs(t - targetMs) - Math.abs(ms[best]! - targetMs);
    if (d < 0 || (d === 0 && t >= ms[best]!)) best = i;
  }
  return best < 0 ? undefined : values[best];
}
