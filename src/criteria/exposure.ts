/**
 * Trigger exposure and screening windows (CC §6; windows are [design] and live in `knowledge.exposures.windows`).
 *
 * A window opens at day 0 = the exposure's start (first dose / infusion), or the latest documented dose
 * increase at or before asOf when the class reopens on dose increases (lamotrigine), and closes `closeAfter`
 * after `closeFrom` (`start` → day 0; `last` → the last documented dose, else the start), at the end of that
 * calendar day (UTC), consistent with `daysSince`. An ongoing therapy
 * keeps the window open when the class says `openWhileOngoing`.
 * `daysSince` counts calendar days (UTC) from day 0 to asOf: the infusion day is day 0.
 * Primary exposure: in-window IEC classes first (they are screened for IEC-HS), then the most recent day 0.
 */
import type { Knowledge } from '../knowledge';
import type { Exposure } from '../timeline/types';
import { IEC_CLASSES } from '../timeline/types';
import { toEpochMs, DAY_MS } from '../timeline/time';
import type { ExposureAssessment, TriggerExposure } from './types';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function calendarDays(fromMs: number, toMs: number): number {
  return Math.floor(toMs / DAY_MS) - Math.floor(fromMs / DAY_MS);
}

export function evaluateExposure(e: Exposure, asOfMs: number, knowledge: Knowledge): TriggerExposure {
  const out: TriggerExposure = {
    class: e.class,
    agent: e.agent,
    syndrome: IEC_CLASSES.includes(e.class) ? 'iec-hs' : 'treatment-related-hlh',
    inWindow: false,
    windowReason: 'no-start-date',
    matchedBy: e.matchedBy,
    matched: e.matched,
    sources: [...e.sources],
  };
  if (e.start) out.start = e.start;
  if (e.last) out.last = e.last;
  const startMs = toEpochMs(e.start);
  const w = knowledge.exposures.windows[e.class];
  if (startMs === undefined) {
    // No usable date: an ongoing therapy whose class keeps the window open while on therapy is in window
    // (no day count). Undated and not ongoing stays out; the timeline's `exposure-without-date` issue says why.
    if (w?.openWhileOngoing && e.ongoing === true) {
      out.inWindow = true;
      out.windowReason = 'ongoing-no-date';
    }
    return out;
  }

  let day0 = startMs;
  if (w?.reopenOnDoseIncrease) {
    for (const d of e.doseIncreases) {
      const t = toEpochMs(d);
      if (t !== undefined && t <= asOfMs && t > day0) day0 = t;
    }
  }
  out.day0 = day0 === startMs ? (e.start as string) : (e.doseIncreases.find((d) => toEpochMs(d) === day0) ?? iso(day0));
  out.windowStart = out.day0;
  if (asOfMs >= day0) out.daysSince = calendarDays(day0, asOfMs);
  if (!w) {
    out.windowReason = 'no-window-configured';
    return out;
  }
  const closeDays = w.closeAfter.unit === 'wk' ? w.closeAfter.value * 7 : w.closeAfter.value;
  const lastMs = toEpochMs(e.last);
  const base = w.closeFrom === 'start' ? day0 : Math.max(lastMs ?? startMs, startMs);
  const ongoing = w.openWhileOngoing && e.ongoing === true;
  // Closes at the end of calendar day N (UTC), as `daysSince` counts days: "days 0–100" includes all of day 100.
  const endMs = (Math.floor(base / DAY_MS) + closeDays + 1) * DAY_MS - 1;
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

export function assessExposure(exposures: Exposure[], asOfMs: number, knowledge: Knowledge): ExposureAssessment {
  const all = exposures.map((e) => evaluateExposure(e, asOfMs, knowledge));
  const inWindow = all.filter((x) => x.inWindow);
  if (!inWindow.length) return { status: all.length ? 'outside-window' : 'none', all };
  const sorted = [...inWindow].sort((a, b) => {
    const ia = a.syndrome === 'iec-hs' ? 0 : 1;
    const ib = b.syndrome === 'iec-hs' ? 0 : 1;
    if (ia !== ib) return ia - ib;
    const d = (toEpochMs(b.day0) ?? 0) - (toEpochMs(a.day0) ?? 0);
    if (d !== 0) return d;
    return a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0;
  });
  return { status: 'in-window', primary: sorted[0], all };
}
