/** Plain-text rendering of cards for terminals and logs (the evaluate command). */
import type { Card } from '../hooks/response';

/** Markdown → readable text: drops escapes, entities and emphasis; keeps tables and lists. */
export function markdownToText(md: string): string {
  return md
    .replace(/\\([\\`*_{}[\]()#+\-.!|~^$"':;=?@/,%])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1$2')
    .replace(/^#### /gm, '== ')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1 <$2>');
}

function renderCardText(card: Card): string {
  const lines: string[] = [];
  lines.push(`[${card.indicator.toUpperCase()}] ${card.summary}`);
  lines.push(`source: ${card.source.label}${card.source.url ? ` <${card.source.url}>` : ''}`);
  if (card.detail) lines.push('', markdownToText(card.detail));
  if (card.suggestions?.length) {
    lines.push('', `Suggestions (select ${card.selectionBehavior ?? 'any'}):`);
    for (const s of card.suggestions) {
      lines.push(`  * ${s.label}${s.isRecommended ? '  [recommended]' : ''}`);
      for (const a of s.actions ?? []) lines.push(`      - ${a.type}: ${a.description ?? ''}`);
      if (!s.actions?.length) lines.push('      (no automatic action: accepting records the review only)');
    }
  }
  if (card.overrideReasons?.length) lines.push('', `Override reasons: ${card.overrideReasons.map((r) => r.display ?? r.code).join(' · ')}`);
  if (card.links?.length) {
    lines.push('', 'Links:');
    for (const l of card.links) lines.push(`  - ${l.label}: ${l.url}`);
  }
  return lines.join('\n');
}

export function renderCardsText(cards: readonly Card[]): string {
  if (cards.length === 0) return '(no card: nothing to show for this patient)';
  return cards.map(renderCardText).join('\n\n' + '-'.repeat(100) + '\n\n');
}
