/**
 * Which value counts. For every criterion the engine judges each value in the lookback window (7 days for
 * laboratory values, 72 h for temperature [design], CC issue 4) and the criterion is:
 * - `met` when any value proves it (the most abnormal proving value is reported),
 * - `not-met` when every value disproves it (the most abnormal value is reported),
 * - `unknown` otherwise (no value, or only inconclusive comparator values).
 * This is "the most abnormal value in the criterion's direction" made exact for per-value reference ranges
 * and comparator values. Values after `asOf` are never read.
 */
import type { CriteriaKnowledge, Threshold } from '../knowledge/criteria';
import type { Comparator, LabValue, PatientTimeline } from '../timeline/types';
import { toEpochMs, HOUR_MS } from '../timeline/time';
import type { SiteTime } from '../timeline/site-time';
import { addAge } from '../timeline/ranges';
import { clean, fromComparator, oneSided, satisfies, type Bounds, type Interval, type Tri } from './interval';
import type {
  CriterionItem,
  CriterionState,
  ItemFlag,
  RangeUsed,
  ReasonCode,
  ThresholdRef,
  ValueRef,
} from './types';
import type { AnalyteId, KnowledgeStatus } from '../vocabulary';

export interface Ctx {
  timeline: PatientTimeline;
  asOf: string;
  asOfMs: number;
  k: CriteriaKnowledge;
  /** The site's clock: dates are placed and calendar days counted in the site zone (src/timeline/site-time). */
  site: SiteTime;
  /** `site.ms`: epoch ms of a timeline time (zoned instant, or a date at 00:00 site time). */
  ms: (value: string | undefined) => number | undefined;
  /**
   * Values dated before this instant do not count (a trigger explains only what follows it: the exposure
   * episode's day 0). -Infinity when the assessment is not about one exposure.
   */
  countsFromMs: number;
  /** Per analyte: the values' parsed times, built once per assessment (valuesIn). */
  labIndex?: Map<AnalyteId, LabIndex>;
  /** When the patient reaches the pediatric age limit (epoch ms; null: birth date unknown), computed once. */
  adultFromMs?: number | null;
}

/** The epoch ms of each value of one analyte (NaN when unparseable), and whether they are non-decreasing. */
interface LabIndex {
  /** The timeline's array the index was built from (cache key). */
  src: readonly LabValue[];
  srcLength: number;
  /** `src` without preliminary values superseded at their instant (supersedePreliminary). */
  values: readonly LabValue[];
  ms: Float64Array;
  sorted: boolean;
}

export type Direction = 'up' | 'down';

/**
 * toEpochMs(value). Not memoised any more: the common ISO shape is parsed by hand in about the time a Map
 * lookup of a fresh string takes, and most strings are seen once.
 */
function epochMs(value: string | undefined): number | undefined {
  return toEpochMs(value);
}

/** Epoch ms of a value (in the site zone with a context); values with unparseable times are never used. */
export function timeOf(v: { time: string }, ctx?: Ctx): number | undefined {
  return ctx ? ctx.ms(v.time) : epochMs(v.time);
}

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
 * the preliminary ones, which are not judged (CC §7 flags preliminary; the conflict flag stays on the item).
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

/** Whether a dated finding counts towards the exposure episode (undated ones are kept: they cannot be placed). */
export function countedFinding(ctx: Ctx): (f: { time?: string }) => boolean {
  if (ctx.countsFromMs === -Infinity) return () => true;
  return (f) => {
    const t = ctx.ms(f.time);
    return t === undefined || t >= ctx.countsFromMs;
  };
}

/** Start of the laboratory lookback window, or the exposure episode's day 0 when later (`countsFromMs`). */
export function labLookbackStart(ctx: Ctx): number {
  return Math.max(ctx.asOfMs - ctx.k.lookback.labHours * HOUR_MS, ctx.countsFromMs);
}

/** Start of the temperature lookback window, or the exposure episode's day 0 when later. */
export function temperatureLookbackStart(ctx: Ctx): number {
  return Math.max(ctx.asOfMs - ctx.k.lookback.temperatureHours * HOUR_MS, ctx.countsFromMs);
}

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
  citation: string,
  status: KnowledgeStatus,
): Judged {
  const m = measure(v, t);
  if (!m) return { value: v, result: undefined, reason: 'unit-not-evaluable' };
  const os = oneSided(m.bounds);
  return {
    value: v,
    result: satisfies(m.interval, m.bounds),
    // Written out, not `{ ...os, unit, … }`: a spread followed by more properties takes V8's slow runtime path,
    // and this runs once per value per criterion. Same keys in the same order (oneSided returns operator, value).
    threshold: os ? { operator: os.operator, value: os.value, unit: m.unit, basis: 'absolute', citation, status } : undefined,
    range: rangeOf(v),
  };
}

/** judgeAbsolute's result (and reason) only. */
function absoluteResult(v: LabValue, t: Threshold): Judged {
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

/** Reference range used for a value: the timeline's (lab or fallback), or the ferritin default ULN. */
export function rangeOf(v: LabValue, ctx?: Ctx): RangeUsed | undefined {
  const lr = v.referenceRange;
  if (lr && (lr.high !== undefined || lr.low !== undefined)) {
    const r: RangeUsed = { unit: lr.unit, source: lr.source };
    if (lr.low !== undefined) r.low = lr.low;
    if (lr.high !== undefined) r.high = lr.high;
    if (lr.population !== undefined) r.population = lr.population;
    if (lr.text !== undefined) r.text = lr.text;
    if (v.unreadRangeText !== undefined) r.unreadText = v.unreadRangeText;
    return r;
  }
  if (ctx && v.analyte === 'ferritin') {
    // CC §7: ferritin with no referenceRange → configurable ULN, default 400 ng/mL [design]
    const r: RangeUsed = { high: ctx.k.ferritinDefaultUln.value, unit: ctx.k.ferritinDefaultUln.unit, source: 'default' };
    if (v.unreadRangeText !== undefined) r.unreadText = v.unreadRangeText;
    return r;
  }
  return undefined;
}

export function uln(v: LabValue, ctx?: Ctx): { value: number; range: RangeUsed } | undefined {
  const r = rangeOf(v, ctx);
  return r?.high !== undefined ? { value: r.high, range: r } : undefined;
}

export function lln(v: LabValue, ctx?: Ctx): { value: number; range: RangeUsed } | undefined {
  const r = rangeOf(v, ctx);
  return r?.low !== undefined ? { value: r.low, range: r } : undefined;
}

export function toValueRef(v: LabValue, ctx?: Ctx): ValueRef {
  const ref: ValueRef = {
    analyte: v.analyte,
    value: v.value,
    unit: v.unit,
    time: v.time,
    status: v.status,
    original: v.original,
    source: v.source,
  };
  if (v.comparator) ref.comparator = v.comparator;
  const r = rangeOf(v, ctx);
  if (r) ref.referenceRange = r;
  return ref;
}

function hasConflict(ctx: Ctx | undefined, v: LabValue): boolean {
  if (!ctx || !ctx.timeline.conflicts.length) return false; // (no time parse when there is nothing to match)
  const t = timeOf(v, ctx);
  return ctx.timeline.conflicts.some((c) => c.analyte === v.analyte && ctx.ms(c.time) === t);
}

function flagsFor(v: LabValue, range: RangeUsed | undefined, ctx?: Ctx): ItemFlag[] {
  const f: ItemFlag[] = [];
  if (v.status === 'preliminary') f.push('preliminary');
  if (v.comparator) f.push('comparator');
  if (range?.source === 'fallback') f.push('fallback-range');
  if (range?.source === 'default') f.push('default-uln');
  if (hasConflict(ctx, v)) f.push('conflicting-values');
  if (v.unreadRangeText !== undefined) f.push('range-text-unread');
  return f;
}

/** Whether the patient was under the pediatric age limit ([design] criteria.pediatric) at `ms`. */
function isChildAt(ctx: Ctx, ms: number | undefined): boolean {
  if (ms === undefined) return false;
  if (ctx.adultFromMs === undefined) {
    const birth = epochMs(ctx.timeline.patient.birthDate);
    ctx.adultFromMs = birth === undefined ? null : addAge(birth, ctx.k.pediatric.underAgeYears, 'a');
  }
  return ctx.adultFromMs !== null && ms < ctx.adultFromMs;
}

/** A ULN/LLN criterion judged, for a child, against a range that is not the lab's. */
function pediatricFallback(out: CriterionItem, v: LabValue, ctx: Ctx | undefined): boolean {
  const basis = out.threshold?.basis;
  const source = out.referenceRange?.source;
  return ctx !== undefined && (basis === 'uln' || basis === 'lln') && (source === 'fallback' || source === 'default') && isChildAt(ctx, timeOf(v));
}

function defaultReason(state: CriterionState, j?: Judged): ReasonCode {
  if (j?.reason) return j.reason;
  if (!j) return 'no-data';
  if (state === 'met') return 'threshold-met';
  if (state === 'not-met') return 'threshold-not-met';
  return 'comparator-inconclusive';
}

/** Appends the flags not yet in `out` (first occurrence wins, as a Set would keep them). */
function addFlags(out: ItemFlag[], xs: readonly ItemFlag[] | undefined): void {
  if (xs) for (const x of xs) if (!out.includes(x)) out.push(x);
}

/** Builds a criterion item from the deciding value (or an unknown item without one). */
export function item(
  id: string,
  label: string,
  state: CriterionState,
  j: Judged | undefined,
  ctx: Ctx | undefined,
  extra: Partial<CriterionItem> = {},
): CriterionItem {
  const out: CriterionItem = { id, label, state, reason: defaultReason(state, j), sources: [] };
  if (j) {
    const v = j.value;
    out.value = v.value;
    out.unit = v.unit;
    if (v.comparator) out.comparator = v.comparator;
    out.time = v.time;
    out.status = v.status;
    out.original = v.original;
    const range = j.range ?? rangeOf(v, ctx);
    if (range) out.referenceRange = range;
    if (j.threshold) out.threshold = j.threshold;
    if (j.multiple) out.multiple = j.multiple;
    if (j.baseline) out.baseline = j.baseline;
    out.sources = [v.source];
  }
  // Object.assign(out, extra without flags), without the rest-object copy (extra is usually empty).
  for (const key in extra) {
    if (key !== 'flags' && Object.prototype.hasOwnProperty.call(extra, key)) {
      (out as unknown as Record<string, unknown>)[key] = (extra as Record<string, unknown>)[key];
    }
  }
  const flags: ItemFlag[] = j ? flagsFor(j.value, out.referenceRange, ctx) : [];
  addFlags(flags, j?.flags);
  addFlags(flags, extra.flags);
  if (j && pediatricFallback(out, j.value, ctx)) addFlags(flags, ['pediatric-fallback-range']);
  if (flags.length) out.flags = flags;
  return out;
}

/** Judges every value and builds the item in one step (absolute thresholds). */
export function absoluteItem(
  ctx: Ctx,
  id: string,
  label: string,
  values: LabValue[],
  t: Threshold,
  direction: Direction,
  citation: string,
  status: KnowledgeStatus,
): CriterionItem {
  // decide() reads only each value's result; the threshold and range objects are built for the chosen one
  // alone (judgeAbsolute is pure: the same Judged as judging every value in full and keeping that one).
  const judged = values.map((v) => absoluteResult(v, t));
  const decided = decide(judged, direction);
  const { state } = decided;
  const chosen = decided.chosen && judgeAbsolute(decided.chosen.value, t, citation, status);
  const it = item(id, label, state, chosen, ctx);
  if (!chosen) {
    const os = oneSided(t);
    if (os) it.threshold = { operator: os.operator, value: os.value, unit: t.unit, basis: 'absolute', citation, status };
  }
  return it;
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

/** Summarises a parent item from its components: copies the deciding component's value fields. */
export function parentFrom(
  id: string,
  label: string,
  components: CriterionItem[],
  state: CriterionState = orState(components),
  extra: Partial<CriterionItem> = {},
): CriterionItem {
  const decider =
    components.find((c) => c.state === state && c.value !== undefined) ?? components.find((c) => c.state === state);
  const reason: ReasonCode =
    state === 'met' ? 'any-arm-met' : state === 'not-met' ? 'all-arms-not-met' : components.every((c) => c.reason === 'no-data') ? 'no-data' : 'arms-unknown';
  const out: CriterionItem = { id, label, state, reason, sources: [], components };
  if (decider) {
    for (const key of ['value', 'unit', 'comparator', 'time', 'status', 'original', 'referenceRange', 'threshold', 'multiple', 'baseline', 'comparison'] as const) {
      if (decider[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = decider[key];
    }
    if (decider.flags) out.flags = [...decider.flags];
  }
  out.sources = [...new Set(components.flatMap((c) => c.sources))];
  Object.assign(out, extra);
  return out;
}
