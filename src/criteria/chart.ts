/**
 * What the chart already says, beyond the values the criteria count (as for findings, a documented negative is
 * not-met and no record is unknown):
 * - results that exist but cannot be used: a `dataAbsentReason` (specimen clotted, not performed: repeat it), or a
 *   value with no unit or an implausible one (the result exists: check it with the laboratory, do not re-order);
 * - the latest documented marrow/tissue examination for hemophagocytosis, positive or negative, so the card does
 *   not suggest a biopsy that was done.
 */
import type { Finding, NotEvaluableReason } from '../timeline/types';
import { findingLookbackStart, findingsOf, isUnconfirmedFinding } from './findings';
import type { MarrowExamination, UnusableResult } from './types';
import { ANALYTE_IDS, type AnalyteId } from '../vocabulary';
import { labLookbackStart, temperatureLookbackStart, type Ctx } from './context';
import { lastIn } from './lab-window';

const KIND: Partial<Record<NotEvaluableReason, UnusableResult['kind']>> = {
  'data-absent': 'data-absent',
  'no-unit': 'unit-missing',
  implausible: 'implausible',
};

/**
 * Per analyte, the latest unusable result in its lookback window (at or before asOf) that is newer than the
 * analyte's latest usable value: what the card shows instead of "no result".
 */
export function unusableResults(ctx: Ctx): UnusableResult[] {
  const latest = new Map<AnalyteId, { ms: number; out: UnusableResult }>();
  for (const n of ctx.timeline.notEvaluable) {
    const kind = n.reasonCode === undefined ? undefined : KIND[n.reasonCode];
    const ms = ctx.ms(n.time);
    if (kind === undefined || ms === undefined || n.time === undefined || ms > ctx.asOfMs) continue;
    const from = n.analyte === 'temperature' ? temperatureLookbackStart(ctx) : labLookbackStart(ctx);
    if (ms < from) continue;
    const prior = latest.get(n.analyte);
    if (prior !== undefined && (prior.ms > ms || (prior.ms === ms && prior.out.source <= n.source))) continue;
    const out: UnusableResult = { analyte: n.analyte, kind, time: n.time, source: n.source };
    if (kind === 'data-absent' && n.detail !== undefined) out.reason = n.detail;
    latest.set(n.analyte, { ms, out });
  }
  const result: UnusableResult[] = [];
  for (const analyte of ANALYTE_IDS) {
    const u = latest.get(analyte);
    if (u === undefined) continue;
    const usable = lastIn(ctx, analyte, -Infinity);
    const usableMs = usable === undefined ? undefined : ctx.ms(usable.time);
    if (usableMs === undefined || usableMs < u.ms) result.push(u.out);
  }
  return result;
}

/**
 * The latest dated marrow/tissue examination for hemophagocytosis within the finding lookback [design] and, when
 * the exposure has a day 0, on or after it (a staging marrow before a CAR T infusion says nothing about IEC-HS).
 * A positive in that window wins over a negative (the feature was observed); unconfirmed positives are ignored.
 */
export function marrowExamination(ctx: Ctx, day0: string | undefined): MarrowExamination | undefined {
  const from = Math.max(findingLookbackStart(ctx), ctx.ms(day0) ?? -Infinity);
  let best: { f: Finding; ms: number } | undefined;
  for (const f of findingsOf(ctx, 'hemophagocytosis')) {
    const ms = ctx.ms(f.time);
    if (ms === undefined || f.time === undefined || ms < from || isUnconfirmedFinding(f)) continue;
    const better =
      best === undefined ||
      (f.present && !best.f.present) ||
      (f.present === best.f.present && (ms > best.ms || (ms === best.ms && f.source < best.f.source)));
    if (better) best = { f, ms };
  }
  return best && { hemophagocytosis: best.f.present, time: best.f.time as string, source: best.f.source };
}
