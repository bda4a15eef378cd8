/**
 * Which value counts. For every criterion the engine judges each value in the lookback window and the criterion is:
 * - `met` when any value proves it (the most abnormal proving value is reported),
 * - `not-met` when every value disproves it (the most abnormal value is reported),
 * - `unknown` otherwise (no value, or only inconclusive comparator values).
 * This is "the most abnormal value in the criterion's direction" made exact for per-value reference ranges and
 * comparator values (./interval.ts).
 */
import type { Threshold } from '../knowledge/criteria';
import type { Comparator, LabValue } from '../timeline/types';
import { oneSided, satisfies, type Tri } from './interval';
import type { CriterionItem, CriterionState, ItemFlag, RangeUsed, ReasonCode, ThresholdRef, ValueRef } from './types';
import { timeOf, type Cite } from './context';
import { measure } from './measure';
import { rangeOf } from './reference-range';

export type Direction = 'up' | 'down';

export interface Judged {
  value: LabValue;
  result: Tri;
  threshold?: ThresholdRef;
  range?: RangeUsed;
  multiple?: CriterionItem['multiple'];
  baseline?: ValueRef;
  flags?: ItemFlag[];
  /** Overrides the default threshold-met/not-met/comparator-inconclusive reason. */
  reason?: ReasonCode;
}

/** Judges a value against an absolute knowledge threshold. */
export function judgeAbsolute(
  v: LabValue,
  t: Threshold,
  c: Cite,
): Judged {
  const m = measure(v, t);
  if (!m) return { value: v, result: undefined, reason: 'unit-not-evaluable' };
  const os = oneSided(m.bounds);
  return {
    value: v,
    result: satisfies(m.interval, m.bounds),
    // Written out, not `{ ...os, unit, … }`: a spread followed by more properties takes V8's slow runtime path,
    // and this runs once per value per criterion. Same keys in the same order (oneSided returns operator, value).
    threshold: os ? { operator: os.operator, value: os.value, unit: m.unit, basis: 'absolute', citation: c.citation, status: c.status, source: c.source } : undefined,
    range: rangeOf(v),
  };
}

/** judgeAbsolute's result (and reason) only. */
export function absoluteResult(v: LabValue, t: Threshold): Judged {
  const m = measure(v, t);
  if (!m) return { value: v, result: undefined, reason: 'unit-not-evaluable' };
  return { value: v, result: satisfies(m.interval, m.bounds) };
}

const CMP_RANK: Record<Comparator | 'none', number> = { '>': 2, '>=': 1, none: 0, '<=': -1, '<': -2 };

/** Positive when a is more abnormal than b in the given direction (ties: the later value). */
function moreAbnormal(a: LabValue, b: LabValue, direction: Direction): number {
  const sign = direction === 'up' ? 1 : -1;
  if (a.value !== b.value) return sign * (a.value - b.value);
  const c = CMP_RANK[a.comparator ?? 'none'] - CMP_RANK[b.comparator ?? 'none'];
  if (c !== 0) return sign * c;
  return (timeOf(a) ?? 0) - (timeOf(b) ?? 0);
}

export function mostAbnormal<T extends { value: LabValue }>(xs: T[], direction: Direction): T | undefined {
  let best: T | undefined;
  for (const x of xs) if (!best || moreAbnormal(x.value, best.value, direction) > 0) best = x;
  return best;
}

/** Any proving value → met; all disproving → not-met; else unknown. Returns the value that decides. */
export function decide(judged: Judged[], direction: Direction): { state: CriterionState; chosen?: Judged } {
  const met = judged.filter((j) => j.result === true);
  if (met.length) return { state: 'met', chosen: mostAbnormal(met, direction) };
  const unk = judged.filter((j) => j.result === undefined);
  if (unk.length) return { state: 'unknown', chosen: mostAbnormal(unk, direction) };
  if (judged.length) return { state: 'not-met', chosen: mostAbnormal(judged, direction) };
  return { state: 'unknown' };
}

/** Combines OR-arms (components) into a parent state: any met → met, all not-met → not-met, else unknown. */
export function orState(items: CriterionItem[]): CriterionState {
  if (items.some((i) => i.state === 'met')) return 'met';
  if (items.length && items.every((i) => i.state === 'not-met')) return 'not-met';
  return 'unknown';
}

export function stateOf(t: Tri): CriterionState {
  return t === true ? 'met' : t === false ? 'not-met' : 'unknown';
}

export function triOf(s: CriterionState): Tri {
  return s === 'met' ? true : s === 'not-met' ? false : undefined;
}
