/**
 * Reading criterion items for display: every item with its arms, the analyte an item is about (from its id), and
 * a threshold restated in the item's value unit (so a displayed value is never rounded across its threshold).
 */
import type { CriterionItem, Framework } from '../criteria/types';
import type { CardContent } from './content';
import { fill } from './format';

/** An item's label: the content's template for its framework and id, filled with the item's knowledge values. */
export function itemLabel(labels: CardContent['wording']['items'], framework: Framework, i: CriterionItem): string {
  const template = (labels[framework] as Record<string, string>)[i.id];
  return template === undefined ? i.id : fill(template, i.params ?? {});
}

export function walk(items: readonly CriterionItem[] | undefined): CriterionItem[] {
  const out: CriterionItem[] = [];
  for (const i of items ?? []) out.push(i, ...walk(i.components));
  return out;
}

const ANALYTE_ALIASES: Record<string, string> = {
  fever: 'temperature',
  renal: 'creatinine',
  neutrophils: 'anc',
  platelet: 'platelets',
  hb: 'hemoglobin',
  'triglycerides-fibrinogen': '',
};

/**
 * analyteOfItem results per `known` list (the content's summaryValuePriority) and item id: ids are the engine's
 * fixed set, read for every item of every card, so each is split and looked up once (bounded).
 */
const analyteCache = new WeakMap<readonly string[], Map<string, string | undefined>>();

/** Analyte key of a criterion item from its id (`cytopenias.platelets` → platelets, `fever` → temperature). */
export function analyteOfItem(id: string, known: readonly string[]): string | undefined {
  let byId = analyteCache.get(known);
  if (!byId) analyteCache.set(known, (byId = new Map()));
  if (byId.has(id)) return byId.get(id);
  const key = analyteOfItemUncached(id, known);
  if (byId.size >= 1_000) byId.clear();
  byId.set(id, key);
  return key;
}

function analyteOfItemUncached(id: string, known: readonly string[]): string | undefined {
  const segments = id.split('.').reverse();
  for (const seg of segments) {
    const alias = ANALYTE_ALIASES[seg];
    if (alias !== undefined) return alias || undefined;
    if (known.includes(seg)) return seg;
  }
  return undefined;
}

/** The item's threshold expressed in the item's value unit (to keep a displayed value off the threshold). */
export function thresholdInValueUnit(i: CriterionItem): number | undefined {
  const t = i.threshold;
  if (!t || i.value === undefined) return undefined;
  if (t.unit === i.unit) return t.value;
  // threshold in the lab's own unit system: rescale by the value's original / canonical ratio
  const o = typeof i.original?.value === 'number' ? i.original.value : Number(i.original?.value);
  if (i.original?.unit === t.unit && Number.isFinite(o) && o !== 0) return (t.value * i.value) / o;
  return undefined;
}
