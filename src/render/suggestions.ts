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
  const partial = d.item.covers.length > 1 && d.analytes.length < d.item.covers.length ? ` for ${d.analytes.join(', ')}` : '';
  if (d.reason === 'repeat') return `repeat${partial}: ${(d.unusable ?? []).map((u) => unusableText(u, content, false)).join('; ')}`;
  return d.reason === 'missing' ? `no result${partial}` : `last result${partial} ${formatAge(d.ageHours ?? 0)} old`;
}

/** The suggestions in display order; `ids` gives each its uuid, in that order. */
export function cardSuggestions(plan: WorkupPlan, order: OrderContext, lamotrigine: boolean, content: CardContent, ids: () => string): Suggestion[] {
  const suggestions: Suggestion[] = [];
  if (plan.bundle.length) {
    const n = plan.bundle.length;
    suggestions.push({
      label: n === 1 ? content.workup.recommendedLabelOne : fill(content.workup.recommendedLabel, { n }),
      uuid: ids(),
      isRecommended: true,
      actions: plan.bundle.map((b) => ({
        type: 'create' as const,
        description: `Order ${b.item.label} (${dueText(b, content)})`,
        resource: serviceRequestFor(b.item, order, content) as unknown as Record<string, unknown>,
      })),
    });
  }
  for (const item of plan.optional) {
    suggestions.push({
      label: `Order ${item.label} (if not already done)`,
      uuid: ids(),
      actions: [{ type: 'create', description: `Order ${item.label}`, resource: serviceRequestFor(item, order, content) as unknown as Record<string, unknown> }],
    });
  }
  if (lamotrigine) suggestions.push({ label: content.wording.lamotrigine.suggestionLabel, uuid: ids() });
  return suggestions;
}
