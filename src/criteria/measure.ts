/**
 * In which unit system a value meets a threshold. A threshold may restate itself in a second unit system with its
 * own exact number (triglycerides 4 mmol/L and 354 mg/dL); a value the lab reported in that system is compared in
 * it, so a boundary value is never pushed across the threshold by a conversion. Otherwise the canonical unit.
 */
import type { LabValue } from '../timeline/types';
import { clean, fromComparator, type Bounds, type Interval } from './interval';

const unitCache = new Map<string, string>();

/** Unit spelling normalised for comparison; memoised (a handful of distinct units, read for every value). */
function normUnit(u: string | undefined): string {
  const raw = u ?? '';
  let n = unitCache.get(raw);
  if (n === undefined) {
    n = raw.replace(/\s+/g, '').replace(/[µμ]/g, 'u').replace(/\^/g, '*').toLowerCase();
    if (unitCache.size >= 1_000) unitCache.clear();
    unitCache.set(raw, n);
  }
  return n;
}

function originalNumber(v: LabValue): number | undefined {
  const o = v.original.value;
  if (typeof o === 'number') return Number.isFinite(o) ? o : undefined;
  const m = /^\s*(?:<=|>=|<|>)?\s*(-?\d+(?:\.\d+)?)\s*$/.exec(o);
  return m ? Number(m[1]) : undefined;
}

/** A value measured in the unit system in which a threshold is to be evaluated. */
export interface Measured {
  interval: Interval;
  bounds: Bounds;
  unit: string;
  /** The number in `unit` (the original when the lab's unit system has its own threshold). */
  number: number;
}

/**
 * Chooses the unit system: the lab's original unit when the threshold restates itself in that unit
 * (exact boundaries in both systems), else the canonical unit. Undefined when the value's unit matches neither.
 */
export function measure<B extends Bounds & { unit: string }>(
  v: LabValue,
  t: B & { alt?: (Bounds & { unit: string })[] },
): Measured | undefined {
  const origUnit = normUnit(v.original.unit);
  const orig = originalNumber(v);
  if (origUnit && orig !== undefined && normUnit(t.unit) !== origUnit) {
    const alt = t.alt?.find((a) => normUnit(a.unit) === origUnit);
    if (alt) return { interval: fromComparator(orig, v.comparator), bounds: alt, unit: alt.unit, number: orig };
  }
  if (normUnit(v.unit) !== normUnit(t.unit)) return undefined;
  return { interval: fromComparator(v.value, v.comparator), bounds: t, unit: t.unit, number: clean(v.value) };
}
