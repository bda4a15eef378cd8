/**
 * HLH-2004 diagnostic criteria (Henter 2007, Pediatr Blood Cancer 48:124): `required` of the 8 criteria, with the
 * exact operators and numbers of `criteria.hlh2004` (docs/knowledge.md).
 *
 * Judgement calls (documented in the report):
 * - Cytopenias need `lineagesRequired` of the 3 lineages: met when that many are met; not-met only when the met
 *   lineages plus the unknown ones cannot reach it; otherwise unknown (1 met + 1 unknown of 2 → unknown).
 * - Triglycerides must be fasting. A value is fasting when its code is configured as fasting. A value
 *   below the threshold disproves the arm whatever its fasting state (a fasting value is not higher than a
 *   non-fasting one); a value at/above the threshold with unknown fasting state is unknown
 *   (`fasting-unknown`) unless the site configures `treat-as-fasting`.
 * - sCD25 in a unit other than U/mL (e.g. pg/mL) is not converted: unknown (`unit-not-evaluable`).
 */
import type { LabValue } from '../timeline/types';
import { DAY_MS } from '../timeline/time';
import { findingItem, findingsOf, isCurrentFinding, isUnconfirmedFinding } from './findings';
import type { CriterionItem, CriterionState, Hlh2004Result } from './types';
import { citeOf, countedFinding, labLookbackStart, temperatureLookbackStart, type Ctx } from './context';
import { valuesIn } from './lab-window';
import { decide, judgeAbsolute, type Judged } from './judge';
import { absoluteItem, item, noValueThreshold, parentFrom } from './items';

export function lineageState(lineages: CriterionItem[], required: number): { state: CriterionState; reason: CriterionItem['reason'] } {
  const met = lineages.filter((l) => l.state === 'met').length;
  const unknown = lineages.filter((l) => l.state === 'unknown').length;
  if (met >= required) return { state: 'met', reason: 'lineages-met' };
  if (met + unknown < required) return { state: 'not-met', reason: 'lineages-insufficient' };
  return { state: 'unknown', reason: 'lineages-unknown' };
}

function isNeonatalAt(ctx: Ctx, v: LabValue): boolean {
  const birth = ctx.ms(ctx.timeline.patient.birthDate);
  const t = ctx.ms(v.time);
  if (birth === undefined || t === undefined) return false;
  return t - birth < ctx.k.hlh2004.cytopenias.neonatalMaxAgeDays.value * DAY_MS;
}

function hemoglobinItem(ctx: Ctx, values: LabValue[]): CriterionItem {
  const c = ctx.k.hlh2004.cytopenias;
  const judged: Judged[] = values.map((v) => {
    const neonatal = isNeonatalAt(ctx, v);
    const t = neonatal ? c.hemoglobinNeonatal : c.hemoglobin;
    const j = judgeAbsolute(v, t, citeOf(ctx, t));
    if (neonatal) j.flags = ['age-adjusted'];
    return j;
  });
  const { state, chosen } = decide(judged, 'down');
  const it = item('cytopenias.hemoglobin', 'Hemoglobin', state, chosen, ctx);
  if (!chosen) it.threshold = noValueThreshold(ctx, c.hemoglobin);
  return it;
}

export function isFasting(ctx: Ctx, v: LabValue): boolean {
  const key = `${v.code.system}|${v.code.code}`;
  return ctx.k.hlh2004.triglyceridesFastingCodes.value.includes(key);
}

function triglycerideFastingJudge(ctx: Ctx, v: LabValue, j: Judged): Judged {
  if (j.result === true && !isFasting(ctx, v) && ctx.k.hlh2004.triglyceridesUnknownFasting.value === 'unknown-if-above') {
    return { ...j, result: undefined, reason: 'fasting-unknown', flags: ['fasting-unknown'] };
  }
  if (!isFasting(ctx, v)) return { ...j, flags: ['fasting-unknown'] };
  return j;
}

export function assessHlh2004(ctx: Ctx): Hlh2004Result {
  const k = ctx.k.hlh2004;
  const lab0 = labLookbackStart(ctx);
  const temp0 = temperatureLookbackStart(ctx);

  const fever = absoluteItem(ctx, 'fever', 'Fever', valuesIn(ctx, 'temperature', temp0), k.fever, 'up');

  const counted = countedFinding(ctx);
  const splenomegaly = findingItem(ctx, 'splenomegaly', 'splenomegaly', 'Splenomegaly', counted);

  const lineages = [
    hemoglobinItem(ctx, valuesIn(ctx, 'hemoglobin', lab0)),
    absoluteItem(ctx, 'cytopenias.platelets', 'Platelets', valuesIn(ctx, 'platelets', lab0), k.cytopenias.platelets, 'down'),
    absoluteItem(ctx, 'cytopenias.anc', 'Neutrophils (absolute)', valuesIn(ctx, 'anc', lab0), k.cytopenias.anc, 'down'),
  ];
  const lin = lineageState(lineages, k.cytopenias.lineagesRequired.value);
  const cytopenias: CriterionItem = {
    ...parentFrom('cytopenias', `Cytopenias (≥ ${k.cytopenias.lineagesRequired.value} of ${lineages.length} lineages)`, lineages, lin.state),
    reason: lin.reason,
    params: { required: k.cytopenias.lineagesRequired.value, total: lineages.length },
  };
  // The parent's single value is meaningless for a count: keep only the lineages as evidence.
  for (const key of ['value', 'unit', 'comparator', 'time', 'status', 'original', 'referenceRange', 'threshold', 'multiple', 'flags'] as const) delete cytopenias[key];

  const tgJudged = valuesIn(ctx, 'triglycerides', lab0).map((v) =>
    triglycerideFastingJudge(ctx, v, judgeAbsolute(v, k.triglycerides, citeOf(ctx, k.triglycerides))),
  );
  const tgDecision = decide(tgJudged, 'up');
  const tg = item('triglycerides-fibrinogen.triglycerides', 'Fasting triglycerides', tgDecision.state, tgDecision.chosen, ctx);
  if (!tgDecision.chosen) tg.threshold = noValueThreshold(ctx, k.triglycerides);
  const fib = absoluteItem(ctx, 'triglycerides-fibrinogen.fibrinogen', 'Fibrinogen', valuesIn(ctx, 'fibrinogen', lab0), k.fibrinogen, 'down');
  const tgFib = parentFrom('triglycerides-fibrinogen', 'Hypertriglyceridemia and/or hypofibrinogenemia', [tg, fib]);

  const hemophagocytosis = findingItem(ctx, 'hemophagocytosis', 'hemophagocytosis', 'Hemophagocytosis', counted);
  const nk = findingItem(ctx, 'nk-activity-low', 'nk-activity', 'Low/absent NK-cell activity', counted);

  const ferritin = absoluteItem(ctx, 'ferritin', 'Ferritin', valuesIn(ctx, 'ferritin', lab0), k.ferritin, 'up');

  let scd25 = absoluteItem(ctx, 'scd25', 'Soluble CD25 (sIL-2R)', valuesIn(ctx, 'scd25', lab0), k.scd25, 'up');
  if (scd25.reason === 'no-data') {
    const ne = ctx.timeline.notEvaluable.filter((n) => {
      if (n.analyte !== 'scd25') return false;
      const t = ctx.ms(n.time);
      return t === undefined || (t >= lab0 && t <= ctx.asOfMs);
    });
    if (ne.length) scd25 = { ...scd25, reason: 'unit-not-evaluable', sources: ne.map((n) => n.source) };
  }

  const items = [fever, splenomegaly, cytopenias, tgFib, hemophagocytosis, nk, ferritin, scd25];
  const met = items.filter((i) => i.state === 'met').length;
  const unknown = items.filter((i) => i.state === 'unknown').length;
  const notMet = items.length - met - unknown;
  const required = k.required.value;
  const status = met >= required ? 'reached' : met + unknown >= required ? 'reachable' : 'impossible';
  const dx = findingsOf(ctx, 'hlh-diagnosis');
  // A resolved/inactive (or long past) HLH diagnosis is history, not a current diagnosis; refuted is a documented negative.
  // A provisional / differential / unconfirmed one is being considered, not documented (shown as such).
  const current = dx.filter((f) => f.present && isCurrentFinding(ctx, f));
  const documentedDiagnosis = current.filter((f) => !isUnconfirmedFinding(f)).map((f) => f.source);
  const unconfirmedDiagnosis = current.filter((f) => isUnconfirmedFinding(f)).map((f) => f.source);
  const earlierDiagnosis = dx
    .filter((f) => f.present && !isCurrentFinding(ctx, f))
    .map((f) => ({ source: f.source, ...(f.time !== undefined ? { time: f.time } : {}), ...(f.clinicalStatus !== undefined ? { clinicalStatus: f.clinicalStatus } : {}) }));
  const refutedDiagnosis = dx.filter((f) => !f.present).map((f) => f.source);
  return {
    items, met, notMet, unknown, total: items.length, required, status, documentedDiagnosis, earlierDiagnosis, refutedDiagnosis,
    ...(unconfirmedDiagnosis.length ? { unconfirmedDiagnosis } : {}),
  };
}
