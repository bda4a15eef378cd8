/**
 * HLH-2004 diagnostic criteria (Henter 2007, Pediatr Blood Cancer 48:124) [confirmed], CC §3:
 * 5 of 8, with the exact operators of the knowledge base (≥ 38.5 °C, Hb < 90 g/L, platelets < 100 × 10⁹/L,
 * ANC < 1.0 × 10⁹/L, fasting TG ≥ 265 mg/dL, fibrinogen ≤ 150 mg/dL, ferritin ≥ 500, sCD25 ≥ 2,400 U/mL).
 *
 * Judgement calls (documented in the report):
 * - Cytopenias need ≥ 2 of 3 lineages: met when ≥ 2 lineages are met; not-met only when the met lineages
 *   plus the unknown ones cannot reach 2; otherwise unknown (1 met + 1 unknown → unknown).
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
import { countedFinding, labLookbackStart, temperatureLookbackStart, type Ctx } from './context';
import { valuesIn } from './lab-window';
import { decide, judgeAbsolute, type Judged } from './judge';
import { absoluteItem, item, parentFrom } from './items';

const CITE = 'HLH-2004 (Henter 2007), CC §3';

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
  return t - birth < ctx.k.hlh2004.cytopenias.neonatalMaxAgeDays * DAY_MS;
}

function hemoglobinItem(ctx: Ctx, values: LabValue[]): CriterionItem {
  const c = ctx.k.hlh2004.cytopenias;
  const judged: Judged[] = values.map((v) => {
    const neonatal = isNeonatalAt(ctx, v);
    const j = judgeAbsolute(v, neonatal ? c.hemoglobinNeonatal : c.hemoglobin, `${CITE} #3`, 'confirmed');
    if (neonatal) j.flags = ['age-adjusted'];
    return j;
  });
  const { state, chosen } = decide(judged, 'down');
  const it = item('cytopenias.hemoglobin', 'Hemoglobin', state, chosen, ctx);
  if (!chosen) it.threshold = { operator: '<', value: c.hemoglobin.lt ?? 0, unit: c.hemoglobin.unit, basis: 'absolute', citation: `${CITE} #3`, status: 'confirmed' };
  return it;
}

export function isFasting(ctx: Ctx, v: LabValue): boolean {
  const key = `${v.code.system}|${v.code.code}`;
  return ctx.k.hlh2004.triglyceridesFastingCodes.includes(key);
}

function triglycerideFastingJudge(ctx: Ctx, v: LabValue, j: Judged): Judged {
  if (j.result === true && !isFasting(ctx, v) && ctx.k.hlh2004.triglyceridesUnknownFasting === 'unknown-if-above') {
    return { ...j, result: undefined, reason: 'fasting-unknown', flags: ['fasting-unknown'] };
  }
  if (!isFasting(ctx, v)) return { ...j, flags: ['fasting-unknown'] };
  return j;
}

export function assessHlh2004(ctx: Ctx): Hlh2004Result {
  const k = ctx.k.hlh2004;
  const lab0 = labLookbackStart(ctx);
  const temp0 = temperatureLookbackStart(ctx);

  const fever = absoluteItem(ctx, 'fever', 'Fever', valuesIn(ctx, 'temperature', temp0), k.fever, 'up', `${CITE} #1`, 'confirmed');

  const counted = countedFinding(ctx);
  const splenomegaly = findingItem(ctx, 'splenomegaly', 'splenomegaly', 'Splenomegaly', counted);

  const lineages = [
    hemoglobinItem(ctx, valuesIn(ctx, 'hemoglobin', lab0)),
    absoluteItem(ctx, 'cytopenias.platelets', 'Platelets', valuesIn(ctx, 'platelets', lab0), k.cytopenias.platelets, 'down', `${CITE} #3`, 'confirmed'),
    absoluteItem(ctx, 'cytopenias.anc', 'Neutrophils (absolute)', valuesIn(ctx, 'anc', lab0), k.cytopenias.anc, 'down', `${CITE} #3`, 'confirmed'),
  ];
  const lin = lineageState(lineages, k.cytopenias.lineagesRequired);
  const cytopenias: CriterionItem = {
    ...parentFrom('cytopenias', `Cytopenias (≥ ${k.cytopenias.lineagesRequired} of 3 lineages)`, lineages, lin.state),
    reason: lin.reason,
  };
  // The parent's single value is meaningless for a count: keep only the lineages as evidence.
  for (const key of ['value', 'unit', 'comparator', 'time', 'status', 'original', 'referenceRange', 'threshold', 'multiple', 'flags'] as const) delete cytopenias[key];

  const tgJudged = valuesIn(ctx, 'triglycerides', lab0).map((v) =>
    triglycerideFastingJudge(ctx, v, judgeAbsolute(v, k.triglycerides, `${CITE} #4`, 'confirmed')),
  );
  const tgDecision = decide(tgJudged, 'up');
  const tg = item('triglycerides-fibrinogen.triglycerides', 'Fasting triglycerides', tgDecision.state, tgDecision.chosen, ctx);
  if (!tgDecision.chosen) tg.threshold = { operator: '>=', value: k.triglycerides.gte ?? 0, unit: k.triglycerides.unit, basis: 'absolute', citation: `${CITE} #4`, status: 'confirmed' };
  const fib = absoluteItem(ctx, 'triglycerides-fibrinogen.fibrinogen', 'Fibrinogen', valuesIn(ctx, 'fibrinogen', lab0), k.fibrinogen, 'down', `${CITE} #4`, 'confirmed');
  const tgFib = parentFrom('triglycerides-fibrinogen', 'Hypertriglyceridemia and/or hypofibrinogenemia', [tg, fib]);

  const hemophagocytosis = findingItem(ctx, 'hemophagocytosis', 'hemophagocytosis', 'Hemophagocytosis', counted);
  const nk = findingItem(ctx, 'nk-activity-low', 'nk-activity', 'Low/absent NK-cell activity', counted);

  const ferritin = absoluteItem(ctx, 'ferritin', 'Ferritin', valuesIn(ctx, 'ferritin', lab0), k.ferritin, 'up', `${CITE} #7`, 'confirmed');

  let scd25 = absoluteItem(ctx, 'scd25', 'Soluble CD25 (sIL-2R)', valuesIn(ctx, 'scd25', lab0), k.scd25, 'up', `${CITE} #8`, 'confirmed');
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
  const status = met >= k.required ? 'reached' : met + unknown >= k.required ? 'reachable' : 'impossible';
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
    items, met, notMet, unknown, total: 8, required: k.required, status, documentedDiagnosis, earlierDiagnosis, refutedDiagnosis,
    ...(unconfirmedDiagnosis.length ? { unconfirmedDiagnosis } : {}),
  };
}
