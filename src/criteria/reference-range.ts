/**
 * The reference range a value is judged against: the timeline's (the lab's, or the knowledge base's fallback for
 * the patient's age band), else for ferritin the configurable default ULN (`criteria.ferritinDefaultUln`,
 * [design]). ULN- and LLN-relative criteria read it through `uln` and `lln`.
 */
import type { LabValue } from '../timeline/types';
import type { RangeUsed } from './types';
import type { Ctx } from './context';

/** Reference range used for a value: the timeline's (lab or fallback), or the ferritin default ULN. */
export function rangeOf(v: LabValue, ctx?: Ctx): RangeUsed | undefined {
  const lr = v.referenceRange;
  if (lr && (lr.high !== undefined || lr.low !== undefined)) {
    const r: RangeUsed = { unit: lr.unit, source: lr.source };
    if (lr.low !== undefined) r.low = lr.low;
    if (lr.high !== undefined) r.high = lr.high;
    if (lr.population !== undefined) r.population = lr.population;
    if (lr.text !== undefined) r.text = lr.text;
    if (v.unreadRangeText !== undefined) r.unreadText = v.unreadRangeText;
    return r;
  }
  if (ctx && v.analyte === 'ferritin') {
    // ferritin with no referenceRange → criteria.ferritinDefaultUln [design] (docs/knowledge.md)
    const r: RangeUsed = { high: ctx.k.ferritinDefaultUln.value, unit: ctx.k.ferritinDefaultUln.unit, source: 'default' };
    if (v.unreadRangeText !== undefined) r.unreadText = v.unreadRangeText;
    return r;
  }
  return undefined;
}

export function uln(v: LabValue, ctx?: Ctx): { value: number; range: RangeUsed } | undefined {
  const r = rangeOf(v, ctx);
  return r?.high !== undefined ? { value: r.high, range: r } : undefined;
}

export function lln(v: LabValue, ctx?: Ctx): { value: number; range: RangeUsed } | undefined {
  const r = rangeOf(v, ctx);
  return r?.low !== undefined ? { value: r.low, range: r } : undefined;
}
