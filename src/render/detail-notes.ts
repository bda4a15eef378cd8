/**
 * The notes of the card's detail around the tables: trends, missing or stale work-up, documented alternative
 * explanations, an earlier or refuted HLH diagnosis, and pediatric patients judged against adult ranges.
 */
import type { Assessment, CriterionItem, Framework, TriggerExposure } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatAge, formatNumber, formatTime, formatUnit } from './format';
import { escapeMarkdown as esc } from './markdown';
import type { DueItem, WorkupPlan } from './workup';
import { unusableText } from './detail-tables';
import { itemLabel, walk } from './criterion-items';
import { alternativeText, matchedCodeText } from './clinical-text';
import type { AnalyteId } from '../vocabulary';

/** Canonical units (knowledge.analytes), used when a trend carries no value reference. */
const CANONICAL_UNIT = { ferritin: 'ng/mL', fibrinogen: 'mg/dL', platelets: '10*9/L' } as const;

export function trendLines(a: Assessment, content: CardContent): string[] {
  const out: string[] = [];
  for (const analyte of ['ferritin', 'fibrinogen', 'platelets'] as const) {
    const t = a.trends.items.find((x) => x.analyte === analyte);
    if (!t || t.points.length === 0) continue;
    const pts = t.points.slice(-5);
    const unit = t.latest?.unit ?? t.mostAbnormal?.unit ?? CANONICAL_UNIT[analyte];
    const series = pts.map((p) => esc(`${p.comparator ?? ''}${formatNumber(p.value)}`)).join(' → ');
    const first = pts[0];
    const last = pts[pts.length - 1];
    const span = first && last && pts.length > 1 ? ` (${esc(formatTime(first.time))} → ${esc(formatTime(last.time))})` : ` (${esc(formatTime(last?.time))})`;
    let change = '';
    if (t.change48h) {
      const c = t.change48h;
      const dir = c.absolute > 0 ? '↑' : c.absolute < 0 ? '↓' : '→';
      const amount = `${dir} ${c.approximate ? '≈' : ''}${esc(formatNumber(Math.abs(c.absolute)))}${c.ratio !== undefined ? ` (×${esc(formatNumber(c.ratio))})` : ''}`;
      change = `; ${fill(content.wording.detail.trendChange, { hours: esc(formatNumber(Math.round(c.hours))), change: amount })}`;
    }
    const label = content.wording.summaryValueLabels[analyte] ?? analyte;
    out.push(`- ${esc(label[0]?.toUpperCase() + label.slice(1))}: ${series} ${esc(formatUnit(unit))}${span}${change}`);
  }
  return out;
}

/** "Fibrinogen (no usable result: specimen clotted, 2026-03-15 07:00Z)". */
function unusableItems(list: readonly DueItem[], content: CardContent): string {
  return list
    .map((d) => `${d.item.label} (${(d.unusable ?? []).map((u) => `${unusableText(u, content)}, ${esc(formatTime(u.time))}`).join('; ')})`)
    .join('; ');
}

export function workupLines(a: Assessment, plan: WorkupPlan, content: CardContent): string[] {
  const out: string[] = [];
  const w = content.wording.dataNotes;
  const lines = content.wording.detail.workup;
  const missing = plan.bundle.filter((d) => d.reason === 'missing');
  const stale = plan.bundle.filter((d) => d.reason === 'stale');
  const repeat = plan.bundle.filter((d) => d.reason === 'repeat');
  if (repeat.length) out.push(`- ${fill(w.repeatLine, { items: unusableItems(repeat, content) })}`);
  if (plan.check.length) out.push(`- ${fill(w.checkLine, { items: unusableItems(plan.check, content) })}`);
  const names = (ids: readonly string[]) => ids.map((m) => content.wording.analyteLabels[m as AnalyteId] ?? esc(m)).join(', ');
  if (missing.length) {
    const items = missing.map((d) => (d.analytes.length < d.item.covers.length ? `${d.item.label} (${names(d.analytes)})` : d.item.label));
    out.push(`- ${fill(lines.noResult, { items: items.join('; ') })}`);
  }
  if (stale.length) {
    const items = stale.map((d) => fill(lines.staleItem, { label: d.item.label, age: formatAge(d.ageHours ?? 0), time: esc(formatTime(d.lastSeen)), hours: d.item.freshnessHours }));
    out.push(`- ${fill(lines.stale, { items: items.join('; ') })}`);
  }
  const covered = new Set(plan.bundle.flatMap((d) => d.item.covers as string[]));
  const uncovered = a.missing.filter((m) => !covered.has(m));
  if (uncovered.length) out.push(`- ${fill(lines.uncovered, { items: names(uncovered) })}`);
  if (plan.optional.length) out.push(`- ${fill(lines.optional, { items: plan.optional.map((i) => i.label).join('; ') })}`);
  for (const adv of plan.advice) out.push(`- ${adv.label}`);
  for (const { exam } of plan.documented) {
    const found = exam.hemophagocytosis ? w.marrowFound.present : w.marrowFound.absent;
    out.push(`- ${fill(w.marrowDocumented, { time: esc(formatTime(exam.time)), found })}`);
  }
  return out;
}

/** "RxNorm 1547545", or per agent for a combination: "RxNorm 1657013 (ipilimumab); name “opdivo” (nivolumab)". */
export function matchedByText(combination: readonly TriggerExposure[], content: CardContent): string {
  const one = (x: TriggerExposure) => (x.matchedBy === 'code' ? esc(matchedCodeText(x.matched, content), 120) : fill(content.wording.detail.matchedByName, { name: esc(x.matched, 80) }));
  return combination.length === 1 ? one(combination[0] as TriggerExposure) : combination.map((x) => `${one(x)} (${esc(x.agent)})`).join('; ');
}

/** "Documented infection: Sepsis due to E. coli (ICD-10-CM A41.51), 2026-03-13", one per alternative, and the note. */
export function alternativeLines(a: Assessment, content: CardContent): string[] {
  const w = content.wording.alternatives;
  return [`#### ${w.heading}`, w.note, ...a.alternatives.map((x) => `- ${alternativeText(x, content)}`)];
}

/** An earlier (resolved, inactive) HLH diagnosis is history; a refuted one is a documented negative. */
export function diagnosisHistory(a: Assessment, content: CardContent): string[] {
  const h = a.hlh2004;
  const w = content.wording.dataNotes;
  const out: string[] = [];
  if (h.earlierDiagnosis.length) {
    const items = h.earlierDiagnosis.map((x) => [x.clinicalStatus, x.time ? formatTime(x.time) : undefined].filter(Boolean).map((t) => esc(t as string)).join(', ') || w.undatedDiagnosis);
    out.push(fill(w.hlhDiagnosisEarlier, { items: items.join('; ') }));
  }
  if (h.refutedDiagnosis.length) out.push(w.hlhDiagnosisRefuted);
  if (h.unconfirmedDiagnosis?.length) out.push(w.hlhDiagnosisUnconfirmed);
  return out;
}

/** Decided leaf items of every table (IEC-HS, HLH-2004, HScore, OHI), each with its framework. */
function decidedLeaves(a: Assessment): [Framework, CriterionItem][] {
  const of = (f: Framework, items: readonly CriterionItem[] | undefined) => walk(items).map((i): [Framework, CriterionItem] => [f, i]);
  const all = [...of('iecHs', a.iecHs?.features), ...of('iecHs', a.iecHs?.mayBePresent), ...of('hlh2004', a.hlh2004.items), ...of('hscore', a.hscore.variables), ...of('ohi', a.ohi.items)];
  return all.filter(([, i]) => i.state !== 'unknown' && !i.components?.length);
}

/** One line when a pediatric patient's ULN/LLN criterion was judged against a fallback or default range. */
export function pediatricNote(a: Assessment, content: CardContent): string[] {
  const leaves = decidedLeaves(a).filter(([, i]) => i.flags?.includes('pediatric-fallback-range'));
  if (!leaves.length) return [];
  const items = leaves.map(([, i]) => i);
  const labels = [...new Set(leaves.map(([f, i]) => esc(itemLabel(content.wording.items, f, i))))];
  const words = content.wording.detail.pediatricRanges;
  const ranges = [...new Set(items.map((i) => (i.referenceRange?.source === 'default' ? words.default : esc(i.referenceRange?.population ?? words.fallback))))];
  return [fill(content.wording.dataNotes.pediatricFallback, { items: labels.join('; '), ranges: ranges.join(', ') })];
}
