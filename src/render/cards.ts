/**
 * Assessment → CDS Hooks cards. Pure apart from uuids (injectable). Wording, sources, override reasons,
 * work-up catalogue and indicator rules come from the reviewable content under `cards/` (./content.ts).
 *
 * When to show what (cards/indicator-rules.json, [design], issue 5):
 * - no trigger exposure in window → no card;
 * - IEC exposure: ASTCT suggestive → warning; suggestive + (HLH-2004 ≥ 5 met or HScore ≥ 169) → critical;
 *   watch → info; (not suggestive but HLH-2004 ≥ 5 or HScore ≥ 169 → warning, optional rule);
 * - drug exposure: HLH-2004 ≥ 5 met or HScore ≥ 169 → critical; ferritin ≥ 500 ng/mL with ≥ 2 further
 *   HLH-2004 criteria met → warning; otherwise no card;
 * - isolated hyperferritinemia is capped (info by default).
 *
 * Everything that came from the EHR is escaped (./markdown.ts) before it enters the Markdown detail.
 */
import { randomUUID } from 'node:crypto';
import type { Assessment, CriterionItem, EpisodeAssessment, HScoreVariable, TriggerExposure, UnusableResult } from '../criteria/types';
import { HLH2004_ITEM_IDS } from '../criteria/types';
import type { Card } from '../hooks/response';
import { buildAppContext } from './app-context';
import type { CardContent } from './content';
import { EXTENSION_KEY, EXTENSION_VERSION, type AssessmentExtension } from './extension';
import { fill, formatAge, formatFactor, formatNumber, formatTime, formatUnit, formatValue } from './format';
import { escapeMarkdown as esc, plainText, table } from './markdown';
import { planWorkup, serviceRequestFor, type DueItem, type WorkupPlan } from './workup';
import { agentsText, combinationOf, dayText, exposureNotes, othersInWindow, summaryWhen } from './exposure-text';
import { ANALYTE_IDS, IEC_CLASSES } from '../vocabulary';

export interface RenderContext {
  patientId: string;
  encounterId?: string;
  /** Not used for clinical decisions (the assessment's `asOf` is); accepted for symmetry with the pipeline. */
  now?: Date;
  /** The evidence view (a SMART app): the card links to it with the assessment's context. */
  evidenceLink?: { url: string; label: string };
}

type Indicator = 'info' | 'warning' | 'critical';

export interface IndicatorDecision {
  indicator: Indicator;
  /** The rule that fired, e.g. `iec.critical`, `drug.warning`; `+capped` when the isolated-ferritin cap applied. */
  rule: string;
  kind: 'iec' | 'drug';
  /** Which strong signal fired (for `{signal}` in the summary). */
  signal?: 'hlh2004' | 'hscore';
  exposure: TriggerExposure;
  /** The exposure episode the card is about (absent for assessments without per-episode results). */
  episode?: EpisodeAssessment;
}

const RANK: Record<Indicator, number> = { info: 0, warning: 1, critical: 2 };
const SUMMARY_MAX = 139;
const AGENT_MAX = 40;

// ------------------------------------------------------------------------------------------------ rules

function walk(items: readonly CriterionItem[] | undefined): CriterionItem[] {
  const out: CriterionItem[] = [];
  for (const i of items ?? []) out.push(i, ...walk(i.components));
  return out;
}

const ANALYTE_ALIASES: Record<string, string> = {
  fever: 'temperature',
  renal: 'creatinine',
  neutrophils: 'anc',
  platelet: 'platelets',
  hb: 'hemoglobin',
  'triglycerides-fibrinogen': '',
};

/**
 * analyteOfItem results per `known` list (the content's summaryValuePriority) and item id: ids are the engine's
 * fixed set, read for every item of every card, so each is split and looked up once (bounded).
 */
const analyteCache = new WeakMap<readonly string[], Map<string, string | undefined>>();

/** Analyte key of a criterion item from its id (`cytopenias.platelets` → platelets, `fever` → temperature). */
export function analyteOfItem(id: string, known: readonly string[]): string | undefined {
  let byId = analyteCache.get(known);
  if (!byId) analyteCache.set(known, (byId = new Map()));
  if (byId.has(id)) return byId.get(id);
  const key = analyteOfItemUncached(id, known);
  if (byId.size >= 1_000) byId.clear();
  byId.set(id, key);
  return key;
}

function analyteOfItemUncached(id: string, known: readonly string[]): string | undefined {
  const segments = id.split('.').reverse();
  for (const seg of segments) {
    const alias = ANALYTE_ALIASES[seg];
    if (alias !== undefined) return alias || undefined;
    if (known.includes(seg)) return seg;
  }
  return undefined;
}

function hlhItem(a: Assessment, id: string): CriterionItem | undefined {
  return a.hlh2004.items.find((i) => i.id === id);
}

/** Ferritin is the only abnormal finding (HLH-2004 and ASTCT "most common" laboratory features). */
function isIsolatedHyperferritinemia(a: Assessment): boolean {
  const hlhOthers = a.hlh2004.items.filter((i) => i.id !== 'ferritin' && i.state === 'met').length;
  const iecOthers = (a.iecHs?.features ?? []).filter((f) => f.id !== 'ferritin' && f.id !== 'timing' && f.state === 'met').length;
  const ferritinMet = hlhItem(a, 'ferritin')?.state === 'met' || a.iecHs?.features.some((f) => f.id === 'ferritin' && f.state === 'met');
  // A high HScore cannot come from ferritin alone (ferritin scores at most 50 of 337).
  return Boolean(ferritinMet) && hlhOthers === 0 && iecOthers === 0 && a.hscore.score < a.hscore.cutoff;
}

function ferritinAtLeast(a: Assessment, threshold: number): boolean {
  const f = hlhItem(a, 'ferritin');
  if (!f || f.value === undefined || f.unit === undefined) return false;
  if (f.unit !== 'ng/mL' && f.unit !== 'ug/L' && f.unit !== 'µg/L') return false;
  if (f.comparator === '<' || f.comparator === '<=') return false;
  return f.value >= threshold;
}

/** The indicator the rules give this assessment, or undefined for "no card". */
export function decideIndicator(a: Assessment, content: CardContent): IndicatorDecision | undefined {
  const rules = content.indicatorRules;
  const exposure = a.exposure.primary;
  if (a.exposure.status !== 'in-window' || !exposure || !exposure.inWindow) return undefined;
  const strong = (r: { hlh2004MetAtLeast: number; hscoreAtLeast: number }): IndicatorDecision['signal'] =>
    a.hlh2004.met >= r.hlh2004MetAtLeast ? 'hlh2004' : a.hscore.score >= r.hscoreAtLeast ? 'hscore' : undefined;

  let d: IndicatorDecision | undefined;
  if (IEC_CLASSES.includes(exposure.class)) {
    const status = a.iecHs?.status;
    const signal = strong(rules.iec.critical);
    if (status === 'suggestive' && signal) d = { indicator: 'critical', rule: 'iec.critical', kind: 'iec', signal, exposure };
    else if (status === 'suggestive') d = { indicator: 'warning', rule: 'iec.warning', kind: 'iec', exposure };
    else if (rules.iec.hlhWithoutAstct && strong(rules.iec.hlhWithoutAstct)) {
      d = { indicator: rules.iec.hlhWithoutAstct.indicator, rule: 'iec.hlhWithoutAstct', kind: 'iec', signal: strong(rules.iec.hlhWithoutAstct), exposure };
    } else if (status === 'watch') d = { indicator: 'info', rule: 'iec.info', kind: 'iec', exposure };
  } else {
    const signal = strong(rules.drug.critical);
    const w = rules.drug.warning;
    const further = a.hlh2004.items.filter((i) => i.id !== 'ferritin' && i.state === 'met').length;
    if (signal) d = { indicator: 'critical', rule: 'drug.critical', kind: 'drug', signal, exposure };
    else if (ferritinAtLeast(a, w.ferritinAtLeast.value) && further >= w.furtherHlh2004MetAtLeast) {
      d = { indicator: 'warning', rule: 'drug.warning', kind: 'drug', exposure };
    }
  }
  if (d && isIsolatedHyperferritinemia(a) && RANK[d.indicator] > RANK[rules.isolatedHyperferritinemiaMax]) {
    d = { ...d, indicator: rules.isolatedHyperferritinemiaMax, rule: `${d.rule}+capped` };
  }
  return d;
}

/** The assessment as seen from one exposure episode: its own criteria results and trigger. */
function episodeView(a: Assessment, ep: EpisodeAssessment): Assessment {
  const { iecHs: _primaryIecHs, ...rest } = a;
  return {
    ...rest,
    syndrome: ep.syndrome,
    hlh2004: ep.hlh2004,
    hscore: ep.hscore,
    ohi: ep.ohi,
    exposure: { ...a.exposure, primary: ep.exposure },
    ...(ep.iecHs ? { iecHs: ep.iecHs } : {}),
  };
}

/**
 * The card among the in-window exposure episodes: the strongest (indicator, then HLH-2004 criteria met, then
 * HScore, each counted from the trigger's own day 0, so a trigger that precedes more of the findings wins), ties
 * in engine order (IEC classes first, then the most recent day 0). Undefined when no episode gives a card.
 */
function chooseCard(a: Assessment, content: CardContent): { view: Assessment; d: IndicatorDecision } | undefined {
  if (!a.episodes?.length) {
    const d = decideIndicator(a, content);
    return d ? { view: a, d } : undefined;
  }
  const strength = (x: { view: Assessment; d: IndicatorDecision }) => [RANK[x.d.indicator], x.view.hlh2004.met, x.view.hscore.score];
  let best: { view: Assessment; d: IndicatorDecision } | undefined;
  for (const ep of a.episodes) {
    const view = episodeView(a, ep);
    const d = decideIndicator(view, content);
    if (!d) continue;
    const candidate = { view, d: { ...d, episode: ep } };
    if (!best) best = candidate;
    else {
      const [s, t] = [strength(candidate), strength(best)];
      const diff = s.map((v, i) => v - (t[i] as number)).find((x) => x !== 0) ?? 0;
      if (diff > 0) best = candidate;
    }
  }
  return best;
}

// ------------------------------------------------------------------------------------------------ summary

interface SummaryValue {
  key: string;
  text: string;
}

/** The most telling met values, in the content's priority order (ferritin with its × ULN first). */
function tellingValues(a: Assessment, content: CardContent): SummaryValue[] {
  const priority = content.wording.summaryValuePriority;
  const pool = [...walk(a.iecHs?.features), ...walk(a.hlh2004.items), ...walk(a.iecHs?.mayBePresent)];
  const best = new Map<string, CriterionItem>();
  for (const item of pool) {
    if (item.state !== 'met' || item.value === undefined || !item.unit) continue;
    const key = analyteOfItem(item.id, priority);
    if (!key) continue;
    const prev = best.get(key);
    if (!prev || (!prev.multiple && item.multiple)) best.set(key, item);
  }
  const out: SummaryValue[] = [];
  for (const key of priority) {
    const item = best.get(key);
    if (!item || item.value === undefined) continue;
    const label = content.wording.summaryValueLabels[key] ?? key;
    const mult = item.multiple ? ` (${formatFactor(item.multiple.factor)} ${item.multiple.of === 'uln' ? 'ULN' : item.multiple.of === 'lln' ? 'LLN' : 'baseline'})` : '';
    const prelim = item.status === 'preliminary' || item.flags?.includes('preliminary') ? ' (preliminary)' : '';
    out.push({ key, text: plainText(`${label} ${formatValue(item.value, item.unit, item.comparator, thresholdInValueUnit(item))}${mult}${prelim}`) });
  }
  return out;
}

function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, Math.max(1, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function signalText(d: IndicatorDecision, a: Assessment): string {
  if (d.signal === 'hscore') return `HScore ${formatNumber(a.hscore.score)}`;
  return `HLH-2004 ${a.hlh2004.met}/8`;
}

/** One line under 140 characters; values are dropped whole (never cut mid-number), long agent names shortened. */
export function renderSummary(a: Assessment, d: IndicatorDecision, content: CardContent): string {
  const w = content.wording.summary;
  const headline =
    d.kind === 'iec'
      ? d.rule.startsWith('iec.hlhWithoutAstct')
        ? w.iec.hlhWithoutAstct
        : w.iec[d.rule.startsWith('iec.critical') ? 'critical' : d.rule.startsWith('iec.warning') ? 'warning' : 'info']
      : w.drug[d.rule.startsWith('drug.critical') ? 'critical' : 'warning'];
  // Every agent of the combination is named; long free-text names are shortened so the telling values still fit.
  const combination = combinationOf(a, d.episode, d.exposure);
  const others = othersInWindow(a, combination);
  const agentFull = shorten(plainText(agentsText(combination, content, true)), AGENT_MAX * Math.min(combination.length, 2));
  const build = (agent: string, withOthers: boolean) => {
    const when = summaryWhen(combination, agent, withOthers ? others : [], content);
    return plainText(fill(headline, { when: withOthers ? when.withOthers : when.when, signal: signalText(d, a), day: d.exposure.daysSince, agent }));
  };
  let base = build(agentFull, false);
  if (base.length > SUMMARY_MAX) {
    const room = Math.max(8, agentFull.length - (base.length - SUMMARY_MAX));
    base = build(shorten(agentFull, room), false);
    if (base.length > SUMMARY_MAX) base = shorten(base, SUMMARY_MAX);
  }
  const values = tellingValues(a, content).slice(0, content.wording.summaryMaxValues);
  // Other triggers in window are named when they fit with the most telling value.
  if (others.length) {
    const full = build(agentFull, true);
    if (full.length <= SUMMARY_MAX && (!values[0] || `${full}: ${values[0].text}`.length <= SUMMARY_MAX)) base = full;
  }
  const chosen: string[] = [];
  for (const v of values) {
    const candidate = `${base}: ${[...chosen, v.text].join(', ')}`;
    if (candidate.length <= SUMMARY_MAX) chosen.push(v.text);
  }
  return chosen.length ? `${base}: ${chosen.join(', ')}` : base;
}

// ------------------------------------------------------------------------------------------------ detail

const REASON_TEXT: Record<string, string> = {
  'no-data': 'no data',
  'comparator-inconclusive': 'reported as a bound; inconclusive',
  'unit-not-evaluable': 'unit not evaluable',
  'lineages-unknown': 'lineages unknown',
  'arms-unknown': 'not all arms evaluable',
  'fasting-unknown': 'fasting state unknown',
  'not-fasting': 'not fasting',
  'no-baseline': 'no baseline',
  'insufficient-serial-values': 'needs serial values',
  'not-computable': 'not computable from data',
  'no-crs-coded': 'no CRS coded',
  'no-reference-range': 'no reference range',
  'not-long-term': 'medication not proven ongoing long-term',
  'finding-unconfirmed': 'finding not confirmed',
};

const FLAG_TEXT: Record<string, string> = {
  preliminary: 'preliminary',
  comparator: 'reported as a bound',
  'fallback-range': 'fallback range',
  'default-uln': 'default ULN [design]',
  'baseline-assumed-normal': 'baseline assumed normal',
  'baseline-day0-date-only': 'infusion time unknown: same-day value as baseline',
  'fasting-unknown': 'fasting unknown',
  'not-fasting': 'not fasting',
  'conflicting-values': 'conflicting values',
  'age-adjusted': 'age-adjusted threshold',
  'range-text-unread': 'lab range text not readable',
  'pediatric-fallback-range': 'pediatric patient, range not the lab’s',
};

/** For an item with no data: what the chart holds instead ("no usable result: clotted"), if anything. */
type UnusableNote = (i: CriterionItem) => string | undefined;
const NO_NOTE: UnusableNote = () => undefined;
const ANALYTE_KEYS: readonly string[] = ANALYTE_IDS;

/** `markdown`: escaped for the detail; otherwise plain text (suggestion descriptions). */
function unusableText(u: UnusableResult, content: CardContent, markdown = true): string {
  const reason = u.reason ?? 'unspecified';
  return fill(content.wording.dataNotes.unusable[u.kind], { reason: markdown ? esc(reason, 80) : plainText(reason).slice(0, 80) });
}

function unusableNote(a: Assessment, content: CardContent): UnusableNote {
  if (!a.unusable.length) return NO_NOTE;
  return (i) => {
    if (i.state !== 'unknown' || i.reason !== 'no-data') return undefined;
    const analyte = analyteOfItem(i.id, ANALYTE_KEYS);
    const u = a.unusable.find((x) => x.analyte === analyte);
    return u && unusableText(u, content);
  };
}

/** "LDH > ULN (result present, unit missing)". */
function withNote(i: CriterionItem, note: UnusableNote): string {
  const n = note(i);
  return n ? `${esc(i.label)} (${n})` : esc(i.label);
}

function stateCell(i: CriterionItem, note: UnusableNote = NO_NOTE): string {
  if (i.state === 'met') return '**met**';
  if (i.state === 'not-met') return 'not met';
  const why = note(i) ?? REASON_TEXT[i.reason];
  return why ? `unknown (${why})` : 'unknown';
}

/** The item's threshold expressed in the item's value unit (to keep a displayed value off the threshold). */
export function thresholdInValueUnit(i: CriterionItem): number | undefined {
  const t = i.threshold;
  if (!t || i.value === undefined) return undefined;
  if (t.unit === i.unit) return t.value;
  // threshold in the lab's own unit system: rescale by the value's original / canonical ratio
  const o = typeof i.original?.value === 'number' ? i.original.value : Number(i.original?.value);
  if (i.original?.unit === t.unit && Number.isFinite(o) && o !== 0) return (t.value * i.value) / o;
  return undefined;
}

function valueCell(i: CriterionItem): string {
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
  const flags = (i.flags ?? []).filter((f) => f !== 'fallback-range').map((f) => FLAG_TEXT[f] ?? esc(f));
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

function criteriaRows(items: readonly CriterionItem[], note: UnusableNote, suffix = ''): string[][] {
  const rows: string[][] = [];
  for (const i of items) {
    rows.push([`${esc(i.label)}${suffix}`, stateCell(i, note), valueCell(i), thresholdCell(i), esc(formatTime(i.time)), rangeCell(i)]);
    for (const c of i.components ?? []) {
      rows.push([`↳ ${esc(c.label)}`, stateCell(c, note), valueCell(c), thresholdCell(c), esc(formatTime(c.time)), rangeCell(c)]);
    }
  }
  return rows;
}

const CRITERIA_HEADER = ['Criterion', 'State', 'Value', 'Threshold', 'Time', 'Reference range (source)'];

/** Value cell; a finding-based variable (no value, no lineages) shows the sources that decided it. */
function findingValueCell(v: HScoreVariable): string {
  if (v.value !== undefined || v.original !== undefined || v.components?.length || !v.sources.length) return valueCell(v);
  const shown = v.sources.slice(0, 3).map((s) => esc(s, 120));
  return `${shown.join(', ')}${v.sources.length > 3 ? ` +${v.sources.length - 3} more` : ''}`;
}

function hscoreSection(a: Assessment, note: UnusableNote): string[] {
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
    esc(v.label),
    v.points === v.maxPoints ? `${v.points}` : `${v.points}–${v.maxPoints}`,
    stateCell(v, note),
    findingValueCell(v),
    esc(formatTime(v.time)),
  ]);
  if (rows.length) lines.push('', table(['Variable', 'Points', 'State', 'Value', 'Time'], rows));
  return lines;
}

/** Canonical units (clinical-criteria.md §7), used when a trend carries no value reference. */
const CANONICAL_UNIT = { ferritin: 'ng/mL', fibrinogen: 'mg/dL', platelets: '10*9/L' } as const;

function trendLines(a: Assessment, content: CardContent): string[] {
  const out: string[] = [];
  for (const analyte of ['ferritin', 'fibrinogen', 'platelets'] as const) {
    const t = a.trends.items.find((x) => x.analyte === analyte);
    if (!t || t.points.length === 0) continue;
    const pts = t.points.slice(-5);
    const unit = t.latest?.unit ?? t.mostAbnormal?.unit ?? CANONICAL_UNIT[analyte];
    const series = pts.map((p) => esc(`${p.comparator ?? ''}${formatNumber(p.value)}`)).join(' → ');
    const first = pts[0];
    const last = pts[pts.length - 1];
    const span = first && last && pts.length > 1 ? ` (${esc(formatTime(first.time))} → ${esc(formatTime(last.time))})` : ` (${esc(formatTime(last?.time))})`;
    let change = '';
    if (t.change48h) {
      const c = t.change48h;
      const dir = c.absolute > 0 ? '↑' : c.absolute < 0 ? '↓' : '→';
      change = `; change over ${esc(formatNumber(Math.round(c.hours)))} h ${dir} ${c.approximate ? '≈' : ''}${esc(formatNumber(Math.abs(c.absolute)))}${c.ratio !== undefined ? ` (×${esc(formatNumber(c.ratio))})` : ''}`;
    }
    const label = content.wording.summaryValueLabels[analyte] ?? analyte;
    out.push(`- ${esc(label[0]?.toUpperCase() + label.slice(1))}: ${series} ${esc(formatUnit(unit))}${span}${change}`);
  }
  return out;
}

/** "no result", "no result for wbc", "last result 2 d old", "repeat: no usable result: specimen clotted". */
function dueText(d: DueItem, content: CardContent): string {
  const partial = d.item.covers.length > 1 && d.analytes.length < d.item.covers.length ? ` for ${d.analytes.join(', ')}` : '';
  if (d.reason === 'repeat') return `repeat${partial}: ${(d.unusable ?? []).map((u) => unusableText(u, content, false)).join('; ')}`;
  return d.reason === 'missing' ? `no result${partial}` : `last result${partial} ${formatAge(d.ageHours ?? 0)} old`;
}

/** "Fibrinogen (no usable result: specimen clotted, 2026-03-15 07:00Z)". */
function unusableItems(list: readonly DueItem[], content: CardContent): string {
  return list
    .map((d) => `${d.item.label} (${(d.unusable ?? []).map((u) => `${unusableText(u, content)}, ${esc(formatTime(u.time))}`).join('; ')})`)
    .join('; ');
}

function workupLines(a: Assessment, plan: WorkupPlan, content: CardContent): string[] {
  const out: string[] = [];
  const w = content.wording.dataNotes;
  const missing = plan.bundle.filter((d) => d.reason === 'missing');
  const stale = plan.bundle.filter((d) => d.reason === 'stale');
  const repeat = plan.bundle.filter((d) => d.reason === 'repeat');
  if (repeat.length) out.push(`- ${fill(w.repeatLine, { items: unusableItems(repeat, content) })}`);
  if (plan.check.length) out.push(`- ${fill(w.checkLine, { items: unusableItems(plan.check, content) })}`);
  if (missing.length) out.push(`- No result: ${missing.map((d) => (d.analytes.length < d.item.covers.length ? `${d.item.label} (${d.analytes.join(', ')})` : d.item.label)).join('; ')}`);
  if (stale.length) {
    const s = stale.map((d) => `${d.item.label} (${formatAge(d.ageHours ?? 0)} old, ${esc(formatTime(d.lastSeen))}; refresh after ${d.item.freshnessHours} h)`);
    out.push(`- Older than the freshness window: ${s.join('; ')}`);
  }
  const covered = new Set(plan.bundle.flatMap((d) => d.item.covers as string[]));
  const uncovered = a.missing.filter((m) => !covered.has(m));
  if (uncovered.length) out.push(`- No usable value in the lookback window: ${uncovered.map((m) => esc(m)).join(', ')}`);
  if (plan.optional.length) {
    out.push(`- Not visible to the screen, check whether done: ${plan.optional.map((i) => i.label).join('; ')}`);
  }
  for (const adv of plan.advice) out.push(`- ${adv.label}`);
  for (const { exam } of plan.documented) {
    const found = exam.hemophagocytosis ? w.marrowFound.present : w.marrowFound.absent;
    out.push(`- ${fill(w.marrowDocumented, { time: esc(formatTime(exam.time)), found, source: esc(exam.source) })}`);
  }
  return out;
}

/** "code “…”", or per agent for a combination: "code “…” (ipilimumab); name “opdivo” (nivolumab)". */
function matchedByText(combination: readonly TriggerExposure[]): string {
  const one = (x: TriggerExposure) => `${x.matchedBy} “${esc(x.matched, 80)}”`;
  return combination.length === 1 ? one(combination[0] as TriggerExposure) : combination.map((x) => `${one(x)} (${esc(x.agent)})`).join('; ');
}

/** "Documented infection: Sepsis due to E. coli (ICD-10-CM A41.51), 2026-03-13", one per alternative, and the note. */
function alternativeLines(a: Assessment, content: CardContent): string[] {
  const w = content.wording.alternatives;
  const lines = a.alternatives.map((x) => {
    const what = x.text ?? x.code?.display ?? (x.detail ? (w.detailLabels[x.detail] ?? x.detail) : w.unnamed[x.kind]);
    const system = x.code ? (w.codeSystems[x.code.system] ?? x.code.system) : '';
    const line = fill(x.kind === 'infection' ? w.infection : w.diseaseProgression, {
      what: esc(what, 120),
      system: esc(system, 80),
      code: esc(x.code?.code ?? '', 40),
      date: x.time ? esc(formatTime(x.time)) : w.undated,
    });
    return `- ${line} — ${esc(x.source, 120)}`;
  });
  return [`#### ${w.heading}`, w.note, ...lines];
}

/** An earlier (resolved, inactive) HLH diagnosis is history; a refuted one is a documented negative. */
function diagnosisHistory(a: Assessment, content: CardContent): string[] {
  const h = a.hlh2004;
  const w = content.wording.dataNotes;
  const out: string[] = [];
  if (h.earlierDiagnosis.length) {
    const items = h.earlierDiagnosis.map((x) => [x.clinicalStatus, x.time ? formatTime(x.time) : undefined, x.source].filter(Boolean).map((t) => esc(t as string)).join(', '));
    out.push(fill(w.hlhDiagnosisEarlier, { items: items.join('; ') }));
  }
  if (h.refutedDiagnosis.length) out.push(fill(w.hlhDiagnosisRefuted, { sources: h.refutedDiagnosis.map((s) => esc(s)).join(', ') }));
  return out;
}

/** Decided leaf items of every table (IEC-HS, HLH-2004, HScore, OHI). */
function decidedLeaves(a: Assessment): CriterionItem[] {
  const all = [...walk(a.iecHs?.features), ...walk(a.iecHs?.mayBePresent), ...walk(a.hlh2004.items), ...walk(a.hscore.variables), ...walk(a.ohi.items)];
  return all.filter((i) => i.state !== 'unknown' && !i.components?.length);
}

/** One line when a pediatric patient's ULN/LLN criterion was judged against a fallback or default range. */
function pediatricNote(a: Assessment, content: CardContent): string[] {
  const items = decidedLeaves(a).filter((i) => i.flags?.includes('pediatric-fallback-range'));
  if (!items.length) return [];
  const labels = [...new Set(items.map((i) => esc(i.label)))];
  const ranges = [...new Set(items.map((i) => (i.referenceRange?.source === 'default' ? 'default ULN [design]' : esc(i.referenceRange?.population ?? 'fallback'))))];
  return [fill(content.wording.dataNotes.pediatricFallback, { items: labels.join('; '), ranges: ranges.join(', ') })];
}

function renderDetail(a: Assessment, d: IndicatorDecision, plan: WorkupPlan, content: CardContent, lamotrigine: boolean): string {
  const w = content.wording;
  const e = d.exposure;
  const note = unusableNote(a, content);
  const blocks: string[] = [w.detail.disclaimer];
  const classLabel = w.exposureClassLabels[e.class];
  const combination = combinationOf(a, d.episode, e);
  const vars = {
    agent: esc(agentsText(combination, content, false)),
    class: classLabel,
    dayText: dayText(combination, w, (s) => esc(s)),
    matchedBy: matchedByText(combination),
    astct: a.iecHs
      ? (w.detail.astctStatusReason?.[a.iecHs.statusReason] ?? w.detail.astctStatus[a.iecHs.status])
      : e.day0 === undefined
        ? (w.detail.astctStatusReason?.['no-day0'] ?? w.detail.astctStatus['not-evaluable'])
        : w.detail.astctStatus['not-evaluable'],
  };
  blocks.push([fill(d.kind === 'iec' ? w.detail.intro.iec : w.detail.intro.drug, vars), ...exposureNotes(a, d.episode, combination, content)].join('\n\n'));

  if (a.iecHs) {
    const crs =
      a.iecHs.crsRelation === 'after-crs-resolution'
        ? ['Onset after resolution of coded CRS.']
        : a.iecHs.crsRelation === 'concurrent-with-crs'
          ? ['Concurrent with coded CRS.']
          : [];
    const assessed = a.iecHs.mayBePresent.filter((f) => f.state !== 'unknown');
    const notAssessed = a.iecHs.mayBePresent.filter((f) => f.state === 'unknown');
    blocks.push(
      [
        `#### ASTCT 2023 IEC-HS features: ${esc(a.iecHs.status)}`,
        ...crs,
        table(CRITERIA_HEADER, [...criteriaRows(a.iecHs.features, note), ...criteriaRows(assessed, note, ' *(may be present)*')]),
        ...(notAssessed.length ? [`Not assessable from the data (may be present): ${notAssessed.map((f) => withNote(f, note)).join('; ')}.`] : []),
        w.detail.grade,
      ].join('\n\n'),
    );
  }

  const h = a.hlh2004;
  const ordered = HLH2004_ITEM_IDS.map((id) => h.items.find((i) => i.id === id)).filter((i): i is CriterionItem => Boolean(i));
  const status =
    h.status === 'reached' ? 'criteria threshold reached' : h.status === 'reachable' ? 'still reachable with the unknown criteria' : 'cannot be reached with the current data';
  const diag = h.documentedDiagnosis.length ? ` HLH diagnosis documented (${h.documentedDiagnosis.map((s) => esc(s)).join(', ')}).` : '';
  blocks.push(
    [
      `#### HLH-2004: ${h.met} met, ${h.unknown} unknown of ${h.total} (${h.required} needed; ${status}).${diag}`,
      ...diagnosisHistory(a, content),
      table(CRITERIA_HEADER, criteriaRows(ordered, note)),
    ].join('\n\n'),
  );

  const notes = pediatricNote(a, content);
  if (notes.length) blocks.push(notes.join('\n'));

  blocks.push(hscoreSection(a, note).join('\n'));
  blocks.push(`#### OHI index: ${a.ohi.state === 'met' ? '**positive**' : a.ohi.state === 'not-met' ? 'negative' : 'unknown'}\n\n${esc(a.ohi.caveat || w.detail.ohiCaveat, 300)}`);

  const trends = trendLines(a, content);
  const div = a.trends.crsDivergence.state;
  if (trends.length || a.iecHs) {
    blocks.push(['#### Trend', ...trends, ...(a.iecHs ? [`- ${w.detail.crsDivergence[div]}`] : [])].join('\n'));
  }

  if (a.alternatives.length) blocks.push(alternativeLines(a, content).join('\n'));

  const wl = workupLines(a, plan, content);
  if (wl.length) blocks.push(['#### Missing or stale data', ...wl].join('\n'));

  if (d.indicator !== 'info') blocks.push(d.kind === 'iec' ? w.detail.consider.iec : w.detail.consider.drug);
  if (lamotrigine) blocks.push(w.lamotrigine.detail);

  if (a.dataIssues.length) {
    const issues = a.dataIssues.slice(0, 20).map((i) => `- ${i.severity}: ${esc(i.code, 60)} — ${esc(i.message)}${i.source ? ` (${esc(i.source, 120)})` : ''}`);
    if (a.dataIssues.length > 20) issues.push(`- … ${a.dataIssues.length - 20} more`);
    blocks.push(['#### Data issues', ...issues].join('\n'));
  }

  const k = a.knowledge;
  const prov = k.overrides.length
    ? fill(w.detail.provenanceOverrides, { version: esc(k.version), paths: k.overrides.map((p) => esc(p)).join(', ') })
    : fill(w.detail.provenanceDefaults, { version: esc(k.version) });
  blocks.push(['#### Provenance', `${prov} Card content ${esc(content.contentVersion)}; assessment as of ${esc(formatTime(a.asOf))}. ${w.detail.statusNote}`].join('\n\n'));

  const cited = citedSources(d, content, lamotrigine);
  blocks.push(['#### Sources', ...cited.map((s) => (s.url ? `- [${s.label}](${s.url})` : `- ${s.label}`))].join('\n'));
  return blocks.join('\n\n');
}

function citedSources(d: IndicatorDecision, content: CardContent, lamotrigine: boolean) {
  const syndrome = d.exposure.syndrome;
  const ids = [...content.sources.cite[syndrome], ...(lamotrigine ? content.sources.cite.lamotrigine : [])];
  return [...new Set(ids)].map((id) => content.sources.sources[id]!).filter(Boolean);
}

// ------------------------------------------------------------------------------------------------ extension

type AgentRole = 'primary' | 'combination' | 'also-in-window';

/** `exposure.agents[]`: every trigger in window, the card's own first, then its combination, then the others. */
function agentsOf(a: Assessment, d: IndicatorDecision): NonNullable<AssessmentExtension['exposure']['agents']> {
  const combination = combinationOf(a, d.episode, d.exposure);
  const listed: [TriggerExposure, AgentRole][] = [
    ...combination.map((x, i): [TriggerExposure, AgentRole] => [x, i === 0 ? 'primary' : 'combination']),
    ...othersInWindow(a, combination).map((x): [TriggerExposure, AgentRole] => [x, 'also-in-window']),
  ];
  return listed.map(([x, role]) => ({
    agent: x.agent,
    class: x.class,
    role,
    ...(x.day0 ? { day0: x.day0 } : {}),
    ...(x.daysSince !== undefined ? { daysSince: x.daysSince } : {}),
    ...(x.lastDose ? { lastDose: x.lastDose } : {}),
    matchedBy: x.matchedBy,
  }));
}

function buildExtension(a: Assessment, d: IndicatorDecision, plan: WorkupPlan, content: CardContent): AssessmentExtension {
  const e = d.exposure;
  const items = HLH2004_ITEM_IDS.map((id) => {
    const i = a.hlh2004.items.find((x) => x.id === id);
    return {
      id,
      state: i?.state ?? ('unknown' as const),
      ...(i?.value !== undefined ? { value: i.value } : {}),
      ...(i?.value !== undefined && i.unit ? { unit: i.unit } : {}),
      ...(i?.value !== undefined && i.comparator ? { comparator: i.comparator } : {}),
      ...(i?.time ? { time: i.time } : {}),
    };
  });
  return {
    version: EXTENSION_VERSION,
    assessmentVersion: a.version,
    asOf: a.asOf,
    knowledgeVersion: a.knowledge.version,
    ...(a.knowledge.overrides.length ? { knowledgeOverrides: [...a.knowledge.overrides] } : {}),
    contentVersion: content.contentVersion,
    indicator: d.indicator,
    rule: d.rule,
    syndrome: a.syndrome ?? e.syndrome,
    exposure: {
      class: e.class,
      agent: e.agent,
      ...(e.start ? { start: e.start } : {}),
      ...(e.day0 ? { day0: e.day0 } : {}),
      ...(e.daysSince !== undefined ? { daysSince: e.daysSince } : {}),
      matchedBy: e.matchedBy,
      ...(e.day0Basis ? { day0Basis: e.day0Basis } : {}),
      ...(e.lastDose ? { lastDose: e.lastDose } : {}),
      ...(e.daysSinceLastDose !== undefined ? { daysSinceLastDose: e.daysSinceLastDose } : {}),
      ...(e.course ? { course: e.course.number } : {}),
      ...(e.countsFrom ? { countsFrom: e.countsFrom } : {}),
      agents: agentsOf(a, d),
    },
    criteria: {
      ...(a.iecHs
        ? { 'astct-iec-hs': { status: a.iecHs.status, features: a.iecHs.features.map((f) => ({ id: f.id, state: f.state })) } }
        : {}),
      'hlh-2004': {
        met: items.filter((i) => i.state === 'met').length,
        unknown: items.filter((i) => i.state === 'unknown').length,
        total: 8,
        items,
      },
      hscore: {
        score: a.hscore.score,
        maxPossible: a.hscore.maxPossible,
        probability: a.hscore.probability.percent,
        probabilityDisplay: a.hscore.probability.display,
        missing: [...a.hscore.missing],
      },
      ohi: { state: a.ohi.state },
    },
    missingWorkup: plan.bundle.map((b) => ({ id: b.item.id, reason: b.reason, ...(b.lastSeen ? { lastSeen: b.lastSeen } : {}) })),
    ...(a.alternatives.length
      ? {
          alternatives: a.alternatives.map((x) => ({
            kind: x.kind,
            ...(x.code ? { system: x.code.system, code: x.code.code } : {}),
            ...(x.time ? { time: x.time } : {}),
          })),
        }
      : {}),
  };
}

// ------------------------------------------------------------------------------------------------ cards

type Suggestion = NonNullable<Card['suggestions']>[number];

/**
 * Renders the assessment as zero or one card. `ids` generates uuids (default crypto.randomUUID; inject a
 * deterministic generator in tests).
 */
export function renderCards(assessment: Assessment, ctx: RenderContext, content: CardContent, ids: () => string = randomUUID): Card[] {
  const chosen = chooseCard(assessment, content);
  if (!chosen) return [];
  const { view: a, d } = chosen;
  const plan = planWorkup(a, content);
  const lamotrigine = a.exposure.all.some((x) => x.class === 'lamotrigine' && x.inWindow);
  const cardUuid = ids();
  const order = { patientId: ctx.patientId, syndromeLabel: content.wording.syndromeLabels[d.exposure.syndrome], ...(ctx.encounterId ? { encounterId: ctx.encounterId } : {}) };

  const suggestions: Suggestion[] = [];
  if (plan.bundle.length) {
    const n = plan.bundle.length;
    suggestions.push({
      label: n === 1 ? content.workup.recommendedLabelOne : fill(content.workup.recommendedLabel, { n }),
      uuid: ids(),
      isRecommended: true,
      actions: plan.bundle.map((b) => ({
        type: 'create' as const,
        description: `Order ${b.item.label} (${dueText(b, content)})`,
        resource: serviceRequestFor(b.item, order, content) as unknown as Record<string, unknown>,
      })),
    });
  }
  for (const item of plan.optional) {
    suggestions.push({
      label: `Order ${item.label} (if not already done)`,
      uuid: ids(),
      actions: [{ type: 'create', description: `Order ${item.label}`, resource: serviceRequestFor(item, order, content) as unknown as Record<string, unknown> }],
    });
  }
  if (lamotrigine) suggestions.push({ label: content.wording.lamotrigine.suggestionLabel, uuid: ids() });

  const src = content.sources.cardSource[d.exposure.syndrome];
  const srcUrl = content.sources.sources[src.sourceId]?.url;
  const links: NonNullable<Card['links']> = citedSources(d, content, lamotrigine)
    .filter((s): s is typeof s & { url: string } => Boolean(s.url))
    .map((s) => ({ label: s.linkLabel ?? s.label, url: s.url, type: 'absolute' as const }));
  if (ctx.evidenceLink) {
    const appContext = buildAppContext(a, d.indicator, content.contentVersion);
    links.unshift({ label: ctx.evidenceLink.label, url: ctx.evidenceLink.url, type: 'smart', appContext });
  }
  const reasons = content.overrideReasons.reasons.map((r) => ({ system: content.overrideReasons.system, code: r.code, display: r.display }));

  const card: Card = {
    uuid: cardUuid,
    summary: renderSummary(a, d, content),
    indicator: d.indicator,
    detail: renderDetail(a, d, plan, content, lamotrigine),
    source: { label: src.label, ...(srcUrl ? { url: srcUrl } : {}), topic: { ...src.topic } },
    ...(suggestions.length ? { suggestions, selectionBehavior: 'any' as const } : {}),
    ...(reasons.length ? { overrideReasons: reasons } : {}),
    ...(links.length ? { links } : {}),
    extension: { [EXTENSION_KEY]: buildExtension(a, d, plan, content) },
  };
  return [card];
}
