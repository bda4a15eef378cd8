/**
 * The met criteria of the brief card, one short line each: "Ferritin 24,500 ng/mL, 61× ULN (> 800)". The value is
 * shown in the unit system the lab reported, and the threshold in that same system; a criterion with sub-items
 * (cytopenia lineages, transaminases, the arms of an OR-criterion) is shown by its met sub-items. Each analyte is
 * shown once (the ASTCT features first, then HLH-2004).
 */
import type { Assessment, CriterionItem, Framework } from '../criteria/types';
import { HLH2004_ITEM_IDS } from '../criteria/types';
import { ANALYTE_IDS, type AnalyteId } from '../vocabulary';
import type { CardContent } from './content';
import { formatFactor, formatNumber, formatNumberApart, formatUnit } from './format';
import { escapeMarkdown as esc } from './markdown';
import { analyteOfItem, itemLabel } from './criterion-items';
import { cutAtWord } from './brief-budget';

const ANALYTE_KEYS: readonly string[] = ANALYTE_IDS;
const OPERATOR = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' } as const;

function sameUnit(a: string | undefined, b: string | undefined): boolean {
  const norm = (u: string | undefined) => (u ?? '').replace(/\s+/g, '').replace(/[µμ]/g, 'u').toLowerCase();
  return a !== undefined && b !== undefined && norm(a) === norm(b);
}

function originalNumber(i: CriterionItem): number | undefined {
  const o = i.original?.value;
  const n = typeof o === 'number' ? o : typeof o === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(o) ? Number(o) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

const FAHRENHEIT = new Set(['[degf]', 'degf', 'f', '°f']);

/** A canonical threshold in the lab's unit: by the value's ratio, except °C → °F (not a multiple). */
function rescaled(threshold: number, canonical: number, original: number, labUnit: string): number {
  if (FAHRENHEIT.has(labUnit.replace(/\s+/g, '').toLowerCase())) return (threshold * 9) / 5 + 32;
  return (threshold * original) / canonical;
}

/**
 * Value and threshold in one unit system: the lab's when it reported a number in a unit (the threshold restated
 * by the same ratio when it was compared in the canonical unit), else the canonical one.
 */
function valueAndThreshold(i: CriterionItem): { value: number; unit: string | undefined; threshold?: number } | undefined {
  if (i.value === undefined) return undefined;
  const t = i.threshold;
  const orig = originalNumber(i);
  const labUnit = i.original?.unit;
  if (orig !== undefined && labUnit && !sameUnit(labUnit, i.unit) && i.value !== 0) {
    if (!t) return { value: orig, unit: labUnit };
    if (sameUnit(t.unit, labUnit)) return { value: orig, unit: labUnit, threshold: t.value };
    if (sameUnit(t.unit, i.unit)) return { value: orig, unit: labUnit, threshold: rescaled(t.value, i.value, orig, labUnit) };
  }
  if (!t) return { value: i.value, unit: i.unit };
  if (sameUnit(t.unit, i.unit)) return { value: i.value, unit: i.unit, threshold: t.value };
  if (orig !== undefined && sameUnit(t.unit, labUnit)) return { value: orig, unit: labUnit, threshold: t.value };
  return { value: i.value, unit: i.unit };
}

/** A threshold as the knowledge base gives it (101.3 °F stays 101.3, not 101); a converted one to 2 decimals. */
function thresholdNumber(t: number): string {
  return Number.isInteger(t) ? formatNumber(t) : THRESHOLD_FORMAT.format(t);
}
const THRESHOLD_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function withUnit(n: string, unit: string | undefined): string {
  const u = formatUnit(unit);
  return u === '' ? n : u === '°C' || u === '°F' ? `${n}${u}` : `${n} ${u}`;
}

/** The short name (analyte or finding), else the criterion's own label template: always card content. */
function label(i: CriterionItem, framework: Framework, content: CardContent): string {
  const analyte = analyteOfItem(i.id, ANALYTE_KEYS) as AnalyteId | undefined;
  const known = analyte ? content.wording.analyteLabels[analyte] : content.wording.brief.criterionLabels[i.id];
  return known ?? cutAtWord(itemLabel(content.wording.items, framework, i), 48);
}

/** Escaped for the middle of a line: block syntax ("1." at a line start) cannot occur there, so it is not escaped. */
function midLine(s: string): string {
  return esc(`x${s}`, 300).slice(1);
}

/** "Ferritin 24,500 ng/mL, 61× ULN (> 800)"; "Splenomegaly" for a finding without a value. */
function line(i: CriterionItem, framework: Framework, content: CardContent): string {
  const shown = valueAndThreshold(i);
  if (!shown) return esc(label(i, framework, content));
  const t = i.threshold;
  const value = withUnit(`${i.comparator ?? ''}${formatNumberApart(shown.value, shown.threshold)}`, shown.unit);
  const extra: string[] = [];
  if (i.multiple) extra.push(`${formatFactor(i.multiple.factor)} ${content.wording.detail.basis[i.multiple.of]}`);
  if (i.status === 'preliminary' || i.flags?.includes('preliminary')) extra.push(content.wording.brief.preliminary);
  const threshold = t && shown.threshold !== undefined ? ` (${midLine(`${OPERATOR[t.operator]} ${thresholdNumber(shown.threshold)}`)})` : '';
  return `${esc(label(i, framework, content))} ${midLine(value)}${extra.length ? `, ${extra.join(', ')}` : ''}${threshold}`;
}

/** The met leaves that show an item: its met sub-items when it has any, else the item itself. */
function shownItems(i: CriterionItem): CriterionItem[] {
  const met = (i.components ?? []).filter((c) => c.state === 'met');
  return met.length ? met.flatMap(shownItems) : [i];
}

/** One line per met criterion value, each analyte or finding once, in reading order. */
export function metCriteriaLines(a: Assessment, content: CardContent): string[] {
  const hlh = HLH2004_ITEM_IDS.map((id) => a.hlh2004.items.find((i) => i.id === id)).filter((i): i is CriterionItem => Boolean(i));
  const iec = [...(a.iecHs?.features ?? []), ...(a.iecHs?.mayBePresent ?? [])];
  const pool: Array<[CriterionItem, Framework]> = [...iec.map((i): [CriterionItem, Framework] => [i, 'iecHs']), ...hlh.map((i): [CriterionItem, Framework] => [i, 'hlh2004'])];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [item, framework] of pool) {
    if (item.state !== 'met') continue;
    for (const i of shownItems(item)) {
      const key = analyteOfItem(i.id, ANALYTE_KEYS) ?? i.id;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(line(i, framework, content));
    }
  }
  return out;
}
