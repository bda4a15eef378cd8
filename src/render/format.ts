/** Number, unit and time formatting for cards (plain text; callers escape where needed). */
import type { Comparator } from '../timeline/types';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * An integer with en-US thousands separators, as `grouped.format(n)` gives it ("-24,500"), by hand: Intl
 * formatting was the top self-time function of rendering. test/render/format-number.test.ts checks it
 * against Intl.
 */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n) || n === 0) return grouped.format(n); // fractions, -0, beyond 2^53: as Intl
  const digits = String(n < 0 ? -n : n);
  let out = digits.length % 3 || 3;
  let s = digits.slice(0, out);
  for (; out < digits.length; out += 3) s += `,${digits.slice(out, out + 3)}`;
  return n < 0 ? `-${s}` : s;
}

/** 24500 → "24,500"; 110 → "110"; 12.34 → "12.3"; 0.456 → "0.46". Never scientific notation. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return groupThousands(Math.round(v));
  const digits = a >= 10 ? 1 : a >= 1 ? 1 : 2;
  const s = v.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * formatNumber(v), with more decimals when rounding would make v look equal to `bound` or put it on the other
 * side of it (fibrinogen 149.6 vs "< 150" → "149.6", not "150"; platelets 99.96 vs 100 → "99.96").
 */
export function formatNumberApart(v: number, bound: number | undefined): string {
  const s = formatNumber(v);
  if (bound === undefined || !Number.isFinite(v) || !Number.isFinite(bound) || v === bound) return s;
  const side = Math.sign(v - bound);
  const shown = Number(s.replace(/,/g, ''));
  if (Math.sign(shown - bound) === side) return s;
  for (let d = 1; d <= 10; d++) {
    const r = Number(v.toFixed(d));
    if (Math.sign(r - bound) === side) {
      return new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: d }).format(r);
    }
  }
  return String(v);
}

/** A multiple of ULN/baseline: 12.3 → "12×", 2.46 → "2.5×". */
export function formatFactor(f: number): string {
  return `${f >= 10 ? Math.round(f) : Math.round(f * 10) / 10}×`;
}

const UNIT_DISPLAY: Record<string, string> = {
  '10*9/L': '×10⁹/L',
  '10*3/uL': '×10³/µL',
  Cel: '°C',
  C: '°C',
  '[degF]': '°F',
  F: '°F',
  'ug/L': 'µg/L',
  '[IU]/mL': 'IU/mL',
  '{ratio}': '',
  '1': '',
  '{INR}': '',
};

export function formatUnit(unit: string | undefined): string {
  if (!unit) return '';
  return UNIT_DISPLAY[unit] ?? unit;
}

/** ">40,000 ng/mL", "110 mg/dL", "1.2" (INR). `apartFrom`: a threshold (same unit) the number must not round onto. */
export function formatValue(value: number, unit?: string, comparator?: Comparator, apartFrom?: number): string {
  const u = formatUnit(unit);
  const sep = u === '' || u === '°C' || u === '°F' ? '' : ' ';
  return `${comparator ?? ''}${formatNumberApart(value, apartFrom)}${sep}${u}`;
}

/** "2024-05-12T08:00:00Z" → "2024-05-12 08:00Z"; dates stay dates; anything else is returned as is. */
export function formatTime(t: string | undefined): string {
  if (!t) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(t);
  if (!m) return t;
  return `${m[1]} ${m[2]}${m[3] ?? ''}`;
}

/** "5 h", "3 d" — age of a value relative to asOf. */
export function formatAge(hours: number): string {
  if (hours < 48) return `${Math.max(0, Math.round(hours))} h`;
  return `${Math.round(hours / 24)} d`;
}

/**
 * A template split at its `{name}` placeholders: text, name, text, name, …, text. Templates come from the card
 * content (a few dozen strings), so each is split once and kept (bounded).
 */
const templateParts = new Map<string, string[]>();
function partsOf(template: string): string[] {
  let parts = templateParts.get(template);
  if (!parts) {
    parts = template.split(/\{([a-zA-Z]+)\}/);
    if (templateParts.size >= 1_000) templateParts.clear();
    templateParts.set(template, parts);
  }
  return parts;
}

/** Fills `{name}` placeholders; unknown names are left visible so a content typo is noticed in review. */
export function fill(template: string, vars: Record<string, string | number | undefined>): string {
  const parts = partsOf(template);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const v = vars[name];
    out += (v === undefined ? `{${name}}` : String(v)) + parts[i + 1]!;
  }
  return out;
}
