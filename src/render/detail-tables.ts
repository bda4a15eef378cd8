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

/** The criteria wording of the card content (reasons and flags by engine code). */
type Words = CardContent['wording']['criteria'];

/** For an item with no data: what the chart holds instead ("no usable result: clotted"), if anything. */
type UnusableNote = (i: CriterionItem) => string | undefined;
const NO_NOTE: UnusableNote = () => undefined;
const ANALYTE_KEYS: readonly string[] = ANALYTE_IDS;

/** `markdown`: escaped for the detail; otherwise plain text (suggestion descriptions). */
export function unusableText(u: UnusableResult, content: CardContent, markdown = true): string {
  const reason = u.reason ?? 'unspecified';
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

function stateCell(i: CriterionItem, w: Words, note: UnusableNote = NO_NOTE): string {
  if (i.state === 'met') return '**met**';
  if (i.state === 'not-met') return 'not met';
  const why = note(i) ?? w.reasons[i.reason];
  return why ? `unknown (${why})` : 'unknown';
}

function valueCell(i: CriterionItem, w: Words): string {
  const parts: string[] = [];
  if (i.value !== undefined) {
    parts.push(esc(formatValue(i.value, i.unit, i.comparator, thresholdInValueUnit(i))));
    if (i.multiple) parts.push(`(${formatFactor(i.multiple.factor)} ${i.multiple.of === 'uln' ? 'ULN' : i.multiple.of === 'lln' ? 'LLN' : 'baseline'})`);
  } else if (i.original !== undefined) {
    parts.push(`reported ${esc(`${i.original.value}${i.original.unit ? ` ${i.original.unit}` : ''}`)}`);
  }
  if (i.baseline) parts.push(`baseline ${esc(formatValue(i.baseline.value, i.baseline.unit, i.baseline.comparator))}`);
  if (i.comparison) {
    const c = i.comparison;
    parts.push(`earlier value ${esc(formatValue(c.value, c.unit, c.comparator))} (${esc(formatTime(c.time))})`);
  }
  // The range source (lab / fallback / default) has its own column.
  const flags = (i.flags ?? []).filter((f) => f !== 'fallback-range').map((f) => w.flags[f]);
  if (i.status === 'preliminary' && !flags.includes('preliminary')) flags.push('preliminary');
  if (flags.length) parts.push(`*${flags.join(', ')}*`);
  return parts.join(' ');
}

function thresholdCell(i: CriterionItem): string {
  const t = i.threshold;
  if (!t) return '';
  const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[t.operator];
  const basis =
    t.basis === 'absolute'
      ? ''
      : ` (${t.factor ?? 1}× ${t.basis === 'uln' ? 'ULN' : t.basis === 'lln' ? 'LLN' : t.basis === 'baseline' ? 'baseline' : 'earlier value'})`;
  const status = t.status === 'confirmed' ? '' : ` [${t.status}]`;
  return esc(`${op} ${formatValue(t.value, t.unit)}`) + basis + status;
}

function rangeCell(i: CriterionItem): string {
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
  const src = r.source === 'lab' ? (r.text !== undefined ? 'lab, from its text' : 'lab') : r.source === 'fallback' ? `fallback, ${esc(r.population ?? 'adult')}` : 'default [design]';
  const unread = r.unreadText !== undefined ? `; lab range text “${esc(r.unreadText, 60)}” not readable` : '';
  return `${esc(`${span} ${u}`.trim())} (${src}${unread})`;
}

export function criteriaRows(items: readonly CriterionItem[], framework: Framework, wording: CardContent['wording'], note: UnusableNote, suffix = ''): string[][] {
  const rows: string[][] = [];
  const w = wording.criteria;
  for (const i of items) {
    rows.push([`${esc(itemLabel(wording.items, framework, i))}${suffix}`, stateCell(i, w, note), valueCell(i, w), thresholdCell(i), esc(formatTime(i.time)), rangeCell(i)]);
    for (const c of i.components ?? []) {
      rows.push([`↳ ${esc(itemLabel(wording.items, framework, c))}`, stateCell(c, w, note), valueCell(c, w), thresholdCell(c), esc(formatTime(c.time)), rangeCell(c)]);
    }
  }
  return rows;
}

export const CRITERIA_HEADER = ['Criterion', 'State', 'Value', 'Threshold', 'Time', 'Reference range (source)'];

export function hscoreSection(a: Assessment, wording: CardContent['wording'], note: UnusableNote): string[] {
  const w = wording.criteria;
  const h = a.hscore;
  const range = h.complete || h.score === h.maxPossible ? `${h.score}` : `${h.score}–${h.maxPossible}`;
  const prob = h.complete
    ? `${esc(h.probability.display)}`
    : `${esc(h.probability.display)} from available data, up to ${esc(h.probabilityAtMaxPossible.display)} if every missing variable were positive`;
  const lines = [
    `#### HScore: ${range} of ${h.maximum} (cut-off ${h.cutoff})`,
    `Probability of reactive HLH: ${prob} — ${esc(h.probabilityLabel)}.`,
  ];
  if (h.missing.length) lines.push(`Missing or partly unknown: ${h.missing.map((m) => esc(m)).join(', ')}.`);
  const rows = h.variables.map((v: HScoreVariable) => [
    esc(itemLabel(wording.items, 'hscore', v)),
    v.points === v.maxPoints ? `${v.points}` : `${v.points}–${v.maxPoints}`,
    stateCell(v, w, note),
    valueCell(v, w),
    esc(formatTime(v.time)),
  ]);
  if (rows.length) lines.push('', table(['Variable', 'Points', 'State', 'Value', 'Time'], rows));
  return lines;
}
