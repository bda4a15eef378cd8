/**
 * The criteria tables of the card's detail (Markdown): each criterion's state, value, threshold, time and reference
 * range with its source, and the HScore variables. Everything that came from the EHR is escaped (./markdown.ts).
 */
import type { Assessment, CriterionItem, Framework, HScoreVariable, UnusableResult } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatFactor, formatNumber, formatTime, formatUnit, formatValue } from './format';
import { escapeMarkdown as esc, plainText, table } from './markdown';
import { ANALYTE_IDS } from '../vocabulary';
import { analyteOfItem, itemLabel, thresholdInValueUnit } from './criterion-items';

/** The card wording the tables use: reasons and flags by engine code, and the detail's cell words. */
type Wording = CardContent['wording'];

/** For an item with no data: what the chart holds instead ("no usable result: clotted"), if anything. */
type UnusableNote = (i: CriterionItem) => string | undefined;
const NO_NOTE: UnusableNote = () => undefined;
const ANALYTE_KEYS: readonly string[] = ANALYTE_IDS;

/** `markdown`: escaped for the detail; otherwise plain text (suggestion descriptions). */
export function unusableText(u: UnusableResult, content: CardContent, markdown = true): string {
  const reason = u.reason ?? content.wording.detail.unspecifiedReason;
  return fill(content.wording.dataNotes.unusable[u.kind], { reason: markdown ? esc(reason, 80) : plainText(reason).slice(0, 80) });
}

export function unusableNote(a: Assessment, content: CardContent): UnusableNote {
  if (!a.unusable.length) return NO_NOTE;
  return (i) => {
    if (i.state !== 'unknown' || i.reason !== 'no-data') return undefined;
    const analyte = analyteOfItem(i.id, ANALYTE_KEYS);
    const u = a.unusable.find((x) => x.analyte === analyte);
    return u && unusableText(u, content);
  };
}

/** "LDH > ULN (result present, unit missing)". */
export function withNote(label: string, i: CriterionItem, note: UnusableNote): string {
  const n = note(i);
  return n ? `${esc(label)} (${n})` : esc(label);
}

function stateCell(i: CriterionItem, w: Wording, note: UnusableNote = NO_NOTE): string {
  const states = w.detail.states;
  if (i.state !== 'unknown') return states[i.state];
  const why = note(i) ?? w.criteria.reasons[i.reason];
  return why ? fill(w.detail.unknownBecause, { reason: why }) : states.unknown;
}

function valueCell(i: CriterionItem, w: Wording): string {
  const parts: string[] = [];
  const words = w.detail.values;
  if (i.value !== undefined) {
    parts.push(esc(formatValue(i.value, i.unit, i.comparator, thresholdInValueUnit(i))));
    if (i.multiple) parts.push(`(${formatFactor(i.multiple.factor)} ${w.detail.basis[i.multiple.of]})`);
  } else if (i.original !== undefined) {
    parts.push(fill(words.reported, { value: esc(`${i.original.value}${i.original.unit ? ` ${i.original.unit}` : ''}`) }));
  }
  if (i.baseline) parts.push(fill(words.baseline, { value: esc(formatValue(i.baseline.value, i.baseline.unit, i.baseline.comparator)) }));
  if (i.comparison) {
    const c = i.comparison;
    parts.push(fill(words.earlierValue, { value: esc(formatValue(c.value, c.unit, c.comparator)), time: esc(formatTime(c.time)) }));
  }
  // The range source (lab / fallback / default) has its own column.
  const flags = (i.flags ?? []).filter((f) => f !== 'fallback-range').map((f) => w.criteria.flags[f]);
  if (i.status === 'preliminary' && !i.flags?.includes('preliminary')) flags.push(w.criteria.flags.preliminary);
  if (flags.length) parts.push(`*${flags.join(', ')}*`);
  return parts.join(' ');
}

function thresholdCell(i: CriterionItem, w: Wording): string {
  const t = i.threshold;
  if (!t) return '';
  const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[t.operator];
  const basis = t.basis === 'absolute' ? '' : ` (${t.factor ?? 1}× ${w.detail.basis[t.basis]})`;
  const status = t.status === 'confirmed' ? '' : ` [${t.status}]`;
  return esc(`${op} ${formatValue(t.value, t.unit)}`) + basis + status;
}

function rangeCell(i: CriterionItem, w: Wording): string {
  const r = i.referenceRange;
  if (!r) return '';
  const u = formatUnit(r.unit);
  const span =
    r.low !== undefined && r.high !== undefined
      ? `${formatNumber(r.low)}–${formatNumber(r.high)}`
      : r.high !== undefined
        ? `≤ ${formatNumber(r.high)}`
        : r.low !== undefined
          ? `≥ ${formatNumber(r.low)}`
          : '';
  const d = w.detail;
  const src = r.source === 'lab' && r.text !== undefined ? d.rangeFromText : fill(d.rangeSource[r.source], { population: esc(r.population ?? d.fallbackPopulation) });
  const unread = r.unreadText !== undefined ? `; ${fill(d.rangeUnreadable, { text: esc(r.unreadText, 60) })}` : '';
  return `${esc(`${span} ${u}`.trim())} (${src}${unread})`;
}

export function criteriaRows(items: readonly CriterionItem[], framework: Framework, wording: Wording, note: UnusableNote, suffix = ''): string[][] {
  const rows: string[][] = [];
  const w = wording;
  const row = (i: CriterionItem, label: string) => [label, stateCell(i, w, note), valueCell(i, w), thresholdCell(i, w), esc(formatTime(i.time)), rangeCell(i, w)];
  for (const i of items) {
    rows.push(row(i, `${esc(itemLabel(wording.items, framework, i))}${suffix}`));
    for (const c of i.components ?? []) rows.push(row(c, `↳ ${esc(itemLabel(wording.items, framework, c))}`));
  }
  return rows;
}

/** The header row of the criteria tables. */
export function criteriaHeader(wording: Wording): string[] {
  const h = wording.detail.criteriaHeader;
  return [h.criterion, h.state, h.value, h.threshold, h.time, h.range];
}

export function hscoreSection(a: Assessment, wording: Wording, note: UnusableNote): string[] {
  const w = wording.detail.hscore;
  const h = a.hscore;
  const range = h.complete || h.score === h.maxPossible ? `${h.score}` : `${h.score}–${h.maxPossible}`;
  const prob = h.complete ? esc(h.probability.display) : fill(w.upTo, { probability: esc(h.probability.display), max: esc(h.probabilityAtMaxPossible.display) });
  const lines = [
    `#### ${fill(wording.detail.headings.hscore, { range, maximum: h.maximum, cutoff: h.cutoff })}`,
    fill(w.probability, { probability: prob, method: esc(w.method) }),
  ];
  // The variables by their card labels, never their ids.
  const missing = h.variables.filter((v) => h.missing.includes(v.id as (typeof h.missing)[number]));
  if (missing.length) lines.push(fill(w.missing, { items: missing.map((v) => esc(itemLabel(wording.items, 'hscore', v))).join(', ') }));
  const rows = h.variables.map((v: HScoreVariable) => [
    esc(itemLabel(wording.items, 'hscore', v)),
    v.points === v.maxPoints ? `${v.points}` : `${v.points}–${v.maxPoints}`,
    stateCell(v, wording, note),
    valueCell(v, wording),
    esc(formatTime(v.time)),
  ]);
  const t = w.header;
  if (rows.length) lines.push('', table([t.variable, t.points, t.state, t.value, t.time], rows));
  return lines;
}
