/**
 * Whether an assessment gives a card, and at which indicator: the rules in cards/indicator-rules.json ([design]).
 * - no trigger exposure in window → no card;
 * - IEC exposure: ASTCT suggestive → warning; suggestive and a strong HLH signal (HLH-2004 criteria met or HScore at
 *   the rule's numbers) → critical; watch → info; optionally a strong signal without ASTCT features → warning;
 * - drug exposure: a strong HLH signal → critical; ferritin at the rule's level with enough further HLH-2004
 *   criteria met → warning; otherwise no card;
 * - isolated hyperferritinemia is capped (info by default): ferritin alone never makes a "likely HLH" card.
 */
import type { Assessment, CriterionItem, EpisodeAssessment, TriggerExposure } from '../criteria/types';
import type { CardContent } from './content';
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
