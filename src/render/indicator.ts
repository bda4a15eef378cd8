/**
 * Whether an assessment gives a card, and at which indicator: the knowledge base's `indicator` rules ([design],
 * docs/knowledge.md), recorded in the assessment with the knowledge in force.
 * - no trigger exposure in window → no card;
 * - IEC exposure: ASTCT suggestive → warning; suggestive and a strong HLH signal (HLH-2004 threshold reached or
 *   HScore at the cut-off) → critical; a strong signal without ASTCT features → warning; watch → info;
 * - drug exposure: a strong HLH signal → critical; the HLH-2004 ferritin criterion met with enough further HLH-2004
 *   criteria met → warning; otherwise no card;
 * - isolated hyperferritinemia is capped (info by default): ferritin alone never makes a "likely HLH" card.
 */
import type { Assessment, CriterionItem, EpisodeAssessment, TriggerExposure } from '../criteria/types';
import type { IndicatorCondition, IndicatorRule } from '../knowledge/indicator';
import { IEC_CLASSES } from '../vocabulary';

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

export const RANK: Record<Indicator, number> = { info: 0, warning: 1, critical: 2 };

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

/** Whether a named condition holds for the assessment; every number comes from the knowledge in force. */
function holds(a: Assessment, c: IndicatorCondition): boolean {
  switch (c) {
    case 'astct-suggestive':
      return a.iecHs?.status === 'suggestive';
    case 'astct-watch':
      return a.iecHs?.status === 'watch';
    case 'hlh2004-reached':
      return a.hlh2004.met >= a.hlh2004.required;
    case 'hscore-at-cutoff':
      return a.hscore.score >= a.hscore.cutoff;
    case 'hlh2004-ferritin-met':
      return hlhItem(a, 'ferritin')?.state === 'met';
    case 'hlh2004-further-met':
      return a.hlh2004.items.filter((i) => i.id !== 'ferritin' && i.state === 'met').length >= a.knowledge.indicator.drugWarningFurtherCriteria.value;
  }
}

/** Whether a rule holds, and which strong signal (HLH-2004 first, then HScore) among its conditions held. */
function ruleHolds(a: Assessment, r: IndicatorRule): { ok: boolean; signal?: IndicatorDecision['signal'] } {
  if (!(r.all ?? []).every((c) => holds(a, c))) return { ok: false };
  const held = (r.any ?? []).filter((c) => holds(a, c));
  if (r.any && !held.length) return { ok: false };
  const conditions = [...(r.all ?? []), ...held];
  const signal = conditions.includes('hlh2004-reached') ? 'hlh2004' : conditions.includes('hscore-at-cutoff') ? 'hscore' : undefined;
  return signal ? { ok: true, signal } : { ok: true };
}

/** The indicator the rules give this assessment, or undefined for "no card". */
export function decideIndicator(a: Assessment): IndicatorDecision | undefined {
  const rules = a.knowledge.indicator;
  const exposure = a.exposure.primary;
  if (a.exposure.status !== 'in-window' || !exposure || !exposure.inWindow) return undefined;
  const kind: IndicatorDecision['kind'] = IEC_CLASSES.includes(exposure.class) ? 'iec' : 'drug';
  const ordered: [string, Indicator, IndicatorRule][] =
    kind === 'iec'
      ? [
          ['iec.critical', 'critical', rules.iec.critical],
          ['iec.warning', 'warning', rules.iec.warning],
          ['iec.hlhWithoutAstct', rules.iec.hlhWithoutAstct.indicator, rules.iec.hlhWithoutAstct],
          ['iec.info', 'info', rules.iec.info],
        ]
      : [
          ['drug.critical', 'critical', rules.drug.critical],
          ['drug.warning', 'warning', rules.drug.warning],
        ];
  let d: IndicatorDecision | undefined;
  for (const [rule, indicator, r] of ordered) {
    const h = ruleHolds(a, r);
    if (!h.ok) continue;
    d = { indicator, rule, kind, exposure, ...(h.signal ? { signal: h.signal } : {}) };
    break;
  }
  const cap = rules.isolatedHyperferritinemiaMax.value;
  if (d && isIsolatedHyperferritinemia(a) && RANK[d.indicator] > RANK[cap]) {
    d = { ...d, indicator: cap, rule: `${d.rule}+capped` };
  }
  return d;
}
