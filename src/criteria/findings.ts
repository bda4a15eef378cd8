/**
 * Coded findings (Condition / Observation) as criterion items. A documented negative finding
 * (e.g. marrow examined, no hemophagocytosis) is `not-met`; no record at all is `unknown`. A documented
 * positive anywhere in the considered period wins over a negative (the feature was observed).
 * Criterion items read only current findings (`isCurrentFinding`): resolved/inactive/remission or abated before
 * the finding lookback [design] do not count; provisional/differential/unconfirmed positives make the item
 * `unknown` (`finding-unconfirmed`), never `met`.
 */
import type { Finding } from '../timeline/types';
import { DAY_MS } from '../timeline/time';
import type { CriterionItem } from './types';
import type { FindingKind } from '../vocabulary';
import type { Ctx } from './context';

/** Condition.clinicalStatus codes meaning the finding no longer describes the patient. */
const NOT_CURRENT_STATUSES = new Set(['resolved', 'inactive', 'remission']);
/** Statuses that keep a finding current whatever its onset date (condition active; medication on therapy). */
const CURRENT_STATUSES = new Set(['active', 'recurrence', 'relapse', 'in-progress']);
/** Condition.verificationStatus codes that do not establish the finding: unknown, never met. */
const UNCONFIRMED_STATUSES = new Set(['provisional', 'differential', 'unconfirmed']);

/** Start of the finding lookback [design] (criteria.lookback.findingDays; CC is silent on finding age). */
export function findingLookbackStart(ctx: Ctx): number {
  return ctx.asOfMs - ctx.k.lookback.findingDays.value * DAY_MS;
}

/**
 * Whether a finding still describes the patient at asOf: not resolved/inactive/remission, not abated before
 * the finding lookback, and either current by status (active, recurrence, relapse, in-progress) or dated
 * (onset/effective time or end) within the lookback. Undated findings without a status are kept.
 */
export function isCurrentFinding(ctx: Ctx, f: Finding): boolean {
  if (f.clinicalStatus && NOT_CURRENT_STATUSES.has(f.clinicalStatus)) return false;
  const from = findingLookbackStart(ctx);
  const end = ctx.ms(f.end);
  if (end !== undefined && end < from) return false;
  if (f.clinicalStatus && CURRENT_STATUSES.has(f.clinicalStatus)) return true;
  if (end !== undefined) return true;
  const t = ctx.ms(f.time);
  return t === undefined || t >= from;
}

export function isUnconfirmedFinding(f: Finding): boolean {
  return f.present && f.verificationStatus !== undefined && UNCONFIRMED_STATUSES.has(f.verificationStatus);
}

export interface CurrentFindings {
  /** Current, confirmed (or verification not stated) positives. */
  present: Finding[];
  /** Current positives whose verificationStatus is provisional / differential / unconfirmed. */
  unconfirmed: Finding[];
  /** Current documented negatives. */
  absent: Finding[];
}

/** Current findings of a kind at asOf, split into confirmed positives, unconfirmed positives and negatives. */
export function currentFindings(ctx: Ctx, kind: FindingKind, filter?: (f: Finding) => boolean): CurrentFindings {
  const out: CurrentFindings = { present: [], unconfirmed: [], absent: [] };
  for (const f of findingsOf(ctx, kind, filter)) {
    if (!isCurrentFinding(ctx, f)) continue;
    if (!f.present) out.absent.push(f);
    else if (isUnconfirmedFinding(f)) out.unconfirmed.push(f);
    else out.present.push(f);
  }
  return out;
}

/** Findings of a kind recorded at or before asOf (undated findings are kept: they were known at asOf). */
export function findingsOf(ctx: Ctx, kind: FindingKind, filter: (f: Finding) => boolean = () => true): Finding[] {
  return ctx.timeline.findings.filter((f) => {
    if (f.kind !== kind || !filter(f)) return false;
    const t = ctx.ms(f.time);
    return t === undefined || t <= ctx.asOfMs;
  });
}

export function findingItem(
  ctx: Ctx,
  kind: FindingKind,
  id: string,
  label: string,
  filter?: (f: Finding) => boolean,
): CriterionItem {
  const { present, unconfirmed, absent } = currentFindings(ctx, kind, filter);
  if (present.length) {
    const out: CriterionItem = { id, label, state: 'met', reason: 'finding-present', sources: present.map((f) => f.source) };
    const t = present.map((f) => f.time).find((x) => x !== undefined);
    if (t) out.time = t;
    return out;
  }
  if (unconfirmed.length) {
    const out: CriterionItem = { id, label, state: 'unknown', reason: 'finding-unconfirmed', sources: unconfirmed.map((f) => f.source) };
    const t = unconfirmed.map((f) => f.time).find((x) => x !== undefined);
    if (t) out.time = t;
    return out;
  }
  if (absent.length) {
    const out: CriterionItem = { id, label, state: 'not-met', reason: 'finding-absent', sources: absent.map((f) => f.source) };
    const t = absent.map((f) => f.time).find((x) => x !== undefined);
    if (t) out.time = t;
    return out;
  }
  return { id, label, state: 'unknown', reason: 'no-data', sources: [] };
}
