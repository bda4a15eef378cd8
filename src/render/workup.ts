/**
 * Which work-up items to offer: an item is due when any analyte it covers has no value at or before asOf
 * (`assessment.lastSeen`, `assessment.missing`) or its latest value is older than the item's freshness window.
 */
import type { ServiceRequest } from 'fhir/r4';
import type { Assessment } from '../criteria/types';
import { HOUR_MS, toEpochMs } from '../timeline/time';
import type { CardContent, WorkupItem } from './content';
import { fill } from './format';

export interface DueItem {
  item: WorkupItem;
  reason: 'missing' | 'stale';
  /** Oldest latest-value among the covered analytes (the one that made it stale). */
  lastSeen?: string;
  /** Hours from lastSeen to asOf. */
  ageHours?: number;
  /** Covered analytes that made the item due (all of them unless the item covers several). */
  analytes: string[];
}

export interface WorkupPlan {
  /** Offered in the one recommended "Order HLH work-up" suggestion. */
  bundle: DueItem[];
  /** Offered as their own suggestions (the screen cannot tell whether they were done). */
  optional: WorkupItem[];
  /** Mentioned in the card only; never ordered. */
  advice: WorkupItem[];
}

function applies(item: WorkupItem, a: Assessment): boolean {
  const w = item.when;
  if (!w) return true;
  if (w.syndromes && (!a.syndrome || !w.syndromes.includes(a.syndrome))) return false;
  const cls = a.exposure.primary?.class;
  if (w.exposureClasses && (!cls || !w.exposureClasses.includes(cls))) return false;
  return true;
}

/** Freshness of a covered item relative to asOf; undefined when every covered analyte is fresh. */
export function dueness(item: WorkupItem, a: Assessment): DueItem | undefined {
  const asOf = toEpochMs(a.asOf);
  const missing: string[] = [];
  const stale: { analyte: string; seen: string; ageHours: number }[] = [];
  for (const analyte of item.covers) {
    const seen = a.lastSeen[analyte];
    const t = toEpochMs(seen);
    if (!seen || t === undefined || asOf === undefined || t > asOf) {
      missing.push(analyte);
      continue;
    }
    const ageHours = (asOf - t) / HOUR_MS;
    if (ageHours > item.freshnessHours) stale.push({ analyte, seen, ageHours });
  }
  if (missing.length) return { item, reason: 'missing', analytes: missing };
  if (!stale.length) return undefined;
  const oldest = stale.reduce((x, y) => (y.ageHours > x.ageHours ? y : x));
  return { item, reason: 'stale', lastSeen: oldest.seen, ageHours: oldest.ageHours, analytes: stale.map((s) => s.analyte) };
}

export function planWorkup(a: Assessment, content: CardContent): WorkupPlan {
  const plan: WorkupPlan = { bundle: [], optional: [], advice: [] };
  for (const item of content.workup.items) {
    if (!applies(item, a)) continue;
    if (item.mode === 'advice') plan.advice.push(item);
    else if (item.mode === 'optional') plan.optional.push(item);
    else {
      const due = dueness(item, a);
      if (due) plan.bundle.push(due);
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
