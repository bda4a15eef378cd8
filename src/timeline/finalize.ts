/**
 * Turning the accumulated facts into a deterministic timeline: duplicate/conflict resolution for lab values,
 * per-agent merge of exposure evidence, and total-order sorting of every list.
 *
 * Duplicate rule (values): values of the same analyte at the same instant (compared as epoch ms, so
 * "10:00Z" = "11:00+01:00") with the same value, comparator and unit are one measurement reported more than
 * once (e.g. a CBC panel component and a stand-alone platelet Observation, or a preliminary and a final
 * report). It is kept once: the best status (final/amended/corrected before preliminary), then the lexically
 * smallest source; the others are listed in `duplicateSources`. Different values at the same instant are all
 * kept and reported as a `ValueConflict` — never dropped silently.
 */
import type { DosePoint, ExposureDateKind, ExposureEvidence } from './context';
import type { SiteTime } from './site-time';
import type { DataIssue, Exposure, ExposureDate, Finding, LabValue, NotEvaluableValue, PatientTimeline, ValueConflict } from './types';
import { cmpNum, cmpStr, cmpTime, stableStringify, uniqueSorted } from './util';
import { ANALYTE_IDS, dataIssue, type ExposureClass, term } from '../vocabulary';

const statusRank = (s: LabValue['status']): number => (s === 'preliminary' ? 1 : 0);

function valueKey(v: LabValue): string {
  return `${v.value}\u0000${v.comparator ?? ''}\u0000${v.unit}`;
}

/** Kept values in output order: instant, then time text, source, value, comparator, unit (a total order). */
function cmpKept(a: LabValue, b: LabValue): number {
  return cmpStr(a.time, b.time) || cmpStr(a.source, b.source) || cmpNum(a.value, b.value) || cmpStr(a.comparator, b.comparator) || cmpStr(a.unit, b.unit);
}

/**
 * Values of one analyte reported at one instant (more than one): duplicates collapsed, conflicts recorded.
 * Returns the kept values (unsorted).
 */
function resolveGroup(group: LabValue[], conflicts: ValueConflict[]): LabValue[] {
  group.sort((a, b) => statusRank(a.status) - statusRank(b.status) || cmpStr(a.source, b.source));
  const byValue = new Map<string, LabValue[]>();
  for (const v of group) {
    const k = valueKey(v);
    const list = byValue.get(k);
    if (list) list.push(v);
    else byValue.set(k, [v]);
  }
  const kept: LabValue[] = [];
  for (const same of byValue.values()) {
    const [first, ...rest] = same as [LabValue, ...LabValue[]];
    kept.push(rest.length ? { ...first, duplicateSources: uniqueSorted(rest.map((r) => r.source)) } : first);
  }
  if (byValue.size > 1) {
    const bySource = [...group].sort((a, b) => cmpStr(a.source, b.source));
    const first = [...group].sort((a, b) => cmpStr(a.time, b.time))[0] as LabValue;
    conflicts.push({
      analyte: first.analyte,
      time: first.time,
      sources: bySource.map((v) => v.source),
      values: bySource.map((v) => v.value),
    });
  }
  return kept;
}

/**
 * Per analyte: values sorted by instant (`ms[i]` is the epoch ms of `values[i].time`, parsed once when read),
 * runs at the same instant resolved as duplicates or conflicts (see the module comment).
 */
export function resolveLabs(values: LabValue[], ms: number[]): { labs: PatientTimeline['labs']; conflicts: ValueConflict[] } {
  const perAnalyte = new Map<string, number[]>();
  for (let i = 0; i < values.length; i++) {
    const analyte = (values[i] as LabValue).analyte;
    const list = perAnalyte.get(analyte);
    if (list) list.push(i);
    else perAnalyte.set(analyte, [i]);
  }
  const conflicts: ValueConflict[] = [];
  const labs: PatientTimeline['labs'] = {};
  for (const id of ANALYTE_IDS) {
    const idx = perAnalyte.get(id);
    if (!idx) continue;
    idx.sort((a, b) => (ms[a] as number) - (ms[b] as number) || cmpKept(values[a] as LabValue, values[b] as LabValue));
    const out: LabValue[] = [];
    for (let i = 0; i < idx.length; ) {
      const t = ms[idx[i] as number] as number;
      let j = i + 1;
      while (j < idx.length && ms[idx[j] as number] === t) j++;
      if (j === i + 1) out.push(values[idx[i] as number] as LabValue);
      else {
        const group: LabValue[] = [];
        for (let k = i; k < j; k++) group.push(values[idx[k] as number] as LabValue);
        for (const v of resolveGroup(group, conflicts).sort(cmpKept)) out.push(v);
      }
      i = j;
    }
    labs[id] = out;
  }
  conflicts.sort((a, b) => cmpStr(a.analyte, b.analyte) || cmpTime(a.time, b.time) || cmpStr(a.sources[0], b.sources[0]));
  return { labs, conflicts };
}

/** One site calendar day's dosing: the daily amount it documents, and its earliest dated point. */
interface DoseDay {
  unit: string;
  perDay: number;
  time: string;
}

/**
 * The daily amount per site calendar day and unit: a stated daily amount (an order's or statement's dosage) where
 * there is one, else the sum of the day's administered doses (several at one instant, e.g. the same dose from two
 * sources, count once, the highest).
 */
function doseDays(points: DosePoint[], site: SiteTime): DoseDay[] {
  const byInstant = new Map<string, DosePoint>();
  for (const p of points) {
    const t = site.ms(p.time);
    if (t === undefined) continue;
    const key = `${t}|${p.unit}|${p.perDay === undefined ? 'dose' : 'daily'}`;
    const cur = byInstant.get(key);
    if (!cur || (p.perDay ?? p.amount) > (cur.perDay ?? cur.amount) || ((p.perDay ?? p.amount) === (cur.perDay ?? cur.amount) && cmpStr(p.time, cur.time) < 0)) byInstant.set(key, p);
  }
  const days = new Map<string, { unit: string; day: number; stated?: number; given: number; first: string; firstMs: number }>();
  for (const p of byInstant.values()) {
    const t = site.ms(p.time) as number;
    const day = site.dayOf(t);
    const key = `${day}|${p.unit}`;
    const d = days.get(key) ?? { unit: p.unit, day, given: 0, first: p.time, firstMs: t };
    if (p.perDay !== undefined) d.stated = Math.max(d.stated ?? 0, p.perDay);
    else d.given += p.amount;
    if (t < d.firstMs || (t === d.firstMs && cmpStr(p.time, d.first) < 0)) [d.first, d.firstMs] = [p.time, t];
    days.set(key, d);
  }
  return [...days.values()]
    .sort((a, b) => a.day - b.day || cmpStr(a.unit, b.unit))
    .map((d) => ({ unit: d.unit, perDay: Math.max(d.stated ?? 0, d.given), time: d.first }));
}

/**
 * Dates of dose increases: a site calendar day whose daily amount exceeds the previous dosed day's (same unit).
 * Daily, not dose by dose: 25 mg mornings and 50 mg evenings is a stable 75 mg/day, not an increase every evening.
 */
function doseIncreases(points: DosePoint[], site: SiteTime): string[] {
  const out: string[] = [];
  const last = new Map<string, number>();
  for (const d of doseDays(points, site)) {
    const prev = last.get(d.unit);
    if (prev !== undefined && d.perDay > prev) out.push(d.time);
    last.set(d.unit, d.perDay);
  }
  return out;
}

/**
 * Classes given as one infusion whose day 0 is the infusion itself (day 0 = infusion; Hines 2023 baseline =
 * value at infusion). The product is ordered, collected and manufactured weeks before, so only an
 * administration/infusion date is day 0 when one is documented.
 */
const DAY_ZERO_IS_INFUSION: ReadonlySet<ExposureClass> = new Set<ExposureClass>(['car-t']);

/** Times compared as instants in the site zone (unparseable first); equal instants by their text. */
function siteCmp(site: SiteTime): (a: string | undefined, b: string | undefined) => number {
  return (a, b) => (a === b ? 0 : cmpNum(site.ms(a), site.ms(b)) || cmpStr(a, b));
}

/** Dates of one kind (or kinds) across an agent's evidence, sorted, with the source of the earliest. */
function datesOf(list: ExposureEvidence[], kinds: readonly ExposureDateKind[], cmp: (a: string, b: string) => number): { dates: string[]; firstSource?: string } {
  const pairs = list
    .filter((e) => kinds.includes(e.dateKind))
    .flatMap((e) => e.dates.map((d) => ({ d, source: e.source })))
    .sort((a, b) => cmp(a.d, b.d) || cmpStr(a.source, b.source));
  const first = pairs[0];
  return { dates: pairs.map((p) => p.d), ...(first ? { firstSource: first.source } : {}) };
}

/** Every span of an agent's evidence as an `ExposureDate`, in time order, each once. */
function datedEvidence(list: ExposureEvidence[], cmp: (a: string | undefined, b: string | undefined) => number): ExposureDate[] {
  const seen = new Set<string>();
  const out: ExposureDate[] = [];
  for (const e of list) {
    for (const span of e.spans) {
      const key = `${span.at}\u0000${span.until ?? ''}\u0000${e.dateKind}\u0000${e.source}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        at: span.at,
        ...(span.until !== undefined ? { until: span.until } : {}),
        kind: e.dateKind,
        ...(e.ongoing !== undefined ? { ongoing: e.ongoing } : {}),
        source: e.source,
      });
    }
  }
  return out.sort((a, b) => cmp(a.at, b.at) || cmp(a.until, b.until) || cmpStr(a.kind, b.kind) || cmpStr(a.source, b.source));
}

/**
 * First dose / day 0 (`start`) and last documented dose (`last`) of one agent, from all its resources.
 *
 * Each resource's dates are tagged with what they document: `administered` (MedicationAdministration, Procedure),
 * `reported` (MedicationStatement), `scheduled` (MedicationRequest dosage timing / validity period), `ordered`
 * (MedicationRequest.authoredOn, only when the request has no other date). Rule:
 * - CAR T (`DAY_ZERO_IS_INFUSION`): day 0 = the earliest administration/infusion date when any resource documents
 *   one; else the earliest reported date (a statement that it was given); else the planned (scheduled or order)
 *   date, flagged `infusionPlanned` with an `infusion-not-documented` warning: screening goes on from the plan, and
 *   the card says "planned infusion".
 * - Every other class (a course of doses; "first dose"): the earliest administered, reported or scheduled date.
 *   A course often starts outside the records holding its administrations (home medication, an outpatient
 *   prescription, another hospital), so a documented earlier start is kept, not replaced by the first inpatient
 *   administration — otherwise a long-standing lamotrigine would look newly started (its 8-week window).
 * - An order date (authoredOn) is when the order was written, not a dose: it stands in only when no resource of
 *   the agent gives any other date, and the exposure is then flagged `exposure-start-from-order`.
 * `last` is the latest administered, reported or scheduled date, else the latest order date.
 */
function exposureDates(
  cls: ExposureClass,
  list: ExposureEvidence[],
  cmp: (a: string, b: string) => number,
): { start?: string; last?: string; orderSource?: string; planned?: true } {
  const dosed = datesOf(list, ['administered', 'reported', 'scheduled'], cmp);
  const infusion = DAY_ZERO_IS_INFUSION.has(cls);
  if (dosed.dates.length) {
    const last = dosed.dates[dosed.dates.length - 1] as string;
    if (!infusion) return { start: dosed.dates[0] as string, last };
    const given = datesOf(list, ['administered'], cmp).dates[0] ?? datesOf(list, ['reported'], cmp).dates[0];
    return given !== undefined ? { start: given, last } : { start: dosed.dates[0] as string, last, planned: true };
  }
  const ordered = datesOf(list, ['ordered'], cmp);
  if (!ordered.dates.length) return {};
  return {
    start: ordered.dates[0] as string,
    last: ordered.dates[ordered.dates.length - 1] as string,
    orderSource: ordered.firstSource as string,
    ...(infusion ? { planned: true as const } : {}),
  };
}

export function mergeExposures(evidence: ExposureEvidence[], issues: DataIssue[], site: SiteTime): Exposure[] {
  const cmp = siteCmp(site);
  const groups = new Map<string, ExposureEvidence[]>();
  for (const e of evidence) {
    const key = `${e.agent.class}\u0000${e.agent.agent}`;
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  const out: Exposure[] = [];
  for (const list of groups.values()) {
    const first = list[0] as ExposureEvidence;
    const byCode = list.filter((e) => e.matchedBy === 'code').map((e) => e.matched).sort(cmpStr);
    const byName = list.filter((e) => e.matchedBy === 'name').map((e) => e.matched).sort(cmpStr);
    const ongoingStates = list.map((e) => e.ongoing);
    const ongoing = ongoingStates.includes(true) ? true : ongoingStates.includes(false) ? false : undefined;
    const { start, last, orderSource, planned } = exposureDates(first.agent.class, list, cmp);
    const sources = uniqueSorted(list.map((e) => e.source));
    const exposure: Exposure = {
      class: first.agent.class,
      agent: first.agent.agent,
      ...(start !== undefined ? { start } : {}),
      ...(last !== undefined ? { last } : {}),
      doseIncreases: uniqueSorted(doseIncreases(list.flatMap((e) => e.doses), site)).sort(cmp),
      dates: datedEvidence(list, cmp),
      ...(ongoing !== undefined ? { ongoing } : {}),
      ...(first.agent.classEffect ? { classEffect: true as const } : {}),
      ...(planned ? { infusionPlanned: true as const } : {}),
      matchedBy: byCode.length ? 'code' : 'name',
      matched: (byCode[0] ?? byName[0]) as string,
      sources,
    };
    out.push(exposure);
    if (start === undefined) {
      issues.push(dataIssue('warning', 'exposure-without-date', { agent: exposure.agent, class: exposure.class }, sources[0] as string));
    } else if (planned) {
      const basis = term(orderSource !== undefined ? 'order-date' : 'planned-date');
      issues.push(dataIssue('warning', 'infusion-not-documented', { agent: exposure.agent, class: exposure.class, basis, start }, orderSource ?? (sources[0] as string)));
    } else if (orderSource !== undefined) {
      issues.push(dataIssue('warning', 'exposure-start-from-order', { agent: exposure.agent, class: exposure.class, start }, orderSource));
    }
  }
  return out.sort((a, b) => cmpStr(a.class, b.class) || cmpStr(a.agent, b.agent));
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      cmpStr(a.kind, b.kind) ||
      cmpTime(a.time, b.time) ||
      cmpStr(a.source, b.source) ||
      cmpStr(a.code.system, b.code.system) ||
      cmpStr(a.code.code, b.code.code) ||
      cmpStr(a.detail, b.detail) ||
      Number(a.present) - Number(b.present),
  );
}

export function sortNotEvaluable(list: NotEvaluableValue[]): NotEvaluableValue[] {
  return list.sort(
    (a, b) =>
      cmpStr(a.analyte, b.analyte) || cmpTime(a.time, b.time) || cmpStr(a.source, b.source) || cmpStr(a.reason, b.reason),
  );
}

/** Sorted and de-duplicated (same severity, code, source and parameters once). */
export function finalizeIssues(issues: DataIssue[]): DataIssue[] {
  const seen = new Map<string, { issue: DataIssue; params: string }>();
  for (const issue of issues) {
    const params = stableStringify(issue.params);
    seen.set(`${issue.severity}\u0000${issue.code}\u0000${issue.source ?? ''}\u0000${params}`, { issue, params });
  }
  return [...seen.values()]
    .sort(
      ({ issue: a, params: pa }, { issue: b, params: pb }) =>
        cmpStr(a.severity === 'warning' ? '0' : '1', b.severity === 'warning' ? '0' : '1') ||
        cmpStr(a.code, b.code) ||
        cmpStr(a.source, b.source) ||
        cmpStr(pa, pb),
    )
    .map((x) => x.issue);
}
