/**
 * OHI index (Zoref-Lorenz 2022, Blood 139:1098): positive when sCD25 and ferritin are both above the
 * thresholds of `criteria.ohi` (docs/knowledge.md). Three-valued AND: a not-met component makes the index not-met even when the
 * other is unknown; both met → met; otherwise unknown.
 */
import { and3 } from './interval';
import type { OhiResult } from './types';
import { labLookbackStart, type Ctx } from './context';
import { valuesIn } from './lab-window';
import { stateOf, triOf } from './judge';
import { absoluteItem } from './items';

export function assessOhi(ctx: Ctx): OhiResult {
  const lab0 = labLookbackStart(ctx);
  let scd25 = absoluteItem(ctx, 'scd25', 'Soluble CD25 (sIL-2R)', valuesIn(ctx, 'scd25', lab0), ctx.k.ohi.scd25, 'up');
  if (scd25.reason === 'no-data') {
    const ne = ctx.timeline.notEvaluable.filter((n) => {
      const t = ctx.ms(n.time);
      return n.analyte === 'scd25' && (t === undefined || (t >= lab0 && t <= ctx.asOfMs));
    });
    if (ne.length) scd25 = { ...scd25, reason: 'unit-not-evaluable', sources: ne.map((n) => n.source) };
  }
  const ferritin = absoluteItem(ctx, 'ferritin', 'Ferritin', valuesIn(ctx, 'ferritin', lab0), ctx.k.ohi.ferritin, 'up');
  return {
    state: stateOf(and3(triOf(scd25.state), triOf(ferritin.state))),
    items: [scd25, ferritin],
  };
}
