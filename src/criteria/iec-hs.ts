/**
 * ASTCT IEC-HS identification (Hines 2023, Transplant Cell Ther) as reproduced, with the screen's working rule
 * (docs/knowledge.md, design decisions): ferritin criterion + at least `suggestiveOtherFeatures` other most-common
 * laboratory features (transaminases, fibrinogen, cytopenias, hemophagocytosis) → `suggestive`; ferritin criterion
 * alone → `watch`. Every number comes from `criteria.iecHs`.
 *
 * Windows: "current" values are those in the lab lookback that are at or after day 0 (post-infusion);
 * the baseline is the last value in the `baselineDays` before day 0. A date-only day 0
 * (infusion time unknown): values on its calendar date are baseline candidates (flag `baseline-day0-date-only`)
 * and current values start the next day.
 * Missing baseline: with `missingBaseline = assume-normal` [design] the baseline-relative arm is dropped
 * and the item is flagged `baseline-assumed-normal` (ferritin → ULN only; transaminases → ULN factor only;
 * a cytopenia counts as new). With `unknown` the arm is unknown instead.
 */
import type { Threshold } from '../knowledge/criteria';
import type { LabValue } from '../timeline/types';
import { DAY_MS, HOUR_MS } from '../timeline/time';
import { countsFrom } from './exposure';
import { currentFindings, findingItem, findingsOf } from './findings';
import { compare, fromComparator, or3, point, scale, type Tri } from './interval';
import { isFasting } from './hlh2004';
import type { CriterionItem, IecHsResult, ItemFlag, ValueRef } from './types';
import type { AnalyteId } from '../vocabulary';
import { citeOf, labLookbackStart, temperatureLookbackStart, timeOf, type Ctx } from './context';
import { valuesBefore, valuesIn } from './lab-window';
import { decide, judgeAbsolute, orState, type Judged } from './judge';
import { lln, rangeOf, uln } from './reference-range';
import { absoluteItem, boundText, item, parentFrom, toValueRef, withParams } from './items';

interface Windows {
  day0: number;
  /** Start of the post-infusion ("current") values and exclusive end of the baseline window. */
  afterDay0: number;
  currentFrom: number;
  baselineFrom: number;
}

function current(ctx: Ctx, w: Windows, analyte: AnalyteId, from = w.currentFrom): LabValue[] {
  return valuesIn(ctx, analyte, Math.max(from, w.afterDay0));
}

/**
 * Last value in the baseline window [day0 − baselineDays, day0); with a date-only day 0 the window runs to the
 * end of day 0's calendar date (Hines 2023: baseline = "value at infusion"; the infusion time is unknown).
 */
function baselineOf(ctx: Ctx, w: Windows, analyte: AnalyteId): LabValue | undefined {
  return valuesBefore(ctx, analyte, w.baselineFrom, w.afterDay0).at(-1);
}

function greaterThan(v: LabValue, bound: number | { value: number; comparator?: LabValue['comparator'] }, factor: number): Tri {
  const b = typeof bound === 'number' ? point(bound) : fromComparator(bound.value, bound.comparator);
  return compare(fromComparator(v.value, v.comparator), '>', scale(b, factor));
}

function ratio(v: number, of: number): number {
  return Number((v / of).toFixed(1));
}

function withBaseline(it: CriterionItem, b: LabValue | undefined, ctx: Ctx, w: Windows): CriterionItem {
  if (b) {
    it.baseline = toValueRef(b, ctx);
    // a same-day value taken as baseline because the infusion has a date only
    if ((timeOf(b, ctx) as number) >= w.day0) it.flags = [...new Set([...(it.flags ?? []), 'baseline-day0-date-only' as ItemFlag])];
  }
  return it;
}

// ---------------------------------------------------------------------------------------------- ferritin

function ferritinFeature(ctx: Ctx, w: Windows): CriterionItem {
  const k = ctx.k.iecHs;
  const values = current(ctx, w, 'ferritin');
  const base = baselineOf(ctx, w, 'ferritin');
  const arms: CriterionItem[] = [];

  const uf = k.ferritin.ulnFactor;
  const ulnCite = citeOf(ctx, uf);
  const ulnJudged: Judged[] = values.map((v) => {
    const u = uln(v, ctx);
    if (!u) return { value: v, result: undefined, reason: 'no-reference-range' };
    return {
      value: v,
      result: greaterThan(v, u.value, uf.value),
      range: u.range,
      threshold: { operator: '>', value: u.value * uf.value, unit: v.unit, basis: 'uln', factor: uf.value, citation: ulnCite.citation, status: ulnCite.status, source: ulnCite.source },
      multiple: { of: 'uln', factor: ratio(v.value, u.value) },
    };
  });
  const du = decide(ulnJudged, 'up');
  arms.push(withParams(item('ferritin.uln', `Ferritin > ${uf.value} × ULN`, du.state, du.chosen, ctx), { factor: uf.value }));

  const bf = k.ferritin.baselineFactor;
  const baseCite = citeOf(ctx, bf);
  let assumed = false;
  if (base) {
    const bj: Judged[] = values.map((v) => ({
      value: v,
      result: greaterThan(v, base, bf.value),
      threshold: { operator: '>', value: base.value * bf.value, unit: v.unit, basis: 'baseline', factor: bf.value, citation: baseCite.citation, status: baseCite.status, source: baseCite.source },
      multiple: base.value > 0 ? { of: 'baseline', factor: ratio(v.value, base.value) } : undefined,
      baseline: toValueRef(base, ctx),
    }));
    const db = decide(bj, 'up');
    arms.push(withParams(withBaseline(item('ferritin.baseline', `Ferritin > ${bf.value} × baseline`, db.state, db.chosen, ctx), base, ctx, w), { factor: bf.value }));
  } else if (k.missingBaseline.value === 'unknown') {
    arms.push({ id: 'ferritin.baseline', label: `Ferritin > ${bf.value} × baseline`, params: { factor: bf.value }, state: 'unknown', reason: values.length ? 'no-baseline' : 'no-data', sources: [] });
  } else {
    assumed = values.length > 0;
  }

  // rapidly rising (criteria.iecHs.rapidRise)
  const r = k.rapidRise;
  arms.push(withParams(rapidRise(ctx, w, values), { factor: r.factor.value, hours: r.withinHours.value }));

  const state = values.length ? orState(arms) : 'unknown';
  const parent = parentFrom('ferritin', `Ferritin elevated (> ${uf.value} × ULN, > ${bf.value} × baseline, or rapidly rising)`, arms, state);
  if (!values.length) parent.reason = 'no-data';
  if (assumed) parent.flags = [...new Set([...(parent.flags ?? []), 'baseline-assumed-normal' as ItemFlag])];
  parent.params = { ulnFactor: uf.value, baselineFactor: bf.value };
  return withBaseline(parent, base, ctx, w);
}

/**
 * Rapid rise (criteria.iecHs.rapidRise): a current value b and an earlier value a (any time, ≤ `withinHours`
 * before b) with b ≥ `factor` × a → met. Only measured pairs count. With `requireAboveUln`, a current value at/below its ULN is
 * not a rapid rise (not-met). A current value above the ULN with no earlier value within 48 h is skipped;
 * when no value above the ULN has a measured pair the arm is unknown (`insufficient-serial-values`).
 */
function rapidRise(ctx: Ctx, _w: Windows, values: LabValue[]): CriterionItem {
  const r = ctx.k.iecHs.rapidRise;
  const factor = r.factor.value;
  const rc = citeOf(ctx, r.factor);
  const label = `Ferritin rapidly rising (≥ ${factor}× within ${r.withinHours.value} h)`;
  const judged: (Judged & { from?: LabValue })[] = [];
  let skipped = 0;
  for (const b of values) {
    const tb = timeOf(b, ctx) as number;
    const bi = fromComparator(b.value, b.comparator);
    const u = uln(b, ctx);
    const above: Tri = u ? compare(bi, '>', point(u.value)) : undefined;
    if (r.requireAboveUln.value && above === false) {
      judged.push({ value: b, result: false, ...(u ? { range: u.range } : {}) });
      continue;
    }
    // Every ferritin value (at or before asOf) in [tb − withinHours, tb), timeline order: a window of the time index.
    const earlier = valuesBefore(ctx, 'ferritin', tb - r.withinHours.value * HOUR_MS, tb);
    if (!earlier.length) {
      skipped++;
      continue;
    }
    // b ≥ factor × a for some earlier a (on intervals): true if any pair proves it, false if all disprove it
    const results = earlier.map((a) => ({ a, res: compare(bi, '>=', scale(fromComparator(a.value, a.comparator), factor)) }));
    const proving = results.find((x) => x.res === true);
    const open = results.find((x) => x.res === undefined);
    const doubled: Tri = proving ? true : open ? undefined : false;
    // lowest earlier value is the most telling comparison point
    const from = proving?.a ?? open?.a ?? earlier.reduce((m, a) => (a.value < m.value ? a : m));
    const result = r.requireAboveUln.value && doubled === true ? above : doubled;
    judged.push({
      value: b,
      result,
      from,
      threshold: { operator: '>=', value: from.value * factor, unit: b.unit, basis: 'earlier-value', factor, citation: rc.citation, status: rc.status, source: rc.source },
      ...(u ? { range: u.range } : {}),
    });
  }
  const paired = judged.filter((j) => j.from !== undefined);
  if (!paired.length && skipped) {
    return { id: 'ferritin.rising', label, state: 'unknown', reason: 'insufficient-serial-values', sources: [] };
  }
  if (!judged.length) {
    return { id: 'ferritin.rising', label, state: 'unknown', reason: skipped ? 'insufficient-serial-values' : 'no-data', sources: [] };
  }
  const d = decide(judged, 'up');
  const it = item('ferritin.rising', label, d.state, d.chosen, ctx);
  const from = (d.chosen as { from?: LabValue } | undefined)?.from;
  if (from) {
    // the earlier value of the pair, labelled as such: a baseline is the value before day 0
    it.comparison = toValueRef(from, ctx);
    it.sources = [...it.sources, from.source];
  }
  return it;
}

// ---------------------------------------------------------------------------------------------- transaminases

function transaminase(ctx: Ctx, w: Windows, analyte: 'alt' | 'ast'): CriterionItem {
  const k = ctx.k.iecHs.transaminases;
  const label = analyte === 'alt' ? 'ALT' : 'AST';
  const values = current(ctx, w, analyte);
  const base = baselineOf(ctx, w, analyte);
  const flags: ItemFlag[] = [];
  const [uf, bf] = [k.ulnFactor.value, k.baselineFactor.value];
  const [uc, bc] = [citeOf(ctx, k.ulnFactor), citeOf(ctx, k.baselineFactor)];
  const judged: Judged[] = values.map((v) => {
    const u = uln(v, ctx);
    if (!u) return { value: v, result: undefined, reason: 'no-reference-range' };
    const overUln = greaterThan(v, u.value, uf);
    const ulnThreshold = { operator: '>' as const, value: u.value * uf, unit: v.unit, basis: 'uln' as const, factor: uf, citation: uc.citation, status: uc.status, source: uc.source };
    const multiple = { of: 'uln' as const, factor: ratio(v.value, u.value) };
    if (!base) {
      if (ctx.k.iecHs.missingBaseline.value === 'assume-normal') {
        return { value: v, result: overUln, range: u.range, threshold: ulnThreshold, multiple, flags: ['baseline-assumed-normal'] };
      }
      // Any baseline gives a threshold at or above the ULN factor: a value at/below it is not-met whatever the baseline.
      return { value: v, result: overUln === false ? false : undefined, range: u.range, threshold: ulnThreshold, multiple, reason: overUln === false ? undefined : 'no-baseline' };
    }
    const bu = uln(base, ctx) ?? u;
    const baseAbnormal = compare(fromComparator(base.value, base.comparator), '>', point(bu.value));
    const overBase = greaterThan(v, base, bf);
    const baseThreshold = { operator: '>' as const, value: base.value * bf, unit: v.unit, basis: 'baseline' as const, factor: bf, citation: bc.citation, status: bc.status, source: bc.source };
    const bref: ValueRef = toValueRef(base, ctx);
    if (baseAbnormal === false) return { value: v, result: overUln, range: u.range, threshold: ulnThreshold, multiple, baseline: bref };
    if (baseAbnormal === true) return { value: v, result: overBase, range: u.range, threshold: baseThreshold, multiple: base.value > 0 ? { of: 'baseline', factor: ratio(v.value, base.value) } : multiple, baseline: bref };
    // baseline normality itself undecidable (comparator): both arms must agree
    const both = overUln === overBase ? overUln : undefined;
    return { value: v, result: both, range: u.range, threshold: ulnThreshold, multiple, baseline: bref };
  });
  const d = decide(judged, 'up');
  return withBaseline(item(`transaminases.${analyte}`, label, d.state, d.chosen, ctx, flags.length ? { flags } : {}), base, ctx, w);
}

// ---------------------------------------------------------------------------------------------- fibrinogen

function fibrinogenFeature(ctx: Ctx, w: Windows): CriterionItem {
  const k = ctx.k.iecHs.fibrinogen;
  const [absCite, llnCite] = [citeOf(ctx, k.absolute), citeOf(ctx, k.belowLln)];
  const values = current(ctx, w, 'fibrinogen');
  const judged: Judged[] = values.map((v) => {
    const abs = judgeAbsolute(v, k.absolute, absCite);
    const l = k.belowLln.value ? lln(v, ctx) : undefined;
    const belowLln: Tri = l ? compare(fromComparator(v.value, v.comparator), '<', point(l.value)) : k.belowLln.value ? undefined : false;
    const result = or3(abs.result, belowLln);
    const useLln = belowLln === true && abs.result !== true ? true : result === false && l !== undefined && l.value > (k.absolute.lt ?? 0);
    return {
      value: v,
      result,
      range: l?.range ?? rangeOf(v, ctx),
      threshold: useLln && l ? { operator: '<', value: l.value, unit: v.unit, basis: 'lln', factor: 1, citation: llnCite.citation, status: llnCite.status, source: llnCite.source } : abs.threshold,
      reason: result === undefined && !l && abs.result === false ? 'no-reference-range' : undefined,
    };
  });
  const d = decide(judged, 'down');
  const bound = boundText(k.absolute);
  const it = withParams(item('fibrinogen', `Hypofibrinogenemia (${bound} or < LLN)`, d.state, d.chosen, ctx), { bound });
  return it;
}

// ---------------------------------------------------------------------------------------------- cytopenias

function lineage(ctx: Ctx, w: Windows, analyte: 'hemoglobin' | 'platelets' | 'anc', t: Threshold, label: string): CriterionItem {
  const values = current(ctx, w, analyte);
  const base = baselineOf(ctx, w, analyte);
  const c = citeOf(ctx, t);
  const baseCyto: Tri = base ? judgeAbsolute(base, t, c).result : undefined;
  const judged: Judged[] = values.map((v) => {
    const j = judgeAbsolute(v, t, c);
    if (j.result !== true) return j; // not cytopenic now, or undecidable
    if (!base) {
      return ctx.k.iecHs.missingBaseline.value === 'assume-normal'
        ? { ...j, flags: ['baseline-assumed-normal'] }
        : { ...j, result: undefined, reason: 'no-baseline' };
    }
    if (baseCyto === false) return { ...j, baseline: toValueRef(base, ctx) }; // new onset
    // pre-existing cytopenia: counts only when worse than baseline
    const worse = compare(fromComparator(v.value, v.comparator), '<', fromComparator(base.value, base.comparator));
    return { ...j, result: baseCyto === true ? worse : worse === true ? true : undefined, baseline: toValueRef(base, ctx) };
  });
  const d = decide(judged, 'down');
  return withBaseline(item(`cytopenias.${analyte}`, label, d.state, d.chosen, ctx), base, ctx, w);
}

// ---------------------------------------------------------------------------------------------- timing / CRS

function timing(ctx: Ctx): { item: CriterionItem; relation: IecHsResult['crsRelation'] } {
  const crs = findingsOf(ctx, 'crs', (f) => f.present);
  const label = 'Timing: onset as CRS resolves or after initial improvement';
  if (!crs.length) return { item: { id: 'timing', label, state: 'unknown', reason: 'no-crs-coded', sources: [] }, relation: 'unknown' };
  const resolvedStatuses = ['resolved', 'inactive', 'remission'];
  const active = crs.filter((f) => {
    const end = ctx.ms(f.end);
    if (end !== undefined && end <= ctx.asOfMs) return false;
    return !(f.clinicalStatus && resolvedStatuses.includes(f.clinicalStatus));
  });
  const sources = crs.map((f) => f.source);
  if (active.length) {
    // Concurrent CRS does not exclude IEC-HS ("worsening after initial improvement"): unknown, not not-met.
    return { item: { id: 'timing', label, state: 'unknown', reason: 'crs-active', sources }, relation: 'concurrent-with-crs' };
  }
  const ends = crs.map((f) => f.end).filter((e): e is string => Boolean(e));
  const out: CriterionItem = { id: 'timing', label, state: 'met', reason: 'crs-resolved', sources };
  if (ends.length) out.time = ends.sort((a, b) => (ctx.ms(b) ?? 0) - (ctx.ms(a) ?? 0))[0];
  return { item: out, relation: 'after-crs-resolution' };
}

// ---------------------------------------------------------------------------------------------- may be present

function aboveUlnItem(ctx: Ctx, w: Windows, analyte: AnalyteId, id: string, label: string): CriterionItem {
  const f = ctx.k.iecHs.aboveUlnFactor;
  const c = citeOf(ctx, f);
  const values = current(ctx, w, analyte);
  const judged: Judged[] = values.map((v) => {
    const u = uln(v, ctx);
    if (!u) return { value: v, result: undefined, reason: 'no-reference-range' };
    return {
      value: v,
      result: compare(fromComparator(v.value, v.comparator), '>', point(u.value * f.value)),
      range: u.range,
      threshold: { operator: '>', value: u.value * f.value, unit: v.unit, basis: 'uln', factor: f.value, citation: c.citation, status: c.status, source: c.source },
      multiple: { of: 'uln', factor: ratio(v.value, u.value) },
    };
  });
  const d = decide(judged, 'up');
  return item(id, label, d.state, d.chosen, ctx);
}

function mayBePresent(ctx: Ctx, w: Windows): CriterionItem[] {
  const k = ctx.k.iecHs;
  const ldh = aboveUlnItem(ctx, w, 'ldh', 'ldh', 'LDH > ULN');
  const coag = parentFrom('coagulopathy', 'Other coagulopathy (raised PT / INR / aPTT)', [
    aboveUlnItem(ctx, w, 'pt', 'coagulopathy.pt', 'PT > ULN'),
    aboveUlnItem(ctx, w, 'inr', 'coagulopathy.inr', 'INR > ULN'),
    aboveUlnItem(ctx, w, 'aptt', 'coagulopathy.aptt', 'aPTT > ULN'),
  ]);
  const bili = aboveUlnItem(ctx, w, 'bilirubin-direct', 'bilirubin-direct', 'Direct hyperbilirubinemia (> ULN)');

  // "new" splenomegaly: documented on/after day 0 (undated → unknown; before day 0 → pre-existing, not new)
  const spleenAll = findingItem(ctx, 'splenomegaly', 'splenomegaly', 'New splenomegaly');
  const spleenNew = findingItem(ctx, 'splenomegaly', 'splenomegaly', 'New splenomegaly', (f) => (ctx.ms(f.time) ?? -Infinity) >= w.day0);
  let spleen = spleenNew;
  if (spleenNew.state !== 'met' && spleenAll.state === 'met') {
    const undated = currentFindings(ctx, 'splenomegaly', (f) => ctx.ms(f.time) === undefined).present;
    spleen = undated.length
      ? { ...spleenAll, state: 'unknown', reason: 'no-data', sources: undated.map((f) => f.source) }
      : { ...spleenAll, state: 'not-met', reason: 'finding-present' };
  }

  const fever = absoluteItem(ctx, 'fever', 'Fever (new or persistent)', current(ctx, w, 'temperature', temperatureLookbackStart(ctx)), k.fever, 'up');

  const notComputable = (id: string, label: string): CriterionItem => ({ id, label, state: 'unknown', reason: 'not-computable', sources: [] });

  // new renal insufficiency [design]: creatinine > ULN after day 0 with a normal (or assumed normal) baseline
  const renal = aboveUlnItem(ctx, w, 'creatinine', 'renal', 'New renal insufficiency (creatinine > ULN)');
  const crBase = baselineOf(ctx, w, 'creatinine');
  if (crBase) {
    renal.baseline = toValueRef(crBase, ctx);
    const bu = uln(crBase, ctx);
    const baseHigh = bu ? compare(fromComparator(crBase.value, crBase.comparator), '>', point(bu.value)) : undefined;
    if (renal.state === 'met' && baseHigh !== false) renal.state = baseHigh === true ? 'not-met' : 'unknown';
  } else if (renal.state === 'met') {
    if (k.missingBaseline.value === 'unknown') {
      renal.state = 'unknown';
      renal.reason = 'no-baseline';
    } else renal.flags = [...new Set([...(renal.flags ?? []), 'baseline-assumed-normal' as ItemFlag])];
  }

  const tgJudged = current(ctx, w, 'triglycerides').map((v) => {
    const j = judgeAbsolute(v, k.triglycerides, citeOf(ctx, k.triglycerides));
    const fasting = isFasting(ctx, v);
    if (!fasting && j.result === true && ctx.k.hlh2004.triglyceridesUnknownFasting.value === 'unknown-if-above') {
      return { ...j, result: undefined, reason: 'fasting-unknown' as const, flags: ['fasting-unknown' as ItemFlag] };
    }
    return fasting ? j : { ...j, flags: ['fasting-unknown' as ItemFlag] };
  });
  const tgd = decide(tgJudged, 'up');
  const tgBound = boundText(k.triglycerides);
  const tg = withParams(item('triglycerides', `Hypertriglyceridemia (fasting ${tgBound})`, tgd.state, tgd.chosen, ctx), { bound: tgBound });

  return [
    ldh,
    coag,
    bili,
    spleen,
    fever,
    notComputable('neurotoxicity', 'Neurotoxicity'),
    notComputable('pulmonary', 'Pulmonary involvement (hypoxia, infiltrates, edema)'),
    renal,
    tg,
  ];
}

// ---------------------------------------------------------------------------------------------- status

export function assessIecHs(ctx: Ctx, day0: string): IecHsResult {
  const day0Ms = ctx.ms(day0) as number;
  const w: Windows = {
    day0: day0Ms,
    // date-only day 0: values on that (site) calendar date are baseline candidates, current values start the next day
    afterDay0: countsFrom(day0, ctx.site) as number,
    currentFrom: labLookbackStart(ctx),
    baselineFrom: day0Ms - ctx.k.iecHs.baselineDays.value * DAY_MS,
  };
  const ferritin = ferritinFeature(ctx, w);
  const ta = ctx.k.iecHs.transaminases;
  const transaminases = withParams(
    parentFrom('transaminases', `Transaminases (ALT or AST) > ${ta.ulnFactor.value} × ULN, or > ${ta.baselineFactor.value} × baseline if abnormal`, [
      transaminase(ctx, w, 'alt'),
      transaminase(ctx, w, 'ast'),
    ]),
    { ulnFactor: ta.ulnFactor.value, baselineFactor: ta.baselineFactor.value },
  );
  const fibrinogen = fibrinogenFeature(ctx, w);
  const cy = ctx.k.iecHs.cytopenia;
  const cytopenias = parentFrom('cytopenias', 'Cytopenias (new onset or worsening vs baseline)', [
    lineage(ctx, w, 'hemoglobin', cy.hemoglobin, 'Hemoglobin'),
    lineage(ctx, w, 'platelets', cy.platelets, 'Platelets'),
    lineage(ctx, w, 'anc', cy.anc, 'Neutrophils (absolute)'),
  ]);
  const hemophagocytosis = findingItem(ctx, 'hemophagocytosis', 'hemophagocytosis', 'Hemophagocytosis (marrow or tissue)', (f) => {
    const t = ctx.ms(f.time);
    return t === undefined || t >= day0Ms;
  });
  const t = timing(ctx);
  const features = [ferritin, transaminases, fibrinogen, cytopenias, hemophagocytosis, t.item];
  const others = [transaminases, fibrinogen, cytopenias, hemophagocytosis];

  let status: IecHsResult['status'];
  let statusReason: string;
  if (ferritin.state === 'unknown') {
    status = 'not-evaluable';
    statusReason = ferritin.reason === 'no-data' ? 'no-ferritin-data' : 'ferritin-criterion-unknown';
  } else if (ferritin.state === 'not-met') {
    status = 'not-met';
    statusReason = 'ferritin-criterion-not-met';
  } else if (others.filter((o) => o.state === 'met').length >= ctx.k.iecHs.suggestiveOtherFeatures.value) {
    status = 'suggestive';
    statusReason = 'ferritin-and-other-feature';
  } else {
    status = 'watch';
    statusReason = others.some((o) => o.state === 'unknown') ? 'ferritin-only-others-incomplete' : 'ferritin-only';
  }
  return { status, statusReason, day0, features, mayBePresent: mayBePresent(ctx, w), crsRelation: t.relation, grade: 'not-assessable' };
}
