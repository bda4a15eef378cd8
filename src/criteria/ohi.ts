/**
 * OHI index (Zoref-Lorenz 2022, Blood 139:1098) [confirmed], CC §5: positive when sCD25 > 3,900 U/mL
 * and ferritin > 1,000 ng/mL. Three-valued AND: a not-met component makes the index not-met even when the
 * other is unknown; both met → met; otherwise unknown.
 */
import { and3 } from './interval';
import type { OhiResult } from './types';
import { labLookbackStart, type Ctx } from './context';
import { valuesIn } from './lab-window';
import { stateOf, triOf } from './judge';
import { absoluteItem } from './items';

const CITE = 'OHI index (Zoref-Lorenz 2022), CC §5';

export function assessOhi(ctx: Ctx): OhiResult {
  const lab0 = labLookbackStart(ctx);
  let scd25 = absoluteItem(ctx, 'scd25', 'Soluble CD25 (sIL-2R)', valuesIn(ctx, 'scd25', lab0), ctx.k.ohi.scd25, 'up', CITE, 'confirmed');
  if (scd25.reason === 'no-data') {
    const ne = ctx.timeline.notEvaluable.filter((n) => {
      const t = ctx.ms(n.time);
      return n.analyte === 'scd25' && (t === undefined || (t >= lab0 && t <= ctx.asOfMs));
    });
    if (ne.length) scd25 = { ...scd25, reason: 'unit-not-evaluable', sources: ne.map((n) => n.source) };
  }
  const ferritin = absoluteItem(ctx, 'ferritin', 'Ferritin', valuesIn(ctx, 'ferritin', lab0), ctx.k.ohi.ferritin, 'up', CITE, 'confirmed');
  return {
    state: stateOf(and3(triOf(scd25.state), triOf(ferritin.state))),
    items: [scd25, ferritin],
    caveat: 'Derived in adults with hematologic malignancy; not validated after CAR T (CC §5).',
  };
}
