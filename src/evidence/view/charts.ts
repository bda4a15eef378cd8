/**
 * Trend charts of the evidence view: for each chart in `cards/evidence.json`, the timeline's values of its
 * analytes from the chart window's start to asOf (never after: the engine does not read them either), with
 * the lines a reader needs to judge them — every threshold a criterion compared the analyte with (in the
 * plotted unit), the reference range's bounds, the IEC-HS baseline — and day 0, asOf and the lookback window.
 */
import type { Assessment, CriterionItem, Framework } from '../../criteria/types';
import type { Knowledge } from '../../knowledge';
import { fill, formatNumber, formatTime, formatUnit, formatValue } from '../../render/format';
import { DAY_MS, HOUR_MS, toEpochMs } from '../../timeline/time';
import type { LabValue, PatientTimeline } from '../../timeline/types';
import type { EvidenceContent } from '../content';
import type { ChartLine, ChartPoint, ChartView } from './types';
import type { AnalyteId } from '../../vocabulary';
import { analyteOfItem, thresholdInValueUnit } from '../../render/criterion-items';

const OPERATOR = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' } as const;

interface Window {
  start: number;
  end: number;
  asOf: number;
  labLookback: number;
  temperatureLookback: number;
  day0?: number;
}

/** The frameworks whose thresholds a chart draws (HScore's bands are not lines). */
type ChartFramework = Exclude<Framework, 'hscore'>;

/** Items of every framework with a threshold, labelled with the framework that used them. */
function thresholdItems(a: Assessment): Array<{ item: CriterionItem; framework: ChartFramework }> {
  const out: Array<{ item: CriterionItem; framework: ChartFramework }> = [];
  const walk = (items: readonly CriterionItem[] | undefined, framework: ChartFramework) => {
    for (const item of items ?? []) {
      out.push({ item, framework });
      walk(item.components, framework);
    }
  };
  walk(a.iecHs?.features, 'iecHs');
  walk(a.iecHs?.mayBePresent, 'iecHs');
  walk(a.hlh2004.items, 'hlh2004');
  walk(a.ohi.items, 'ohi');
  return out;
}

/**
 * The chart window, shared by every chart: it ends at asOf and starts at the earliest of the lookback start,
 * the IEC-HS baseline values and — when they lie within `maxDays` — day 0 and the charted analytes' values.
 */
function chartWindow(a: Assessment, timeline: PatientTimeline, analytes: readonly AnalyteId[], k: Knowledge, maxDays: number): Window {
  const asOf = toEpochMs(a.asOf)!;
  const limit = asOf - maxDays * DAY_MS;
  const labLookback = asOf - k.criteria.lookback.labHours.value * HOUR_MS;
  const temperatureLookback = asOf - k.criteria.lookback.temperatureHours.value * HOUR_MS;
  const day0 = toEpochMs(a.exposure.primary?.day0);
  const within = (t: number | undefined): t is number => t !== undefined && t >= limit && t <= asOf;
  const baselines = thresholdItems(a).map((x) => toEpochMs(x.item.baseline?.time)).filter(within);
  const values = analytes.map((an) => (timeline.labs[an] ?? []).map((v) => toEpochMs(v.time)).find(within)).filter(within);
  const earliest = Math.min(labLookback, ...baselines, ...values, ...(within(day0) ? [day0] : []));
  const start = Math.max(limit, earliest - 12 * HOUR_MS);
  return { start, end: asOf + (asOf - start) * 0.02, asOf, labLookback, temperatureLookback, ...(day0 !== undefined ? { day0 } : {}) };
}

function pointOf(v: LabValue, label: string, lookback: number, w: EvidenceContent): ChartPoint {
  const t = toEpochMs(v.time)!;
  const value = formatValue(v.value, v.unit, v.comparator);
  const reported = v.original.unit !== v.unit ? `${v.original.value} ${formatUnit(v.original.unit)}`.trim() : '';
  const status = v.status === 'final' ? '' : `, ${v.status}`;
  const text = fill(w.charts.point, { series: label, value, time: formatTime(v.time), reported: reported ? fill(w.charts.reported, { value: reported }) : '', status });
  return { t, value: v.value, series: label, text, inLookback: t >= lookback, time: formatTime(v.time), display: value, reported: reported || value, status: v.status, source: v.source };
}

/**
 * A baseline is a value from before day 0 (the IEC-HS baseline). An item compared with a later value (the
 * "rapidly rising" arm: twice the value 48 h earlier, basis `earlier-value`) is a trend rule: its moving
 * threshold is not drawn.
 */
function comparedWithRecent(item: CriterionItem, day0: number | undefined): boolean {
  if (item.threshold?.basis === 'earlier-value' || item.comparison) return true;
  const t = toEpochMs(item.baseline?.time);
  return t !== undefined && (day0 === undefined || t >= day0);
}

function linesFor(analyte: AnalyteId, a: Assessment, latest: LabValue | undefined, k: Knowledge, known: readonly string[], w: EvidenceContent): ChartLine[] {
  const canonical = k.analytes.analytes[analyte]?.canonicalUnit ?? latest?.unit;
  const day0 = toEpochMs(a.exposure.primary?.day0);
  const thresholds = new Map<string, { value: number; text: string; frameworks: string[]; operator: string }>();
  const baselines: ChartLine[] = [];
  for (const { item, framework } of thresholdItems(a)) {
    if (analyteOfItem(item.id, known) !== analyte || comparedWithRecent(item, day0)) continue;
    const t = item.threshold;
    // Plotted in the canonical unit; a threshold in the lab's unit system is rescaled like the card does.
    const value = !t ? undefined : item.value !== undefined ? thresholdInValueUnit(item) : t.unit === canonical ? t.value : undefined;
    if (t && value !== undefined && Number.isFinite(value)) {
      const shown = formatValue(t.value, t.unit);
      const plotted = formatValue(value, canonical ?? undefined);
      const text = `${OPERATOR[t.operator]} ${shown}${formatNumber(value) !== formatNumber(t.value) ? ` (${plotted})` : ''}`;
      const key = `${t.operator}:${value.toPrecision(6)}`;
      const prev = thresholds.get(key);
      const name = w.charts.frameworks[framework];
      if (prev && !prev.frameworks.includes(name)) prev.frameworks.push(name);
      else if (!prev) thresholds.set(key, { value, text, frameworks: [name], operator: t.operator });
    }
    const b = item.baseline;
    if (b && b.analyte === analyte && !baselines.some((x) => x.value === b.value)) {
      baselines.push({ value: b.value, kind: 'baseline', label: fill(w.charts.baseline, { value: formatValue(b.value, b.unit, b.comparator) }) });
    }
  }
  const lines: ChartLine[] = [...thresholds.values()].map((t) => ({ value: t.value, kind: 'threshold', label: `${t.frameworks.join(', ')} ${t.text}` }));
  lines.push(...baselines);
  // The reference range bound on the side the thresholds look at (both when they do not tell).
  const ops = [...thresholds.values()].map((t) => t.operator);
  const up = ops.some((o) => o.startsWith('>'));
  const down = ops.some((o) => o.startsWith('<'));
  const r = latest?.referenceRange;
  const taken = (v: number) => lines.some((l) => Math.abs(l.value - v) <= Math.abs(v) * 1e-9);
  if (r?.high !== undefined && (up || !down) && !taken(r.high)) lines.push({ value: r.high, kind: 'uln', label: fill(w.charts.uln, { value: formatValue(r.high, r.unit) }) });
  if (r?.low !== undefined && r.low > 0 && (down || !up) && !taken(r.low)) lines.push({ value: r.low, kind: 'lln', label: fill(w.charts.lln, { value: formatValue(r.low, r.unit) }) });
  return lines;
}

function chartOf(item: EvidenceContent['charts']['items'][number], a: Assessment, timeline: PatientTimeline, k: Knowledge, win: Window, w: EvidenceContent): ChartView {
  const known = w.charts.items.flatMap((c) => c.analytes);
  const lookback = item.analytes.includes('temperature') ? win.temperatureLookback : win.labLookback;
  const series: ChartView['series'] = [];
  const points: ChartPoint[] = [];
  const lines: ChartLine[] = [];
  let unit = '';
  for (const analyte of item.analytes) {
    const label = k.analytes.analytes[analyte]?.label ?? analyte;
    const values = (timeline.labs[analyte] ?? []).filter((v) => {
      const t = toEpochMs(v.time);
      return t !== undefined && t >= win.start && t <= win.asOf;
    });
    unit ||= formatUnit(values[0]?.unit ?? k.analytes.analytes[analyte]?.canonicalUnit ?? undefined);
    series.push({ analyte, label, count: values.length });
    points.push(...values.map((v) => pointOf(v, label, lookback, w)));
    for (const l of linesFor(analyte, a, values[values.length - 1], k, known, w)) {
      const same = lines.find((x) => x.kind === l.kind && x.value === l.value && x.label.endsWith(`: ${l.label}`));
      if (item.analytes.length === 1) lines.push(l);
      else if (same) same.label = `${same.label.slice(0, same.label.length - l.label.length - 2)}, ${label}: ${l.label}`;
      else lines.push({ ...l, label: `${label}: ${l.label}` });
    }
  }
  const from = formatTime(new Date(win.start).toISOString());
  const to = formatTime(a.asOf);
  const latest = points.reduce<ChartPoint | undefined>((x, p) => (!x || p.t >= x.t ? p : x), undefined);
  const summary = points.length
    ? fill(w.charts.summary, { title: item.title, count: points.length, from, to, latest: latest ? `${formatNumber(latest.value)} ${unit} (${latest.time})`.trim() : '' })
    : fill(w.charts.noValues, { from, to });
  return {
    id: item.id,
    title: item.title,
    unit,
    scale: item.scale === 'log' && points.every((p) => p.value > 0) && lines.every((l) => l.value > 0) ? 'log' : 'linear',
    domain: [win.start, win.end],
    lookbackStart: lookback,
    asOf: win.asOf,
    ...(win.day0 !== undefined && win.day0 >= win.start ? { day0: win.day0 } : {}),
    series,
    points,
    lines,
    summary,
  };
}

export function trendCharts(a: Assessment, timeline: PatientTimeline, k: Knowledge, w: EvidenceContent): ChartView[] {
  const win = chartWindow(a, timeline, w.charts.items.flatMap((c) => c.analytes), k, w.charts.windowMaxDays);
  return w.charts.items.map((item) => chartOf(item, a, timeline, k, win, w));
}
