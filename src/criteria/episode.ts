/**
 * Exposure episodes [design, from the temporal-association principle of drug causality]:
 * a trigger explains only what follows it. Each in-window trigger is assessed on its own, counting only values
 * dated at or after its `countsFrom` (day 0 of the current course: the infusion, the first dose; a date without a
 * time counts from the next site calendar day):
 * - laboratory values and temperatures before it do not count towards that trigger (for IEC-HS they are the
 *   baseline, as before);
 * - findings observed at a time (organomegaly, hemophagocytosis, NK activity) dated before it do not count;
 *   background findings do (HScore immunosuppression, CRS timing, a documented HLH diagnosis).
 * So a drug first given after the abnormal values has nothing to explain and gives no card of its own.
 *
 * Cheap: episodes with the same `countsFrom` (a combination started together) share one assessment, and the
 * common case (one trigger in window) costs what a single assessment did.
 */
import type { SiteTime } from '../timeline/site-time';
import type { CriterionItem, EpisodeAssessment, TriggerExposure } from './types';
import { calendarDays } from './exposure';
import { marrowExamination } from './chart';
import { findingLookbackStart } from './findings';
import { assessHlh2004 } from './hlh2004';
import { assessHScore } from './hscore';
import { assessIecHs } from './iec-hs';
import { assessOhi } from './ohi';
import { labLookbackStart, temperatureLookbackStart, type Ctx } from './context';
import { valuesBefore } from './lab-window';

/** Analytes whose values in the lookback count towards HLH-2004, HScore and OHI (temperature has its own window). */
const COUNTED_ANALYTES = ['ferritin', 'alt', 'ast', 'platelets', 'hemoglobin', 'anc', 'wbc', 'fibrinogen', 'triglycerides', 'ldh', 'scd25'] as const;
const OBSERVED_FINDINGS = new Set(['splenomegaly', 'hepatomegaly', 'hemophagocytosis', 'nk-activity-low']);

/** How many values the episode's floor leaves out (lookback values and observed findings dated before it). */
function notCounted(base: Ctx, floor: number): number {
  let n = 0;
  for (const analyte of COUNTED_ANALYTES) n += valuesBefore(base, analyte, labLookbackStart(base), floor).length;
  n += valuesBefore(base, 'temperature', temperatureLookbackStart(base), floor).length;
  const from = findingLookbackStart(base);
  for (const f of base.timeline.findings) {
    if (!OBSERVED_FINDINGS.has(f.kind)) continue;
    const t = base.ms(f.time);
    if (t !== undefined && t >= from && t < floor) n++;
  }
  return n;
}

type Shared = Omit<EpisodeAssessment, 'exposure' | 'syndrome' | 'iecHs' | 'combination' | 'marrowExamination'>;

/** Agents of the same syndrome in window whose course started on the same site calendar day as `e`'s. */
function combinationOf(e: TriggerExposure, inWindow: readonly TriggerExposure[], site: SiteTime): string[] {
  const day = site.dayOfValue(e.start);
  if (day === undefined) return [];
  return inWindow
    .filter((x) => x !== e && x.syndrome === e.syndrome && site.dayOfValue(x.start) === day)
    .map((x) => x.agent);
}

/** The latest time of a met HLH-2004 criterion (components included): when the counted evidence was last seen. */
function latestMet(items: readonly CriterionItem[], ms: (v: string | undefined) => number | undefined): number | undefined {
  let latest: number | undefined;
  for (const i of items) {
    const t = i.state === 'met' ? ms(i.time) : undefined;
    const inner = i.components ? latestMet(i.components, ms) : undefined;
    for (const x of [t, inner]) if (x !== undefined && (latest === undefined || x > latest)) latest = x;
  }
  return latest;
}

/**
 * A dose increase explains only what follows it: when every met criterion predates the latest increase (a
 * lamotrigine window reopened by it), the day reference is the course start ("day N after start"), never "after
 * dose increase" (FDA Drug Safety Communication 2018: 0–8 weeks after start or dose increase).
 */
function dayReference(exposure: TriggerExposure, s: Shared, base: Ctx): void {
  if (exposure.day0Basis !== 'dose-increase' || exposure.start === undefined) return;
  const increase = base.ms(exposure.day0);
  const start = base.ms(exposure.start);
  const latest = latestMet(s.hlh2004.items, base.ms);
  if (increase === undefined || start === undefined || latest === undefined || latest >= increase) return;
  // In place: this assessment's own object, compared by identity with `exposure.all` by the renderer.
  Object.assign(exposure, { day0: exposure.start, windowStart: exposure.start, day0Basis: 'first-dose', daysSince: calendarDays(start, base.asOfMs, base.site) });
}

/**
 * Every in-window exposure (already in engine order) assessed on its own. `base` is the assessment's context
 * (no floor); each episode reads it with `countsFromMs` set.
 */
export function assessEpisodes(base: Ctx, inWindow: readonly TriggerExposure[]): EpisodeAssessment[] {
  const shared = new Map<number, Shared>();
  return inWindow.map((exposure) => {
    const floor = base.ms(exposure.countsFrom) ?? -Infinity;
    const ctx: Ctx = { ...base, countsFromMs: floor };
    let s = shared.get(floor);
    if (!s) {
      s = {
        hlh2004: assessHlh2004(ctx),
        hscore: assessHScore(ctx),
        ohi: assessOhi(ctx),
        notCounted: floor === -Infinity ? 0 : notCounted(base, floor),
      };
      shared.set(floor, s);
    }
    dayReference(exposure, s, base);
    const out: EpisodeAssessment = { exposure, syndrome: exposure.syndrome, ...s, combination: combinationOf(exposure, inWindow, base.site) };
    if (exposure.syndrome === 'iec-hs' && exposure.day0) out.iecHs = assessIecHs(ctx, exposure.day0);
    // Per episode: a staging marrow before this trigger's day 0 says nothing about HLH after it.
    const marrow = marrowExamination(base, exposure.day0);
    if (marrow) out.marrowExamination = marrow;
    return out;
  });
}
