/**
 * Exposure windows (docs/knowledge.md, all [design]; configured in `knowledge.exposures.windows`):
 * when a documented exposure puts a patient "in window" for the screen.
 */
import type { ExposureWindow, WindowDuration } from '../knowledge/exposures';
import { DAY_MS, toEpochMs } from './time';
import type { Exposure } from './types';

export interface WindowInterval {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, inclusive. */
  to: number;
  /** What opened this interval: the first dose / infusion, or a documented dose increase. */
  openedBy: 'start' | 'dose-increase';
  /** The date that opened it, as found in the resource. */
  at: string;
}

function durationMs(d: WindowDuration): number {
  return d.value * (d.unit === 'wk' ? 7 * DAY_MS : DAY_MS);
}

/**
 * The intervals in which `exposure` is in window. Empty when the exposure has no usable start (the card then
 * reports the exposure as undated). `nowMs` is needed only for ongoing therapies with `openWhileOngoing`.
 */
export function exposureWindows(exposure: Exposure, window: ExposureWindow, nowMs?: number): WindowInterval[] {
  const start = toEpochMs(exposure.start);
  if (start === undefined || exposure.start === undefined) return [];
  const openings: { at: string; ms: number; openedBy: WindowInterval['openedBy'] }[] = [
    { at: exposure.start, ms: start, openedBy: 'start' },
  ];
  if (window.reopenOnDoseIncrease) {
    for (const d of exposure.doseIncreases) {
      const ms = toEpochMs(d);
      if (ms !== undefined && ms >= start) openings.push({ at: d, ms, openedBy: 'dose-increase' });
    }
  }
  const last = toEpochMs(exposure.last) ?? start;
  const offset = durationMs(window.closeAfter);
  return openings.map((o) => {
    let base = window.closeFrom === 'last' ? Math.max(last, o.ms) : o.ms;
    if (window.openWhileOngoing && exposure.ongoing === true && nowMs !== undefined) base = Math.max(base, nowMs);
    return { from: o.ms, to: base + offset, openedBy: o.openedBy, at: o.at };
  });
}
