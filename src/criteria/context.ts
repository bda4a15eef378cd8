/**
 * What every criterion reads: the timeline, `asOf`, the criteria knowledge and the site's clock, and the windows
 * derived from them (the laboratory and temperature lookbacks, the exposure episode's day 0 from which values
 * count, whether the patient was a child at a given time).
 */
import type { CriteriaKnowledge } from '../knowledge/criteria';
import type { Bibliography, Provenance, SourceRef } from '../knowledge/provenance';
import { citationText } from '../knowledge/values';
import type { LabValue, PatientTimeline } from '../timeline/types';
import { toEpochMs, HOUR_MS } from '../timeline/time';
import type { SiteTime } from '../timeline/site-time';
import { addAge } from '../timeline/ranges';
import type { AnalyteId, KnowledgeStatus } from '../vocabulary';

export interface Ctx {
  timeline: PatientTimeline;
  asOf: string;
  asOfMs: number;
  k: CriteriaKnowledge;
  /** The knowledge base's bibliography: what a value's `source.id` refers to. */
  sources: Bibliography;
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
export interface LabIndex {
  /** The timeline's array the index was built from (cache key). */
  src: readonly LabValue[];
  srcLength: number;
  /** `src` without preliminary values superseded at their instant (supersedePreliminary). */
  values: readonly LabValue[];
  ms: Float64Array;
  sorted: boolean;
}

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
  return Math.max(ctx.asOfMs - ctx.k.lookback.labHours.value * HOUR_MS, ctx.countsFromMs);
}

/** Start of the temperature lookback window, or the exposure episode's day 0 when later. */
export function temperatureLookbackStart(ctx: Ctx): number {
  return Math.max(ctx.asOfMs - ctx.k.lookback.temperatureHours.value * HOUR_MS, ctx.countsFromMs);
}

/** Whether the patient was under the pediatric age limit ([design] criteria.pediatric) at `ms`. */
export function isChildAt(ctx: Ctx, ms: number | undefined): boolean {
  if (ms === undefined) return false;
  if (ctx.adultFromMs === undefined) {
    // A birth date is a site calendar date (00:00 site time), like every date: the 18th birthday starts at local midnight.
    const birth = ctx.ms(ctx.timeline.patient.birthDate);
    ctx.adultFromMs = birth === undefined ? null : addAge(birth, ctx.k.pediatric.underAgeYears.value, 'a');
  }
  return ctx.adultFromMs !== null && ms < ctx.adultFromMs;
}

/** What a threshold cites: the knowledge value's status and source, and the text shown for it. */
export interface Cite {
  citation: string;
  status: KnowledgeStatus;
  source: SourceRef;
}

const citeCache = new WeakMap<Provenance, Cite>();
/** The citation of a knowledge value, built once per (immutable) knowledge object. */
export function citeOf(ctx: Ctx, v: Provenance): Cite {
  let c = citeCache.get(v);
  if (!c) citeCache.set(v, (c = { citation: citationText(ctx.sources, v), status: v.status, source: v.source }));
  return c;
}
