/**
 * The card's suggestions: one recommended bundle ordering the missing or stale work-up (one ServiceRequest per
 * item), each optional item on its own, and the lamotrigine advice.
 */
import type { Card } from '../hooks/response';
import type { CardContent } from './content';
import { fill, formatAge } from './format';
import { serviceRequestFor, type DueItem, type OrderContext, type WorkupPlan } from './workup';
import { unusableText } from './detail-tables';

type Suggestion = NonNullable<Card['suggestions']>[number];

/** "no result", "no result for wbc", "last result 2 d old", "repeat: no usable result: specimen clotted". */
function dueText(d: DueItem, content: CardContent): string {
  const w = content.wording.suggestions;
  const partial = d.item.covers.length > 1 && d.analytes.length < d.item.covers.length;
  const forAnalytes = partial ? ` ${fill(w.forAnalytes, { analytes: d.analytes.join(', ') })}` : '';
  if (d.reason === 'repeat') return fill(w.due.repeat, { forAnalytes, results: (d.unusable ?? []).map((u) => unusableText(u, content, false)).join('; ') });
  return d.reason === 'missing' ? fill(w.due.missing, { forAnalytes }) : fill(w.due.stale, { forAnalytes, age: formatAge(d.ageHours ?? 0) });
}

/** The suggestions in display order; `ids` gives each its uuid, in that order. */
export function cardSuggestions(plan: WorkupPlan, order: OrderContext, lamotrigine: boolean, content: CardContent, ids: () => string): Suggestion[] {
  const suggestions: Suggestion[] = [];
  const w = content.wording.suggestions;
  if (plan.bundle.length) {
    const n = plan.bundle.length;
    suggestions.push({
      label: n === 1 ? content.workup.recommendedLabelOne : fill(content.workup.recommendedLabel, { n }),
      uuid: ids(),
      isRecommended: true,
      actions: plan.bundle.map((b) => ({
        type: 'create' as const,
        description: fill(w.order, { label: b.item.label, due: dueText(b, content) }),
        resource: serviceRequestFor(b.item, order, content) as unknown as Record<string, unknown>,
      })),
    });
  }
  for (const item of plan.optional) {
    suggestions.push({
      label: fill(w.orderOptional, { label: item.label }),
      uuid: ids(),
      actions: [{ type: 'create', description: fill(w.orderAction, { label: item.label }), resource: serviceRequestFor(item, order, content) as unknown as Record<string, unknown> }],
    });
  }
  if (lamotrigine) suggestions.push({ label: content.wording.lamotrigine.suggestionLabel, uuid: ids() });
  return suggestions;
}
