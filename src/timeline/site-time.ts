/**
 * The site's clock: how FHIR dates and date-times are placed in the site's time zone (an IANA name such as
 * `Europe/Berlin`, configured once; default UTC). The timeline and the criteria engine read every time through
 * the same `SiteTime`, so they always agree.
 *
 * - An instant with a zone (`Z` or `±hh:mm`) is that instant, whatever the site zone.
 * - A date-time without a zone (`2026-03-15T08:00:00`: FHIR requires a zone once hours are given, feeds send it
 *   anyway) is site wall-clock time. A wall-clock time that does not exist (the hour skipped when DST starts) is
 *   read with the offset in force before the change (02:30 → 03:30 summer time); one that occurs twice (when DST
 *   ends) is the first occurrence. The timeline rewrites such strings once with their offset (`withZone`).
 * - A date (`2026-03-15`; also `2026-03`, `2026`) is a calendar date: the site's calendar day itself, placed at
 *   00:00 site time when one instant is needed (ordering, lookback bounds).
 * Calendar days (`dayOf`) are the site's: day numbering and "the end of calendar day N" follow local midnight,
 * so a day is 23 or 25 hours long across a DST change.
 *
 * Offsets come from the platform's time-zone data (`Intl.DateTimeFormat`), cached per UTC day; UTC needs none.
 */
import { DAY_MS, toEpochMs } from './time';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** `YYYY[-MM[-DD[Thh:mm[:ss[.f]]]]]` with no zone: the forms read as site wall-clock time (or a calendar date). */
const WALL_CLOCK = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?)?)?$/;

/** Whether a string ends in a zone designator (`Z`, `±hh:mm`): cheap, no regex (read for every value). */
function hasZone(s: string): boolean {
  const n = s.length;
  if (n < 11) return false;
  if (s.charCodeAt(n - 1) === 90) return true; // 'Z'
  const sign = s.charCodeAt(n - 6);
  return (sign === 43 || sign === 45) && s.charCodeAt(n - 3) === 58 && s.charCodeAt(10) === 84; // '+'/'-', ':', 'T'
}

/** Whether `value` is a date-time with hours but no zone (`2026-03-15T08:00:00`). */
export function isZonelessDateTime(value: string): boolean {
  return value.length > 10 && !hasZone(value) && value.charCodeAt(10) === 84 && WALL_CLOCK.test(value);
}

/** Whether `zone` is a time zone this platform knows (IANA name, or UTC). */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function offsetText(offsetMs: number): string {
  if (offsetMs === 0) return 'Z';
  const m = Math.round(Math.abs(offsetMs) / MINUTE_MS);
  const hh = String(Math.floor(m / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${offsetMs < 0 ? '-' : '+'}${hh}:${mm}`;
}

export class SiteTime {
  /** The IANA name as the platform resolves it (e.g. `UTC`, `America/New_York`). */
  readonly zone: string;
  private readonly utc: boolean;
  private readonly parts: Intl.DateTimeFormat | undefined;
  /** UTC day index → the offset in force all that day, or null when it changes that day. */
  private readonly dayOffsets = new Map<number, number | null>();

  constructor(zone = 'UTC') {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    this.zone = fmt.resolvedOptions().timeZone;
    this.utc = this.zone === 'UTC' || this.zone === 'Etc/UTC' || this.zone === 'Etc/GMT' || this.zone === 'GMT';
    this.parts = this.utc ? undefined : fmt;
  }

  /** Offset of the site zone from UTC at instant `t`, in ms (local = UTC + offset). */
  offsetAt(t: number): number {
    if (this.utc || !Number.isFinite(t)) return 0;
    const day = Math.floor(t / DAY_MS);
    const cached = this.dayOffsets.get(day);
    if (cached !== undefined && cached !== null) return cached;
    if (cached === undefined) {
      const start = this.exactOffset(day * DAY_MS);
      const end = this.exactOffset((day + 1) * DAY_MS - 1);
      if (this.dayOffsets.size >= 10_000) this.dayOffsets.clear();
      this.dayOffsets.set(day, start === end ? start : null);
      if (start === end) return start;
    }
    return this.exactOffset(t);
  }

  private exactOffset(t: number): number {
    const f: Record<string, number> = {};
    for (const p of (this.parts as Intl.DateTimeFormat).formatToParts(t)) if (p.type !== 'literal') f[p.type] = Number(p.value);
    const local = Date.UTC(f.year as number, (f.month as number) - 1, f.day, f.hour, f.minute, f.second);
    return local - (t - (((t % 1000) + 1000) % 1000));
  }

  /**
   * Epoch ms of a FHIR date, date-time or instant placed in the site zone (see the module comment); undefined
   * when unparseable. Zoned instants take `toEpochMs`'s fast path.
   */
  ms(value: string | undefined): number | undefined {
    if (!value) return undefined;
    if (this.utc || hasZone(value)) return toEpochMs(value);
    const m = WALL_CLOCK.exec(value);
    if (!m) return toEpochMs(value);
    const utcWall = toEpochMs(value); // the wall-clock fields read as UTC (also validates them)
    if (utcWall === undefined) return undefined;
    return this.fromWallClock(utcWall);
  }

  /** The instant whose site wall-clock reading is `wall` (wall-clock fields encoded as a UTC epoch). */
  private fromWallClock(wall: number): number {
    const before = this.offsetAt(wall - DAY_MS);
    const after = this.offsetAt(wall + DAY_MS);
    const a = wall - before;
    if (before === after) return a;
    const b = wall - after;
    const aValid = this.offsetAt(a) === before;
    const bValid = this.offsetAt(b) === after;
    if (aValid && bValid) return Math.min(a, b); // occurs twice (DST ends): the first occurrence
    if (aValid) return a;
    if (bValid) return b;
    return a; // skipped (DST starts): read with the offset in force before the change
  }

  /** The site calendar day (days since 1970-01-01 in the site zone) of instant `t`. */
  dayOf(t: number): number {
    return Math.floor((t + this.offsetAt(t)) / DAY_MS);
  }

  /** The site calendar day of a FHIR value (a date is its own day), or undefined when unparseable. */
  dayOfValue(value: string | undefined): number | undefined {
    const t = this.ms(value);
    return t === undefined ? undefined : this.dayOf(t);
  }

  /** The first instant of site calendar day `day` (00:00 local, or the end of a DST gap at midnight). */
  startOfDay(day: number): number {
    const wall = day * DAY_MS;
    let t = wall - this.offsetAt(wall);
    t = wall - this.offsetAt(t);
    if (this.dayOf(t) === day && this.dayOf(t - 1) === day - 1) return t;
    // Local midnight skipped or repeated: the first instant on `day`, by bisection between ±26 h.
    let lo = wall - 26 * HOUR_MS;
    let hi = wall + 26 * HOUR_MS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.dayOf(mid) >= day) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The last millisecond of site calendar day `day`. */
  endOfDay(day: number): number {
    return this.startOfDay(day + 1) - 1;
  }

  /**
   * A date-time without a zone rewritten with the offset that places it in the site zone (`…T08:00:00` →
   * `…T08:00:00-04:00`, or `Z` at UTC); every other value is returned unchanged.
   */
  withZone(value: string): string {
    if (!isZonelessDateTime(value)) return value;
    const utcWall = toEpochMs(value);
    const t = this.ms(value);
    if (utcWall === undefined || t === undefined) return value;
    return `${value}${offsetText(utcWall - t)}`;
  }
}

const byZone = new Map<string, SiteTime>();

/** The `SiteTime` of a zone (default UTC), built once per zone. Throws a RangeError for an unknown zone. */
export function siteTime(zone = 'UTC'): SiteTime {
  let s = byZone.get(zone);
  if (!s) {
    s = new SiteTime(zone);
    if (byZone.size >= 100) byZone.clear();
    byZone.set(zone, s);
  }
  return s;
}
