/**
 * Fitting the brief card detail into its character budget: each part has renderings from fullest to shortest
 * (an empty string leaves it out); parts are shortened one step at a time in a fixed order until the text fits.
 * Parts are only ever swapped for a shorter prepared rendering, so nothing is cut mid-word.
 */

export interface BriefPart {
  id: string;
  /** Fullest first; a required part's last rendering is never empty. */
  levels: readonly string[];
}

const SEPARATOR = '\n\n';

function joinParts(parts: readonly BriefPart[], level: ReadonlyMap<string, number>): string {
  return parts
    .map((p) => p.levels[level.get(p.id) ?? 0] ?? '')
    .filter((s) => s !== '')
    .join(SEPARATOR);
}

/**
 * The parts joined by blank lines, shortened in `dropOrder` (part ids, first shortened first; each part is taken
 * down step by step before the next is touched) until the text is at most `budget` characters. Parts not named in
 * `dropOrder` are never shortened. When even the shortest renderings exceed the budget (a site's own wording can be
 * long), the text is cut at the last space before the budget with an ellipsis.
 */
export function fitBudget(parts: readonly BriefPart[], dropOrder: readonly string[], budget: number): string {
  const level = new Map<string, number>();
  let text = joinParts(parts, level);
  for (const id of dropOrder) {
    const part = parts.find((p) => p.id === id);
    if (!part) continue;
    let l = 0;
    while (text.length > budget && l < part.levels.length - 1) {
      level.set(id, ++l);
      text = joinParts(parts, level);
    }
    if (text.length <= budget) return text;
  }
  return text.length <= budget ? text : cutAtWord(text, budget);
}

/** At most `max` characters, cut at a space (never inside a word), ending in an ellipsis. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, Math.max(0, max - 1));
  const space = room.search(/\s\S*$/);
  return `${(space > 0 ? room.slice(0, space) : room).trimEnd()}…`;
}
