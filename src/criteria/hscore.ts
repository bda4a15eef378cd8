/**
 * HScore (Fardet 2014, Arthritis Rheumatol 66:2613); points, bands and cut-off from `criteria.hscore` (docs/knowledge.md).
 *
 * Each variable has `points` (proven by the data) and `maxPoints` (if every unknown were positive):
 * a missing variable contributes 0..max, an unknown cytopenia lineage counts as cytopenic for maxPoints,
 * a comparator value contributes the range of bands its interval overlaps. So missing data never lowers
 * `maxPossible`. HScore's cytopenia thresholds are its own (not HLH-2004's).
 * Triglycerides: Fardet's variable does not require fasting, so any triglyceride value counts here.
 * Probability: linear interpolation of the published table (the card says so: cards/wording.json); "<1%" below 90, ">99%" at 250+.
 * Immunosuppression: coded HIV / Z79.52 is met; a glucocorticoid / cyclosporine / azathioprine medication only
 * when ongoing at asOf over ≥ `immunosuppressionMedicationMinDays` [design], else unknown (never met by one dose).
 */
import type { BandedVariable } from '../knowledge/criteria';
import type { Finding, LabValue } from '../timeline/types';
import { DAY_MS } from '../timeline/time';
import { currentFindings, findingItem } from './findings';
import { satisfies } from './interval';
import type { CriterionItem, HScoreResult, HScoreVariable, HScoreVariableId, ProbabilityEstimate } from './types';
import { lineageState } from './hlh2004';
import { citeOf, countedFinding, labLookbackStart, temperatureLookbackStart, type Ctx } from './context';
import { valuesIn } from './lab-window';
import { measure } from './measure';
import { decide, judgeAbsolute } from './judge';
import { item } from './items';

/** `base` (always a fresh item) completed in place: same keys in the same order as `{ ...base, state, reason, points, maxPoints }`. */
function variable(base: CriterionItem, points: number, maxPoints: number): HScoreVariable {
  const state = points < maxPoints ? 'unknown' : points > 0 ? 'met' : 'not-met';
  const reason = state === 'unknown' && base.reason === 'threshold-met' ? 'comparator-inconclusive' : base.reason;
  const out = base as HScoreVariable;
  out.state = state;
  out.reason = reason;
  out.points = points;
  out.maxPoints = maxPoints;
  return out;
}

/** [min, max] points of the bands an interval overlaps (undefined when the unit matches no band set). */
function bandPoints(v: LabValue, b: BandedVariable): { min: number; max: number } | undefined {
  const { sets, pseudo } = bandSets(b);
  // `measure` picks the unit system; each band set is tried as a pseudo-threshold for that choice.
  const m = measure(v, pseudo);
  if (!m) return undefined;
  const set = sets.find((s) => s.unit === m.unit) ?? sets[0]!;
  const possible = set.bands.filter((band) => satisfies(m.interval, band) !== false).map((band) => band.points);
  if (!possible.length) return undefined;
  return { min: Math.min(...possible), max: Math.max(...possible) };
}

/** The band sets and measure's pseudo-threshold of a knowledge variable, built once per (immutable) knowledge object. */
const bandSetsCache = new WeakMap<BandedVariable, { sets: { unit: string; bands: BandedVariable['bands'] }[]; pseudo: Parameters<typeof measure>[1] }>();
function bandSets(b: BandedVariable) {
  let c = bandSetsCache.get(b);
  if (!c) {
    c = {
      sets: [{ unit: b.unit, bands: b.bands }, ...(b.alt ?? [])],
      pseudo: { unit: b.unit, gte: 0, alt: (b.alt ?? []).map((a) => ({ unit: a.unit, gte: 0 })) },
    };
    bandSetsCache.set(b, c);
  }
  return c;
}

function maxBandPoints(b: BandedVariable): number {
  return Math.max(...b.bands.map((x) => x.points));
}

function bandedVariable(ctx: Ctx, id: HScoreVariableId, label: string, values: LabValue[], b: BandedVariable): HScoreVariable {
  const scored = values
    .map((v) => ({ v, p: bandPoints(v, b) }))
    .filter((x): x is { v: LabValue; p: { min: number; max: number } } => x.p !== undefined);
  const top = maxBandPoints(b);
  if (!scored.length) {
    const reason = values.length ? 'unit-not-evaluable' : 'no-data';
    return variable({ id, label, state: 'unknown', reason, sources: [] }, 0, top);
  }
  const points = Math.max(...scored.map((x) => x.p.min));
  const maxPoints = Math.max(...scored.map((x) => x.p.max));
  // Report the value that proves the points (highest min; ties → the more extreme/later one).
  const best = scored
    .filter((x) => x.p.min === points)
    .reduce((a, x) => (x.p.max > a.p.max || (x.p.max === a.p.max && (ctx.ms(x.v.time) ?? 0) >= (ctx.ms(a.v.time) ?? 0)) ? x : a));
  const state = points < maxPoints ? 'unknown' : points > 0 ? 'met' : 'not-met';
  const base = item(id, label, state, { value: best.v, result: undefined }, ctx);
  base.reason = state === 'unknown' ? 'comparator-inconclusive' : state === 'met' ? 'threshold-met' : 'threshold-not-met';
  return variable(base, points, maxPoints);
}

function findingPoints(ctx: Ctx, id: HScoreVariableId, label: string, kind: 'hemophagocytosis', pts: number): HScoreVariable {
  const base = findingItem(ctx, kind, id, label, countedFinding(ctx));
  return variable(base, base.state === 'met' ? pts : 0, base.state === 'not-met' ? 0 : pts);
}

const ONGOING_MEDICATION_STATUSES = new Set(['active', 'in-progress']);

/** A medication-derived finding (MedicationAdministration / Request / Statement), not a coded diagnosis. */
function isMedicationFinding(f: Finding): boolean {
  return f.source.startsWith('Medication');
}

/**
 * Long-term immunosuppressive medication at asOf [design]: status active/in-progress, not ended before asOf, and
 * documented from at least `immunosuppressionMedicationMinDays` before asOf. A single dose never qualifies.
 */
function isLongTermAtAsOf(ctx: Ctx, f: Finding): boolean {
  if (!f.clinicalStatus || !ONGOING_MEDICATION_STATUSES.has(f.clinicalStatus)) return false;
  const end = ctx.ms(f.end);
  if (end !== undefined && end < ctx.asOfMs) return false;
  const start = ctx.ms(f.time);
  if (start === undefined) return false;
  return ctx.asOfMs - start >= ctx.k.hscore.immunosuppressionMedicationMinDays.value * DAY_MS;
}

/**
 * Fardet 2014 "known underlying immunosuppression (HIV+, or long-term glucocorticoids / cyclosporine / azathioprine)":
 * a coded HIV or long-term steroid use (Z79.52) finding is met; an immunosuppressive medication is met only
 * when long-term at asOf (above), otherwise the variable is unknown (`not-long-term`, 0..18) with it as source.
 */
function immunosuppression(ctx: Ctx, label: string, pts: number): HScoreVariable {
  const id: HScoreVariableId = 'immunosuppression';
  const { present: confirmed, unconfirmed, absent } = currentFindings(ctx, 'immunosuppression');
  const proving = confirmed.filter((f) => !isMedicationFinding(f) || isLongTermAtAsOf(ctx, f));
  if (proving.length) {
    const out: CriterionItem = { id, label, state: 'met', reason: 'finding-present', sources: proving.map((f) => f.source) };
    const t = proving.map((f) => f.time).find((x) => x !== undefined);
    if (t) out.time = t;
    return variable(out, pts, pts);
  }
  if (confirmed.length) return variable({ id, label, state: 'unknown', reason: 'not-long-term', sources: confirmed.map((f) => f.source) }, 0, pts);
  if (unconfirmed.length) return variable({ id, label, state: 'unknown', reason: 'finding-unconfirmed', sources: unconfirmed.map((f) => f.source) }, 0, pts);
  if (absent.length) return variable({ id, label, state: 'not-met', reason: 'finding-absent', sources: absent.map((f) => f.source) }, 0, 0);
  return variable({ id, label, state: 'unknown', reason: 'no-data', sources: [] }, 0, pts);
}

function organomegaly(ctx: Ctx): HScoreVariable {
  const o = ctx.k.hscore.organomegaly;
  const counted = countedFinding(ctx);
  const parts = (['hepatomegaly', 'splenomegaly'] as const).map((kind) =>
    findingItem(ctx, kind, `organomegaly.${kind}`, kind === 'hepatomegaly' ? 'Hepatomegaly' : 'Splenomegaly', counted),
  );
  const pts = (n: number): number => (n >= 2 ? o.both : n === 1 ? o.one : 0);
  const met = parts.filter((p) => p.state === 'met').length;
  const unk = parts.filter((p) => p.state === 'unknown').length;
  const base: CriterionItem = {
    id: 'organomegaly',
    label: 'Organomegaly',
    state: 'unknown',
    reason: met ? 'finding-present' : unk ? 'no-data' : 'finding-absent',
    sources: parts.flatMap((p) => p.sources),
    components: parts,
  };
  return variable(base, pts(met), pts(met + unk));
}

function cytopenias(ctx: Ctx): HScoreVariable {
  const c = ctx.k.hscore.cytopenias;
  const lab0 = labLookbackStart(ctx);
  const lineage = (id: string, label: string, analyte: 'hemoglobin' | 'wbc' | 'platelets', t: typeof c.hemoglobin): CriterionItem => {
    const judged = valuesIn(ctx, analyte, lab0).map((v) => judgeAbsolute(v, t, citeOf(ctx, t)));
    const { state, chosen } = decide(judged, 'down');
    return item(`cytopenias.${id}`, label, state, chosen, ctx);
  };
  const lineages = [
    lineage('hemoglobin', 'Hemoglobin', 'hemoglobin', c.hemoglobin),
    lineage('wbc', 'Leukocytes', 'wbc', c.wbc),
    lineage('platelets', 'Platelets', 'platelets', c.platelets),
  ];
  const met = lineages.filter((l) => l.state === 'met').length;
  const unk = lineages.filter((l) => l.state === 'unknown').length;
  const byCount = c.pointsByCount.value;
  const pointsAt = (n: number): number => byCount[Math.min(n, byCount.length - 1)] ?? 0;
  // The reason only: proven points are by count; a lineage count that can still reach the first scoring row is unknown.
  const ls = lineageState(lineages, Math.max(1, byCount.findIndex((p) => p > 0)));
  const base: CriterionItem = {
    id: 'cytopenias',
    label: 'Number of cytopenias',
    state: 'unknown',
    reason: ls.reason,
    sources: lineages.flatMap((l) => l.sources),
    components: lineages,
  };
  return variable(base, pointsAt(met), pointsAt(met + unk));
}

/** Probability by linear interpolation of Fardet's published table (criteria.hscore.probabilityTable). */
export function probability(score: number, table: { score: number; percent: number; qualifier?: '<' | '>' }[]): ProbabilityEstimate {
  const rows = [...table].sort((a, b) => a.score - b.score);
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const fmt = (p: number): string => `${Number(p.toFixed(1))}%`;
  if (score < first.score) return { percent: first.percent, display: `<${fmt(first.percent)}`, method: 'below-table' };
  if (score > last.score) return { percent: last.percent, display: `${last.qualifier ?? '>'}${fmt(last.percent)}`, method: 'above-table' };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (score === r.score) return { percent: r.percent, display: `${r.qualifier ?? ''}${fmt(r.percent)}`, method: 'table-row' };
    const n = rows[i + 1];
    if (n && score > r.score && score < n.score) {
      const p = r.percent + ((n.percent - r.percent) * (score - r.score)) / (n.score - r.score);
      const pr = Number(p.toFixed(1));
      // Between "<1" and "1" the honest statement is "≤1%".
      const display = r.qualifier === '<' ? `≤${fmt(n.percent)}` : fmt(pr);
      return { percent: pr, display, method: 'interpolated' };
    }
  }
  return { percent: last.percent, display: fmt(last.percent), method: 'table-row' };
}

export function assessHScore(ctx: Ctx): HScoreResult {
  const h = ctx.k.hscore;
  const lab0 = labLookbackStart(ctx);
  const variables: HScoreVariable[] = [
    immunosuppression(ctx, 'Known underlying immunosuppression', h.immunosuppressionPoints.value),
    bandedVariable(ctx, 'temperature', 'Temperature', valuesIn(ctx, 'temperature', temperatureLookbackStart(ctx)), h.temperature),
    organomegaly(ctx),
    cytopenias(ctx),
    bandedVariable(ctx, 'ferritin', 'Ferritin', valuesIn(ctx, 'ferritin', lab0), h.ferritin),
    bandedVariable(ctx, 'triglycerides', 'Triglycerides', valuesIn(ctx, 'triglycerides', lab0), h.triglycerides),
    bandedVariable(ctx, 'fibrinogen', 'Fibrinogen', valuesIn(ctx, 'fibrinogen', lab0), h.fibrinogen),
    bandedVariable(ctx, 'ast', 'AST', valuesIn(ctx, 'ast', lab0), h.ast),
    findingPoints(ctx, 'hemophagocytosis', 'Hemophagocytosis on bone marrow aspirate', 'hemophagocytosis', h.hemophagocytosisPoints.value),
  ];
  const score = variables.reduce((s, v) => s + v.points, 0);
  const maxPossible = variables.reduce((s, v) => s + v.maxPoints, 0);
  return {
    score,
    maxPossible,
    maximum: h.maximum.value,
    complete: variables.every((v) => v.state !== 'unknown'),
    probability: probability(score, h.probabilityTable.value),
    probabilityAtMaxPossible: probability(maxPossible, h.probabilityTable.value),
    cutoff: h.cutoff.value,
    missing: variables.filter((v) => v.state === 'unknown').map((v) => v.id as HScoreVariableId),
    variables,
  };
}
