/**
 * Trigger exposure, courses and screening windows (windows are [design] and live in
 * `knowledge.exposures.windows`). Calendar days are the site's (`Ctx.site`, src/timeline/site-time).
 *
 * Courses [design]: an agent's dated evidence (doses, documented periods,
 * schedules) is split into courses; a gap after the last date of a course longer than the class's window
 * (`closeAfter`, in site calendar days) ends it, and a later date starts a new course. The current course is the
 * latest one that has started by asOf; its first dose is day 0 (a re-challenge is a new day 0, not "day 250").
 * Order dates (authoredOn) count only when nothing better is documented, as in the timeline's merge.
 *
 * Day 0: the infusion for cell therapy (the course's first administration, else its first date); the first dose
 * of the course otherwise; for classes that reopen on a dose increase (lamotrigine), the latest documented dose
 * increase in the course at or before asOf. The window closes `closeAfter` after `closeFrom` (`start` → day 0;
 * `last` → the course's last documented date) at the end of that site calendar day, consistent with `daysSince`
 * ("days 0–100" includes all of day 100). An ongoing therapy keeps the window open when the class says
 * `openWhileOngoing`. `daysSince` counts site calendar days from day 0 to asOf: the infusion day is day 0.
 *
 * Engine order of in-window exposures (the assessment's primary first): IEC classes (screened for IEC-HS), then
 * the most recent day 0, then the agent name.
 */
import type { Knowledge } from '../knowledge';
import type { ExposureWindow } from '../knowledge/exposures';
import type { SiteTime } from '../timeline/site-time';
import type { Exposure, ExposureDate } from '../timeline/types';
import type { ExposureAssessment, TriggerExposure } from './types';
import { IEC_CLASSES } from '../vocabulary';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The instant from which values count towards an exposure whose day 0 is `day0`: day 0 itself; for a date
 * without a time of day, the next site calendar day (the dose's hour is unknown, so a same-day value may precede
 * it; for IEC-HS such values are baseline candidates).
 */
export function countsFrom(day0: string | undefined, site: SiteTime): number | undefined {
  const ms = site.ms(day0);
  if (ms === undefined || day0 === undefined) return undefined;
  return day0.includes('T') ? ms : site.startOfDay(site.dayOf(ms) + 1);
}

/** Site calendar days from `fromMs` to `toMs`. */
export function calendarDays(fromMs: number, toMs: number, site: SiteTime): number {
  return site.dayOf(toMs) - site.dayOf(fromMs);
}

interface Dated extends ExposureDate {
  ms: number;
  /** Epoch ms of `until ?? at`. */
  endMs: number;
}

export interface Course {
  dates: Dated[];
  /** First date of the course (epoch ms). */
  startMs: number;
  /** Latest date of the course (a period's end counts), possibly after asOf for a schedule. */
  endMs: number;
}

function windowDays(w: ExposureWindow): number {
  return w.closeAfter.unit === 'wk' ? w.closeAfter.value * 7 : w.closeAfter.value;
}

/**
 * The dated evidence to split: the timeline's `dates`, or one span from `start` to `last` when it has none. A date
 * from a resource saying the therapy goes on (active order or statement) runs up to asOf: continuous therapy. A
 * completed or stopped resource's period reaching past asOf is no dosing after its start (never on therapy).
 */
function datedEvidence(e: Exposure, site: SiteTime, asOfMs: number): Dated[] {
  const raw: ExposureDate[] =
    e.dates ?? (e.start ? [{ at: e.start, ...(e.last && e.last !== e.start ? { until: e.last } : {}), kind: 'administered', source: e.sources[0] ?? '' }] : []);
  const dosed = raw.some((d) => d.kind !== 'ordered') ? raw.filter((d) => d.kind !== 'ordered') : raw;
  const out: Dated[] = [];
  for (const d of dosed) {
    const ms = site.ms(d.at);
    if (ms === undefined) continue;
    const until = site.ms(d.until);
    let endMs = until !== undefined && until > ms ? until : ms;
    if (d.ongoing === true && ms <= asOfMs && endMs < asOfMs) endMs = asOfMs;
    if (d.ongoing === false && endMs > asOfMs) {
      out.push({ at: d.at, kind: d.kind, ongoing: false, source: d.source, ms, endMs: ms });
      continue;
    }
    out.push({ ...d, ms, endMs });
  }
  return out.sort((a, b) => a.ms - b.ms || a.endMs - b.endMs);
}

/** The agent's courses, oldest first (one course when the class has no window configured). */
export function coursesOf(e: Exposure, w: ExposureWindow | undefined, site: SiteTime, asOfMs: number): Course[] {
  const gap = w ? windowDays(w) : Infinity;
  const courses: Course[] = [];
  let cur: Course | undefined;
  for (const d of datedEvidence(e, site, asOfMs)) {
    if (!cur || site.dayOf(d.ms) > site.dayOf(cur.endMs) + gap) {
      cur = { dates: [], startMs: d.ms, endMs: d.endMs };
      courses.push(cur);
    }
    cur.dates.push(d);
    if (d.endMs > cur.endMs) cur.endMs = d.endMs;
  }
  return courses;
}

/** Course facts for the card: first dose, last dose at or before asOf, on therapy, day 0 of cell therapy. */
function describeCourse(e: Exposure, course: Course, asOfMs: number, latest: boolean): Pick<TriggerExposure, 'start' | 'last' | 'lastDose' | 'onTherapy'> & { day0: Dated } {
  const first = course.dates[0] as Dated;
  const infusion = e.class === 'car-t' ? course.dates.find((d) => d.kind === 'administered') : undefined;
  const day0 = infusion ?? first;
  let last: Dated = first;
  let lastDose: { ms: number; text: string } | undefined;
  for (const d of course.dates) {
    if (d.endMs >= last.endMs) last = d;
    if (d.ongoing && d.until === undefined) continue; // an open, continuing period: no last dose, on therapy
    const end = d.until !== undefined && d.endMs > d.ms ? { ms: d.endMs, text: d.until } : { ms: d.ms, text: d.at };
    if (end.ms <= asOfMs && (!lastDose || end.ms >= lastDose.ms)) lastDose = end;
  }
  const scheduledAhead = course.dates.some((d) => d.endMs > asOfMs && d.ms <= asOfMs);
  const onTherapy = scheduledAhead || (latest && e.ongoing === true);
  return {
    day0,
    start: day0.at,
    last: last.until ?? last.at,
    ...(lastDose ? { lastDose: lastDose.text } : {}),
    ...(onTherapy ? { onTherapy: true } : {}),
  };
}

function base(e: Exposure): TriggerExposure {
  return {
    class: e.class,
    agent: e.agent,
    syndrome: IEC_CLASSES.includes(e.class) ? 'iec-hs' : 'treatment-related-hlh',
    inWindow: false,
    windowReason: 'no-start-date',
    matchedBy: e.matchedBy,
    matched: e.matched,
    sources: [...e.sources],
    ...(e.classEffect ? { classEffect: true as const } : {}),
    ...(e.infusionPlanned ? { infusionPlanned: true as const } : {}),
  };
}

/**
 * An "active" order or statement is a stale record, not continuing therapy, when administrations are documented
 * and the last one given is older than the class's window (checkpoint inhibitors, Noseda 2019: "to 26 weeks after last
 * dose"): the exposure is then read without its ongoing flags.
 */
function withoutStaleOngoing(e: Exposure, w: ExposureWindow | undefined, site: SiteTime, asOfMs: number): Exposure {
  if (e.ongoing !== true || !w || !e.dates) return e;
  let lastGiven: number | undefined;
  for (const d of e.dates) {
    if (d.kind !== 'administered') continue;
    const t = site.ms(d.until ?? d.at);
    if (t !== undefined && t <= asOfMs && (lastGiven === undefined || t > lastGiven)) lastGiven = t;
  }
  if (lastGiven === undefined || site.dayOf(asOfMs) - site.dayOf(lastGiven) <= windowDays(w)) return e;
  const dates = e.dates.map((d) => {
    if (d.ongoing !== true) return d;
    const { ongoing: _stale, ...rest } = d;
    return rest;
  });
  return { ...e, ongoing: false, dates };
}

export function evaluateExposure(exposure: Exposure, asOfMs: number, knowledge: Knowledge, site: SiteTime): TriggerExposure {
  const out = base(exposure);
  const w = knowledge.exposures.windows[exposure.class];
  const e = withoutStaleOngoing(exposure, w, site, asOfMs);
  const courses = coursesOf(e, w, site, asOfMs);
  if (!courses.length) {
    // No usable date: an ongoing therapy whose class keeps the window open while on therapy is in window
    // (no day count). Undated and not ongoing stays out; the timeline's `exposure-without-date` issue says why.
    if (w?.openWhileOngoing && e.ongoing === true) {
      out.inWindow = true;
      out.windowReason = 'ongoing-no-date';
    }
    return out;
  }
  const started = courses.filter((c) => c.startMs <= asOfMs);
  const index = started.length ? started.length - 1 : 0;
  const course = courses[index] as Course;
  const latest = index === courses.length - 1;
  const c = describeCourse(e, course, asOfMs, latest);
  out.start = c.start;
  out.last = c.last;
  // Cell therapy is one infusion (day 0), not a course of doses.
  if (c.lastDose !== undefined && e.class !== 'car-t') out.lastDose = c.lastDose;
  if (c.onTherapy) out.onTherapy = true;
  if (index > 0) {
    const previous = courses[index - 1] as Course;
    const end = previous.dates.find((d) => d.endMs === previous.endMs) as Dated;
    out.course = { number: index + 1, previousLast: end.until !== undefined && end.endMs > end.ms ? end.until : end.at };
  }

  let day0 = c.day0.ms;
  let day0Text = c.day0.at;
  out.day0Basis = e.class === 'car-t' ? 'infusion' : 'first-dose';
  if (w?.reopenOnDoseIncrease) {
    for (const d of e.doseIncreases) {
      const t = site.ms(d);
      if (t !== undefined && t <= asOfMs && t > day0 && t >= course.startMs) {
        day0 = t;
        day0Text = d;
        out.day0Basis = 'dose-increase';
      }
    }
  }
  out.day0 = day0Text;
  out.windowStart = day0Text;
  const from = countsFrom(c.day0.at, site);
  if (from !== undefined) out.countsFrom = c.day0.at.includes('T') ? c.day0.at : iso(from);
  if (asOfMs >= day0) out.daysSince = calendarDays(day0, asOfMs, site);
  const lastDoseMs = site.ms(out.lastDose);
  if (lastDoseMs !== undefined) out.daysSinceLastDose = calendarDays(lastDoseMs, asOfMs, site);
  if (!w) {
    out.windowReason = 'no-window-configured';
    return out;
  }
  const closeBase = w.closeFrom === 'start' ? day0 : Math.max(course.endMs, day0);
  const ongoing = w.openWhileOngoing && e.ongoing === true && latest;
  const endMs = site.endOfDay(site.dayOf(closeBase) + windowDays(w));
  if (!ongoing) out.windowEnd = iso(endMs);
  if (asOfMs < day0) {
    out.windowReason = 'before-start';
  } else if (ongoing || asOfMs <= endMs) {
    out.inWindow = true;
    out.windowReason = ongoing && asOfMs > endMs ? 'in-window-ongoing' : 'in-window';
  } else {
    out.windowReason = 'after-window';
  }
  return out;
}

/** Engine order: IEC classes first, then the most recent day 0, then the agent name. */
export function cmpExposures(site: SiteTime): (a: TriggerExposure, b: TriggerExposure) => number {
  return (a, b) => {
    const ia = a.syndrome === 'iec-hs' ? 0 : 1;
    const ib = b.syndrome === 'iec-hs' ? 0 : 1;
    if (ia !== ib) return ia - ib;
    const d = (site.ms(b.day0) ?? 0) - (site.ms(a.day0) ?? 0);
    if (d !== 0) return d;
    return a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0;
  };
}

export function assessExposure(exposures: Exposure[], asOfMs: number, knowledge: Knowledge, site: SiteTime): ExposureAssessment {
  const all = exposures.map((e) => evaluateExposure(e, asOfMs, knowledge, site));
  const inWindow = all.filter((x) => x.inWindow).sort(cmpExposures(site));
  if (!inWindow.length) return { status: all.length ? 'outside-window' : 'none', all };
  return { status: 'in-window', primary: inWindow[0], all };
}
