/**
 * Which work-up items to offer: an item is due when any analyte it covers has no value at or before asOf
 * (`assessment.lastSeen`, `assessment.missing`) or its latest value is older than the item's freshness window.
 * A recent result that exists but cannot be used (`assessment.unusable`, within the freshness window) changes
 * that: "no usable result" (dataAbsentReason: clotted, not performed) is offered as a repeat, never as "no
 * result"; a result with no unit or an implausible value is not re-ordered (the card asks to check it with the
 * laboratory). An advice item documented in the chart (a marrow examination) is not advised again.
 */
import type { ServiceRequest } from 'fhir/r4';
import type { Assessment, MarrowExamination, UnusableResult } from '../criteria/types';
import { HOUR_MS } from '../timeline/time';
import { siteTime } from '../timeline/site-time';
import type { CardContent, WorkupItem } from './content';
import { fill } from './format';

export interface DueItem {
  item: WorkupItem;
  /** `repeat`: a recent result came back unusable (data absent); `check`: a recent result exists but cannot be read. */
  reason: 'missing' | 'stale' | 'repeat' | 'check';
  /** Oldest latest-value among the covered analytes (the one that made it stale). */
  lastSeen?: string;
  /** Hours from lastSeen to asOf. */
  ageHours?: number;
  /** Covered analytes that made the item due (all of them unless the item covers several). */
  analytes: string[];
  /** `repeat` / `check`: the unusable results behind it. */
  unusable?: UnusableResult[];
}

/** A due item that is ordered (a `check` item never is). */
type OrderedItem = DueItem & { reason: 'missing' | 'stale' | 'repeat' };

export interface WorkupPlan {
  /** Offered in the one recommended "Order HLH work-up" suggestion. */
  bundle: OrderedItem[];
  /** Offered as their own suggestions (the screen cannot tell whether they were done). */
  optional: WorkupItem[];
  /** Mentioned in the card only; never ordered. */
  advice: WorkupItem[];
  /** Recent results that exist but cannot be read: named on the card, not re-ordered. */
  check: DueItem[];
  /** Advice items the chart already documents (not advised again; the card says when and what was found). */
  documented: { item: WorkupItem; exam: MarrowExamination }[];
}

function applies(item: WorkupItem, a: Assessment): boolean {
  const w = item.when;
  if (!w) return true;
  if (w.syndromes && (!a.syndrome || !w.syndromes.includes(a.syndrome))) return false;
  const cls = a.exposure.primary?.class;
  if (w.exposureClasses && (!cls || !w.exposureClasses.includes(cls))) return false;
  return true;
}

/** An unusable result of `analyte` within the item's freshness window (Assessment.unusable: newer than the last usable value). */
function recentUnusable(item: WorkupItem, a: Assessment, analyte: string, asOf: number | undefined): UnusableResult | undefined {
  const u = a.unusable.find((x) => x.analyte === analyte);
  const t = siteTime(a.timeZone).ms(u?.time);
  return u && t !== undefined && asOf !== undefined && (asOf - t) / HOUR_MS <= item.freshnessHours ? u : undefined;
}

/**
 * Whether a covered item must be ordered relative to asOf: missing, stale, or a repeat of a result that came back
 * unusable; undefined when every covered analyte is fresh or has a recent result that exists but cannot be read.
 */
function dueness(item: WorkupItem, a: Assessment): OrderedItem | undefined {
  // A date-only result is 00:00 of that site calendar day (the engine's clock), not UTC midnight.
  const site = siteTime(a.timeZone);
  const asOf = site.ms(a.asOf);
  const missing: string[] = [];
  const stale: { analyte: string; seen: string; ageHours: number }[] = [];
  const repeat: UnusableResult[] = [];
  for (const analyte of item.covers) {
    const seen = a.lastSeen[analyte];
    const t = site.ms(seen);
    const ageHours = t === undefined || asOf === undefined ? undefined : (asOf - t) / HOUR_MS;
    if (seen && ageHours !== undefined && ageHours >= 0 && ageHours <= item.freshnessHours) continue;
    const u = recentUnusable(item, a, analyte, asOf);
    if (u) {
      if (u.kind === 'data-absent') repeat.push(u);
      continue; // a result that exists but cannot be read is checked, not re-ordered (see checkOf)
    }
    if (!seen || ageHours === undefined || ageHours < 0) missing.push(analyte);
    else stale.push({ analyte, seen: seen, ageHours });
  }
  if (missing.length) return { item, reason: 'missing', analytes: missing };
  if (stale.length) {
    const oldest = stale.reduce((x, y) => (y.ageHours > x.ageHours ? y : x));
    return { item, reason: 'stale', lastSeen: oldest.seen, ageHours: oldest.ageHours, analytes: stale.map((s) => s.analyte) };
  }
  if (repeat.length) return { item, reason: 'repeat', analytes: repeat.map((u) => u.analyte), unusable: repeat };
  return undefined;
}

/** Recent results of the item's analytes that exist but cannot be read (no unit, implausible): to check with the lab. */
function checkOf(item: WorkupItem, a: Assessment): DueItem | undefined {
  const asOf = siteTime(a.timeZone).ms(a.asOf);
  const list = item.covers.map((analyte) => recentUnusable(item, a, analyte, asOf)).filter((u): u is UnusableResult => u !== undefined && u.kind !== 'data-absent');
  return list.length ? { item, reason: 'check', analytes: list.map((u) => u.analyte), unusable: list } : undefined;
}

export function planWorkup(a: Assessment, content: CardContent): WorkupPlan {
  const plan: WorkupPlan = { bundle: [], optional: [], advice: [], check: [], documented: [] };
  for (const item of content.workup.items) {
    if (!applies(item, a)) continue;
    if (item.mode === 'advice') {
      if (item.documentedBy === 'marrow-examination' && a.marrowExamination) plan.documented.push({ item, exam: a.marrowExamination });
      else plan.advice.push(item);
    } else if (item.mode === 'optional') plan.optional.push(item);
    else {
      const due = dueness(item, a);
      if (due) plan.bundle.push(due);
      const check = a.unusable.length ? checkOf(item, a) : undefined;
      if (check) plan.check.push(check);
    }
  }
  return plan;
}

export interface OrderContext {
  patientId: string;
  encounterId?: string;
  syndromeLabel: string;
}

/** A draft/proposed ServiceRequest for one work-up item: LOINC-coded where confirmed, else code.text only. */
export function serviceRequestFor(item: WorkupItem, ctx: OrderContext, content: CardContent): ServiceRequest {
  const sr = content.workup.serviceRequest;
  return {
    resourceType: 'ServiceRequest',
    status: sr.status,
    intent: sr.intent,
    priority: sr.priority,
    code: item.coding ? { coding: item.coding.map((c) => ({ ...c })), text: item.label } : { text: item.label },
    subject: { reference: `Patient/${ctx.patientId}` },
    ...(ctx.encounterId ? { encounter: { reference: `Encounter/${ctx.encounterId}` } } : {}),
    reasonCode: [{ text: fill(sr.reasonText, { syndromeLabel: ctx.syndromeLabel }) }],
  };
}
