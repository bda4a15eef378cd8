/**
 * Reading knowledge values and their citations without zod (the criteria engine also runs in the evidence view's
 * page, which must not bundle zod). A "knowledge value" is any object of the knowledge base with both `status`
 * and `source` (./provenance.ts).
 */
import type { Bibliography, Provenance } from './provenance';

export function isKnowledgeValue(x: unknown): x is Provenance & Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  return typeof o.status === 'string' && typeof o.source === 'object' && o.source !== null;
}

/** Every knowledge value under `root` with its dotted path (array entries by index), in document order. */
export function knowledgeValues(root: unknown, prefix = ''): { path: string; value: Provenance & Record<string, unknown> }[] {
  if (isKnowledgeValue(root)) return [{ path: prefix, value: root }];
  if (typeof root !== 'object' || root === null) return [];
  const entries = Array.isArray(root) ? root.map((v, i) => [String(i), v] as const) : Object.entries(root);
  return entries.flatMap(([k, v]) => knowledgeValues(v, prefix ? `${prefix}.${k}` : k));
}

/** The text a card or the evidence view prints for a value's source: "Henter 2007 (HLH-2004), criterion 7". */
export function citationText(sources: Bibliography, p: Provenance): string {
  const short = sources[p.source.id]?.short ?? p.source.id;
  return p.source.locator ? `${short}, ${p.source.locator}` : short;
}
