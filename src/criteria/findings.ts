/**
 * Coded findings (Condition / Observation) as criterion items. CC §7: a documented negative finding
 * (e.g. marrow examined, no hemophagocytosis) is `not-met`; no record at all is `unknown`. A documented
 * positive anywhere in the considered period wins over a negative (the feature was observed).
 */
import type { Finding, FindingKind } from '../timeline/types';
import { epochMs as toEpochMs, type Ctx } from './pick';
import type { CriterionItem } from './types';

/** Findings of a kind recorded at or before asOf (undated findings are kept: they were known at asOf). */
export function findingsOf(ctx: Ctx, kind: FindingKind, filter: (f: Finding) => boolean = () => true): Finding[] {
  return ctx.timeline.findings.filter((f) => {
    if (f.kind !== kind || !filter(f)) return false;
    const t = toEpochMs(f.time);
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
  const fs = findingsOf(ctx, kind, filter);
  const present = fs.filter((f) => f.present);
  const absent = fs.filter((f) => !f.present);
  if (present.length) {
    const out: CriterionItem = { id, label, state: 'met', reason: 'finding-present', sources: present.map((f) => f.source) };
    const t = present.map((f) => f.time).find((x) => x !== undefined);
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
