/**
 * FHIR dates and date-times as epoch milliseconds. A date without a time ("2026-03-01") or with a
 * partial precision ("2026-03") is taken at the start of that period in UTC; a date-time without a
 * zone is taken as UTC. Returns undefined for anything unparseable, so callers treat it as missing.
 */

const D0 = 48; // '0'

/** Two ASCII digits at i..i+1 as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - D0;
  const b = s.charCodeAt(i + 1) - D0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The common shape, `YYYY-MM-DDThh:mm:ss[.f{1,3}](Z|±hh:mm)`, read without a regex or Date.parse (the
 * timeline reads one per Observation; the regex + string rebuild + Date.parse was a tenth of the engine).
 * Day 29–31 of a shorter month rolls over in both, as Date.parse does. Returns NaN for anything it does not
 * handle *exactly* as `toEpochMsReference` would; that then decides
 * (24:00, years before 1000, longer fractions, other precisions). Equality: test/timeline/time.test.ts.
 */
function fastIso(s: string): number {
  const n = s.length;
  if (n < 20 || n > 29 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const sec = two(s, 17);
  if (y1 < 10 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    // '.', then 1–3 digits (scaled to ms as Date.parse does)
    let digits = 0;
    i++;
    while (i < n && digits < 4) {
      const c = s.charCodeAt(i) - D0;
      if (c < 0 || c > 9) break;
      ms = ms * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3) return NaN;
    ms *= digits === 1 ? 100 : digits === 2 ? 10 : 1;
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 && i + 1 === n) {
    // 'Z'
  } else if ((z === 43 || z === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = two(s, i + 1);
    const om = two(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else return NaN;
  return (daysFromCivil(y1 * 100 + y2, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offsetMin * 60) * 1000 + ms;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (year ≥ 1000 here), by integer arithmetic (H. Hinnant's
 * days_from_civil); a day past the month's end rolls into the next month, as Date.UTC does. Twice as fast as Date.UTC.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The general parser: every FHIR precision, by regex and Date.parse. */
export function toEpochMsReference(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h, mi, s = '00', frac = '', zone] = m;
  if (h === undefined) return Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone ?? 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export function toEpochMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const fast = fastIso(value);
  return fast === fast ? fast : toEpochMsReference(value); // fast === fast: not NaN
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
