/**
 * The exposure timeline: every trigger therapy the engine found (day 0, documented doses, dose increases,
 * last dose, screening window) and coded CRS episodes, up to asOf. Dose times are read from the exposure's
 * source resources (administrations and procedures document a dose; requests and statements do not).
 */
import type { Assessment } from '../../criteria/types';
import type { CardContent } from '../../render/content';
import { fill, formatTime } from '../../render/format';
import { DAY_MS, toEpochMs } from '../../timeline/time';
import type { PatientTimeline } from '../../timeline/types';
import type { EvidenceContent } from '../content';
import type { ExposureView, TimelineEvent } from './types';

/** `MedicationAdministration/1` → the time it documents a dose, if it is an administration or procedure. */
export type DoseTimeLookup = (source: string) => string | undefined;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Indexes administrations and procedures by `Type/id` and reads the instant they document. */
export function doseTimes(resources: readonly unknown[]): DoseTimeLookup {
  const times = new Map<string, string>();
  const visit = (r: unknown) => {
    if (!isObj(r)) return;
    if (r.resourceType === 'Bundle') {
      for (const e of Array.isArray(r.entry) ? r.entry : []) if (isObj(e)) visit(e.resource);
      return;
    }
    if (typeof r.id !== 'string') return;
    const at =
      r.resourceType === 'MedicationAdministration'
        ? (r.effectiveDateTime ?? (isObj(r.effectivePeriod) ? r.effectivePeriod.start : undefined))
        : r.resourceType === 'Procedure'
          ? (r.performedDateTime ?? (isObj(r.performedPeriod) ? r.performedPeriod.start : undefined))
          : undefined;
    if (typeof at === 'string' && toEpochMs(at) !== undefined) times.set(`${r.resourceType}/${r.id}`, at);
  };
  resources.forEach(visit);
  return (source) => times.get(source.split('#')[0]!);
}

function events(a: Assessment, timeline: PatientTimeline, w: EvidenceContent, doses: DoseTimeLookup, asOf: number): TimelineEvent[] {
  const x = w.exposure;
  const out: TimelineEvent[] = [];
  const push = (time: string | undefined, kind: TimelineEvent['kind'], label: string, lane: string) => {
    const t = toEpochMs(time);
    if (t !== undefined && t <= asOf) out.push({ t, kind, label, lane });
  };
  for (const e of a.exposure.all) {
    const lane = e.agent;
    push(e.day0, 'day0', `${x.day0}: ${e.agent}`, lane);
    for (const s of e.sources) push(doses(s), 'dose', `${x.dose}: ${e.agent}`, lane);
    const inc = timeline.exposures.find((t) => t.agent === e.agent && t.class === e.class)?.doseIncreases ?? [];
    for (const d of inc) push(d, 'increase', `${x.doseIncrease}: ${e.agent}`, lane);
    if (e.last && e.last !== e.day0) push(e.last, 'last', `${x.lastDose}: ${e.agent}`, lane);
  }
  for (const f of timeline.findings) {
    if (f.kind === 'crs' && f.present) push(f.time, 'crs', f.grade ? fill(x.crsGrade, { grade: f.grade }) : x.crs, x.crs);
  }
  push(new Date(asOf).toISOString(), 'asOf', x.asOf, x.asOf);
  // A dose at day 0 is the same event: keep the day 0 marker only.
  const day0s = new Set(out.filter((e) => e.kind === 'day0').map((e) => `${e.lane}@${e.t}`));
  return out.filter((e) => e.kind !== 'dose' || !day0s.has(`${e.lane}@${e.t}`));
}

/** `code http://…rxnorm|1547545` → "code RxNorm 1547545"; a name match keeps the matched words. */
function matchedText(by: 'code' | 'name', matched: string, w: EvidenceContent): string {
  if (by === 'name') return fill(w.exposure.matchedBy.name, { name: matched });
  const bar = matched.lastIndexOf('|');
  const system = bar > 0 ? matched.slice(0, bar) : '';
  const code = bar > 0 ? matched.slice(bar + 1) : matched;
  return fill(w.exposure.matchedBy.code, { code: `${w.exposure.codeSystems[system] ?? system} ${code}`.trim() });
}

export function exposureView(a: Assessment, timeline: PatientTimeline, cards: Omit<CardContent, 'dir'>, w: EvidenceContent, doses: DoseTimeLookup): ExposureView {
  const x = w.exposure;
  const asOf = toEpochMs(a.asOf)!;
  const c = x.columns;
  const header = [c.agent, c.class, c.day0, c.last, c.window, c.matched];
  if (!a.exposure.all.length) return { header, chartLabel: x.chartLabel, rows: [], events: [], spans: [], legend: [], domain: [asOf - 30 * DAY_MS, asOf], empty: x.none };
  const rows = a.exposure.all.map((e) => ({
    cells: [
      `${e.agent}${e === a.exposure.primary ? ` (${x.primary})` : ''}`,
      cards.wording.exposureClassLabels[e.class] ?? e.class,
      e.day0 ? formatTime(e.day0) : x.noDate,
      formatTime(e.last),
      `${formatTime(e.windowStart)} – ${formatTime(e.windowEnd)} (${e.inWindow ? x.inWindow : x.outOfWindow})`,
      matchedText(e.matchedBy, e.matched, w),
    ],
    depth: 0 as const,
  }));
  const evs = events(a, timeline, w, doses, asOf);
  const spans: ExposureView['spans'] = [];
  for (const f of timeline.findings) {
    const start = toEpochMs(f.time);
    if (f.kind !== 'crs' || !f.present || start === undefined || start > asOf) continue;
    const end = Math.min(asOf, toEpochMs(f.end) ?? asOf);
    spans.push({ start, end, label: f.grade ? fill(x.crsGrade, { grade: f.grade }) : x.crs, lane: x.crs, kind: 'crs' });
  }
  const times = [...evs.map((e) => e.t), ...spans.map((s) => s.start)];
  const start = Math.min(...times, asOf - 7 * DAY_MS);
  const p = a.exposure.primary;
  const dayText = p?.daysSince !== undefined && p.day0 ? fill(x.dayText, { day: p.daysSince, start: formatTime(p.day0) }) : undefined;
  const names: Record<TimelineEvent['kind'], string> = { day0: x.day0, dose: x.dose, increase: x.doseIncrease, last: x.lastDose, crs: x.crs, asOf: x.asOf };
  const legend = (Object.keys(names) as TimelineEvent['kind'][]).filter((k) => evs.some((e) => e.kind === k)).map((k): [TimelineEvent['kind'], string] => [k, names[k]]);
  const domain: [number, number] = [start - (asOf - start) * 0.04, asOf + (asOf - start) * 0.04];
  return { header, chartLabel: x.chartLabel, rows, events: evs, spans, legend, domain, ...(dayText ? { dayText } : {}) };
}
