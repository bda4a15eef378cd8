/**
 * FHIR dates and date-times as epoch milliseconds. A date without a time ("2026-03-01") or with a
 * partial precision ("2026-03") is taken at the start of that period in UTC; a date-time without a
 * zone is taken as UTC. Returns undefined for anything unparseable, so callers treat it as missing.
 */
export function toEpochMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h, mi, s = '00', frac = '', zone] = m;
  if (h === undefined) return Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone ?? 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
