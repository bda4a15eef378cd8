/**
 * Criterion tables of the evidence view: every framework the card reports (ASTCT 2023 IEC-HS, HLH-2004,
 * HScore, OHI), each item met / not met / unknown with its value, unit, time, threshold, reference range and
 * the range's and threshold's sources. Plain text cells: the page sets them as text, never as HTML.
 */
import type { Assessment, CriterionItem, Framework, HScoreVariable } from '../../criteria/types';
import { HLH2004_ITEM_IDS } from '../../criteria/types';
import { fill, formatFactor, formatNumber, formatTime, formatUnit, formatValue } from '../../render/format';
import type { EvidenceContent } from '../content';
import type { CardContent } from '../../render/content';

/** The evidence view's wording with the card's: reasons, flags and basis words by engine code, and the HScore method (the same text). */
type W = EvidenceContent & CardContent['wording']['criteria'] & { labels: CardContent['wording']['items']; basis: CardContent['wording']['detail']['basis']; probabilityMethod: string };
import type { TableRow, TableView } from './types';
import { itemLabel, thresholdInValueUnit } from '../../render/criterion-items';

const OPERATOR = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' } as const;

function stateText(i: CriterionItem, w: W): string {
  const base = w.states[i.state];
  if (i.state !== 'unknown') return base;
  const why = w.reasons[i.reason];
  return why ? `${base} (${why})` : base;
}

function valueText(i: CriterionItem, w: W): string {
  const parts: string[] = [];
  const v = w.values;
  if (i.value !== undefined) {
    parts.push(formatValue(i.value, i.unit, i.comparator, thresholdInValueUnit(i)));
    if (i.multiple) parts.push(`(${formatFactor(i.multiple.factor)} ${w.basis[i.multiple.of]})`);
    const o = i.original;
    if (o && o.unit && o.unit !== i.unit) parts.push(fill(v.reportedAs, { value: `${o.value} ${formatUnit(o.unit)}` }));
  } else if (i.original !== undefined) {
    parts.push(fill(v.reported, { value: `${i.original.value}${i.original.unit ? ` ${formatUnit(i.original.unit)}` : ''}` }));
  }
  if (i.baseline) parts.push(fill(v.baseline, { value: formatValue(i.baseline.value, i.baseline.unit, i.baseline.comparator), time: formatTime(i.baseline.time) }));
  // A rapid rise is measured against an earlier value, never called a baseline.
  if (i.comparison) parts.push(fill(v.earlierValue, { value: formatValue(i.comparison.value, i.comparison.unit, i.comparison.comparator), time: formatTime(i.comparison.time) }));
  const flags = (i.flags ?? []).filter((f) => f !== 'fallback-range').map((f) => w.flags[f]);
  if (i.status === 'preliminary' && !i.flags?.includes('preliminary')) flags.push(w.flags.preliminary);
  if (flags.length) parts.push(`[${flags.join(', ')}]`);
  return parts.join(' ');
}

function thresholdText(i: CriterionItem, w: W): string {
  const t = i.threshold;
  if (!t) return '';
  const basis = t.basis === 'absolute' ? '' : ` (${t.factor ?? 1}× ${w.basis[t.basis]})`;
  const status = t.status === 'confirmed' ? '' : ` [${t.status}]`;
  return `${OPERATOR[t.operator]} ${formatValue(t.value, t.unit)}${basis}${status}`;
}

function rangeText(i: CriterionItem, w: W): string {
  const r = i.referenceRange;
  if (!r) return '';
  const lo = r.low !== undefined ? formatNumber(r.low) : undefined;
  const hi = r.high !== undefined ? formatNumber(r.high) : undefined;
  const span = lo !== undefined && hi !== undefined ? `${lo}–${hi}` : hi !== undefined ? `≤ ${hi}` : lo !== undefined ? `≥ ${lo}` : '';
  return `${`${span} ${formatUnit(r.unit)}`.trim()} (${fill(w.rangeSources[r.source], { population: r.population ?? w.fallbackPopulation })})`;
}

function itemRows(items: readonly CriterionItem[], framework: Framework, w: W, suffix = ''): TableRow[] {
  const rows: TableRow[] = [];
  const row = (i: CriterionItem, label: string, depth: 0 | 1): TableRow => ({
    cells: [label, stateText(i, w), valueText(i, w), thresholdText(i, w), formatTime(i.time), rangeText(i, w), i.threshold?.citation ?? ''],
    state: i.state,
    depth,
  });
  for (const i of items) {
    rows.push(row(i, `${itemLabel(w.labels, framework, i)}${suffix}`, 0));
    for (const c of i.components ?? []) rows.push(row(c, itemLabel(w.labels, framework, c), 1));
  }
  return rows;
}

function header(w: W): string[] {
  const t = w.table;
  return [t.criterion, t.state, t.value, t.threshold, t.time, t.range, t.thresholdSource];
}

function astctTable(a: Assessment, w: W): TableView | undefined {
  const iec = a.iecHs;
  if (!iec) return undefined;
  const f = w.frameworks;
  const notes = iec.crsRelation === 'after-crs-resolution' ? [f.crsAfter] : iec.crsRelation === 'concurrent-with-crs' ? [f.crsConcurrent] : [];
  const rows = [...itemRows(iec.features, 'iecHs', w), ...itemRows(iec.mayBePresent, 'iecHs', w, ` ${w.table.mayBePresent}`)];
  return { id: 'astct', title: fill(f.astct, { status: iec.status }), notes, header: header(w), rows };
}

function hlh2004Table(a: Assessment, w: W): TableView {
  const h = a.hlh2004;
  const ordered = HLH2004_ITEM_IDS.map((id) => h.items.find((i) => i.id === id)).filter((i): i is CriterionItem => Boolean(i));
  const title = fill(w.frameworks.hlh2004, { met: h.met, unknown: h.unknown, total: h.total, required: h.required });
  return { id: 'hlh2004', title, notes: [], header: header(w), rows: itemRows(ordered, 'hlh2004', w) };
}

function hscoreTable(a: Assessment, w: W): TableView {
  const h = a.hscore;
  const range = h.complete || h.score === h.maxPossible ? `${h.score}` : `${h.score}–${h.maxPossible}`;
  const probability = h.complete ? h.probability.display : fill(w.frameworks.hscoreUpTo, { probability: h.probability.display, max: h.probabilityAtMaxPossible.display });
  const title = fill(w.frameworks.hscore, { range, maximum: h.maximum, cutoff: h.cutoff, probability });
  const rows = h.variables.map((v: HScoreVariable) => ({
    cells: [
      itemLabel(w.labels, 'hscore', v),
      v.points === v.maxPoints ? `${v.points}` : `${v.points}–${v.maxPoints}`,
      stateText(v, w),
      v.value !== undefined || v.original !== undefined ? valueText(v, w) : v.sources.slice(0, 3).join(', '),
      formatTime(v.time),
    ],
    state: v.state,
    depth: 0 as const,
  }));
  const t = w.table;
  return { id: 'hscore', title, notes: [w.probabilityMethod], header: [t.criterion, t.points, t.state, t.value, t.time], rows };
}

/** The OHI table, with the card's reviewed caveat (cards/wording.json `detail.ohiCaveat`). */
function ohiTable(a: Assessment, w: W, ohiCaveat: string): TableView {
  const title = fill(w.frameworks.ohi, { state: w.frameworks.ohiStates[a.ohi.state] });
  return { id: 'ohi', title, notes: [ohiCaveat], header: header(w), rows: itemRows(a.ohi.items, 'ohi', w) };
}

export function criteriaTables(a: Assessment, evidence: EvidenceContent, cards: CardContent['wording']): TableView[] {
  const w: W = { ...evidence, ...cards.criteria, labels: cards.items, basis: cards.detail.basis, probabilityMethod: cards.detail.hscore.method };
  return [astctTable(a, w), hlh2004Table(a, w), hscoreTable(a, w), ohiTable(a, w, cards.detail.ohiCaveat)].filter((t): t is TableView => Boolean(t));
}

export function alternativesText(a: Assessment, w: EvidenceContent): string[] {
  return a.alternatives.map((x) => {
    const kind = x.kind === 'infection' ? w.frameworks.infection : w.frameworks.progression;
    return `${kind}${x.detail ? ` (${x.detail})` : ''}${x.time ? `, ${formatTime(x.time)}` : ''} — ${x.source}`;
  });
}

/** Every threshold citation the tables show, once, in order of appearance. */
export function thresholdCitations(a: Assessment): string[] {
  const out = new Set<string>();
  const walk = (items: readonly CriterionItem[] | undefined) => {
    for (const i of items ?? []) {
      if (i.threshold?.citation) out.add(i.threshold.citation);
      walk(i.components);
    }
  };
  walk(a.iecHs?.features);
  walk(a.iecHs?.mayBePresent);
  walk(a.hlh2004.items);
  walk(a.ohi.items);
  return [...out];
}
