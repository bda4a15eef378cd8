/**
 * Criterion items: the deciding value copied into the item the cards and the evidence view show (value, unit, time,
 * status, range, threshold and their flags), and parent items summarising their OR-arms.
 */
import type { Threshold } from '../knowledge/criteria';
import type { LabValue } from '../timeline/types';
import { oneSided } from './interval';
import type { CriterionItem, CriterionState, ItemFlag, RangeUsed, ReasonCode, ThresholdRef, ValueRef } from './types';
import { citeOf, isChildAt, timeOf, type Ctx } from './context';
import { absoluteResult, decide, judgeAbsolute, orState, type Direction, type Judged } from './judge';
import { rangeOf } from './reference-range';

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

/** A ULN/LLN criterion judged, for a child, against a range that is not the lab's. */
function pediatricFallback(out: CriterionItem, v: LabValue, ctx: Ctx | undefined): boolean {
  const basis = out.threshold?.basis;
  const source = out.referenceRange?.source;
  return ctx !== undefined && (basis === 'uln' || basis === 'lln') && (source === 'fallback' || source === 'default') && isChildAt(ctx, timeOf(v, ctx));
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
): CriterionItem {
  // decide() reads only each value's result; the threshold and range objects are built for the chosen one
  // alone (judgeAbsolute is pure: the same Judged as judging every value in full and keeping that one).
  const judged = values.map((v) => absoluteResult(v, t));
  const decided = decide(judged, direction);
  const { state } = decided;
  const c = citeOf(ctx, t);
  const chosen = decided.chosen && judgeAbsolute(decided.chosen.value, t, c);
  const it = item(id, label, state, chosen, ctx);
  if (!chosen) {
    const nt = noValueThreshold(ctx, t);
    if (nt) it.threshold = nt;
  }
  return it;
}

/** A threshold's canonical bound as text, e.g. "> 265 mg/dL" (labels built from knowledge values). */
export function boundText(t: Threshold): string {
  const os = oneSided(t);
  return os ? `${os.operator} ${os.value} ${t.unit}` : t.unit;
}

/** Sets the knowledge values an item's label template names (the card content words the label). */
export function withParams(it: CriterionItem, params: Record<string, number | string>): CriterionItem {
  it.params = params;
  return it;
}

/** The threshold an item without a deciding value shows (what a value would have been compared with). */
export function noValueThreshold(ctx: Ctx, t: Threshold): ThresholdRef | undefined {
  const os = oneSided(t);
  if (!os) return undefined;
  const c = citeOf(ctx, t);
  return { operator: os.operator, value: os.value, unit: t.unit, basis: 'absolute', citation: c.citation, status: c.status, source: c.source };
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
