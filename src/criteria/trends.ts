/**
 * Trends for ferritin, fibrinogen, platelets, ALT and AST (criteria.trends): latest value, most abnormal value in
 * the lab lookback window, and the change over 48 h [design, criteria.trends.changeHours]; plus the Porter
 * 2022 (Br J Haematol 199:720) hint: ferritin rising while CRP and IL-6 fall favours IEC-HS over ongoing CRS.
 *
 * The change runs to the latest value from the earlier value whose distance to it is closest to `changeHours`,
 * within ± `toleranceHours` [design] (ties: the more recent), so real sampling (values 60 h apart) is assessed;
 * the actual interval is reported. Directions are decided on intervals, so a comparator value only gives a
 * direction when it is unambiguous.
 */
import type { LabValue } from '../timeline/types';
import { HOUR_MS } from '../timeline/time';
import { clean, compare, fromComparator } from './interval';
import type { CrsDivergenceHint, Trend, TrendAnalyte, TrendsResult } from './types';
import type { AnalyteId } from '../vocabulary';
import { labLookbackStart, timeOf, type Ctx } from './context';
import { closestIn, lastIn, valuesIn } from './lab-window';
import { mostAbnormal } from './judge';
import { toValueRef } from './items';

const TREND_ANALYTES: { analyte: TrendAnalyte; direction: 'up' | 'down' }[] = [
  { analyte: 'ferritin', direction: 'up' },
  { analyte: 'fibrinogen', direction: 'down' },
  { analyte: 'platelets', direction: 'down' },
  { analyte: 'alt', direction: 'up' },
  { analyte: 'ast', direction: 'up' },
];

function change(ctx: Ctx, analyte: AnalyteId): { from: LabValue; to: LabValue; hours: number } | undefined {
  const to = lastIn(ctx, analyte, -Infinity);
  if (!to) return undefined;
  const tTo = timeOf(to, ctx) as number;
  const target = ctx.k.trends.changeHours.value * HOUR_MS;
  const tolerance = ctx.k.trends.toleranceHours.value * HOUR_MS;
  // Candidates: gaps in [target − tolerance, target + tolerance], and never the latest value's own instant.
  const nearest = Math.max(target - tolerance, 0);
  const from = closestIn(ctx, analyte, tTo - target - tolerance, nearest === 0 ? tTo : tTo - nearest + 1, tTo - target);
  return from ? { from, to, hours: clean((tTo - (timeOf(from, ctx) as number)) / HOUR_MS) } : undefined;
}

function direction(from: LabValue, to: LabValue): 'rising' | 'falling' | 'flat' | undefined {
  const a = fromComparator(from.value, from.comparator);
  const b = fromComparator(to.value, to.comparator);
  if (compare(b, '>', a) === true) return 'rising';
  if (compare(b, '<', a) === true) return 'falling';
  if (!from.comparator && !to.comparator) return 'flat';
  return undefined;
}

function trend(ctx: Ctx, analyte: TrendAnalyte, dir: 'up' | 'down'): Trend {
  const inWindow = valuesIn(ctx, analyte, labLookbackStart(ctx));
  const latest = lastIn(ctx, analyte, -Infinity);
  const out: Trend = {
    analyte,
    direction: dir,
    points: inWindow.map((v) => ({ time: v.time, value: v.value, ...(v.comparator ? { comparator: v.comparator } : {}), source: v.source })),
  };
  if (latest) out.latest = toValueRef(latest, ctx);
  const worst = mostAbnormal(inWindow.map((value) => ({ value })), dir);
  if (worst) out.mostAbnormal = toValueRef(worst.value, ctx);
  const ch = change(ctx, analyte);
  if (ch) {
    out.change48h = {
      from: toValueRef(ch.from, ctx),
      to: toValueRef(ch.to, ctx),
      hours: ch.hours,
      absolute: clean(ch.to.value - ch.from.value),
      approximate: Boolean(ch.from.comparator || ch.to.comparator),
    };
    if (ch.from.value !== 0) out.change48h.ratio = clean(ch.to.value / ch.from.value);
  }
  return out;
}

/**
 * Porter 2022 describes the three changes as concurrent: CRP's and IL-6's changes count only when they end within
 * ± `toleranceHours` of ferritin's latest value and inside the lab lookback; otherwise (a CRS-phase fall weeks
 * earlier) they are unknown, never paired with today's ferritin.
 */
function crsDivergence(ctx: Ctx): CrsDivergenceHint {
  const from = labLookbackStart(ctx);
  const tolerance = ctx.k.trends.toleranceHours.value * HOUR_MS;
  const end = (ch: ReturnType<typeof change>) => (ch ? (timeOf(ch.to, ctx) as number) : undefined);
  const ferritin = change(ctx, 'ferritin');
  const fEnd = end(ferritin);
  const aligned = (ch: ReturnType<typeof change>) => {
    const t = end(ch);
    return t !== undefined && fEnd !== undefined && fEnd >= from && t >= from && Math.abs(t - fEnd) <= tolerance ? ch : undefined;
  };
  const parts = (['ferritin', 'crp', 'il6'] as const).map((a) => {
    const ch = a === 'ferritin' ? (fEnd !== undefined && fEnd >= from ? ferritin : undefined) : aligned(change(ctx, a));
    return { a, ch, dir: ch ? direction(ch.from, ch.to) : undefined };
  });
  const hint: CrsDivergenceHint = { state: 'unknown', sources: [] };
  for (const p of parts) {
    if (p.dir) hint[p.a] = p.dir;
    if (p.ch) hint.sources.push(p.ch.from.source, p.ch.to.source);
  }
  const [f, c, i] = parts.map((p) => p.dir);
  if (f === 'rising' && c === 'falling' && i === 'falling') hint.state = 'present';
  else if (f === 'falling' || f === 'flat' || c === 'rising' || c === 'flat' || i === 'rising' || i === 'flat') hint.state = 'absent';
  return hint;
}

export function assessTrends(ctx: Ctx): TrendsResult {
  return {
    items: TREND_ANALYTES.map((t) => trend(ctx, t.analyte, t.direction)),
    crsDivergence: crsDivergence(ctx),
  };
}
