/**
 * Reference ranges that do not come as Quantities: the lab's range given only as text, and the knowledge base's
 * age-banded fallback ranges.
 *
 * Text (FHIR R4 Observation.referenceRange.text): used only when it reads one way. Accepted shapes, with an
 * optional unit after the numbers (else the Observation's own unit applies): `20-250`, `20 – 250 ng/mL`,
 * `20 to 250`, `<35`, `≤ 400 U/L`, `<= 400`, `>150`, `≥ 1.5 g/L`. Refused (the fallback then applies and the
 * card names the unread text): any comma (decimal comma or thousands separator cannot be told apart: "1,5"),
 * signs, several ranges ("M: 20-250, F: 10-120"), words, a low bound above the high one, and a unit the
 * analyte's converter does not know.
 */
import type { FallbackBand } from '../knowledge/analytes';

export interface TextRange {
  low?: number;
  high?: number;
  /** The unit written after the numbers, if any. */
  unit?: string;
}

const NUM = '(\\d+(?:\\.\\d+)?|\\.\\d+)';
const BETWEEN = new RegExp(`^${NUM} ?(?:-|–|—|to) ?${NUM}(?: ?(.+))?$`, 'i');
const UPPER = new RegExp(`^(?:<=|<|≤|＜|=<) ?${NUM}(?: ?(.+))?$`);
const LOWER = new RegExp(`^(?:>=|>|≥|＞|=>) ?${NUM}(?: ?(.+))?$`);

/**
 * The bounds and unit a range text states, or undefined when it does not read one way. The unit text is returned
 * as written; the caller refuses the range when the analyte's unit converter does not recognise it.
 */
export function parseRangeText(text: string): TextRange | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '' || t.length > 60 || t.includes(',')) return undefined;
  const unit = (u: string | undefined): { unit?: string } => (u === undefined ? {} : { unit: u });
  let m = BETWEEN.exec(t);
  if (m) {
    const low = Number(m[1]);
    const high = Number(m[2]);
    return low <= high ? { low, high, ...unit(m[3]) } : undefined;
  }
  m = UPPER.exec(t);
  if (m) return { high: Number(m[1]), ...unit(m[2]) };
  m = LOWER.exec(t);
  if (m) return { low: Number(m[1]), ...unit(m[2]) };
  return undefined;
}

/** UCUM age units (FHIR Age): day, week, month, year. */
export type AgeUnit = 'd' | 'wk' | 'mo' | 'a';

/** `birthMs` plus an age in UCUM age units, on the UTC calendar (months and years as calendar steps). */
export function addAge(birthMs: number, value: number, unit: AgeUnit): number {
  if (unit === 'd') return birthMs + value * 86_400_000;
  if (unit === 'wk') return birthMs + value * 7 * 86_400_000;
  const d = new Date(birthMs);
  const whole = Math.floor(value);
  if (unit === 'mo') d.setUTCMonth(d.getUTCMonth() + whole);
  else d.setUTCFullYear(d.getUTCFullYear() + whole);
  // A fractional year or month is rare in a band; its remainder is counted in days (30.44 per month).
  const rest = value - whole;
  return d.getTime() + (rest ? rest * (unit === 'mo' ? 30.44 : 365.25) * 86_400_000 : 0);
}

/**
 * The first band that applies at `atMs` for a patient born at `birthMs`: a band without `age` applies to
 * everyone (also when the age is unknown); a band with `age` applies when `age.low ≤ age < age.high`.
 */
export function pickBand(bands: readonly FallbackBand[], birthMs: number | undefined, atMs: number): FallbackBand | undefined {
  for (const b of bands) {
    const age = b.age;
    if (age === undefined) return b;
    if (birthMs === undefined) continue;
    if (age.low !== undefined && atMs < addAge(birthMs, age.low.value, age.low.unit)) continue;
    if (age.high !== undefined && atMs >= addAge(birthMs, age.high.value, age.high.unit)) continue;
    return b;
  }
  return undefined;
}
