/**
 * Provenance of knowledge values: every threshold, window, code and rule parameter carries its evidence status
 * and a citation a reader can open (`source.id` names an entry of the knowledge base's bibliography, `locator`
 * the table, criterion or page). A "knowledge value" is any object of the knowledge base with both `status` and
 * `source`; docs/knowledge.md lists them all.
 */
import { z } from 'zod';
import { KNOWLEDGE_STATUSES, type KnowledgeStatus } from '../vocabulary';

const sourceRefSchema = z.strictObject({
  /** Key of `knowledge.sources`. */
  id: z.string().min(1),
  /** Where in the source: "Table 1", "criterion 7", "Table 2 (probability)". */
  locator: z.string().min(1).optional(),
});
export type SourceRef = z.infer<typeof sourceRefSchema>;

/** The source of a value a site set without citing one (./load.ts): `design`, cited as the site's own file. */
export const SITE_SOURCE_ID = 'site';

/**
 * The fields every knowledge value carries. A site's entry without them (a code it adds) is the site's own
 * decision: `design`, source `site`.
 */
export const provenance = {
  status: z.enum(KNOWLEDGE_STATUSES).default('design'),
  source: sourceRefSchema.default({ id: SITE_SOURCE_ID }),
  /** Why: the reasoning behind a [design] value, or what a reproduced value still needs (docs/knowledge.md). */
  note: z.string().min(1).optional(),
};
export interface Provenance {
  status: KnowledgeStatus;
  source: SourceRef;
  note?: string;
}

/** A single value (number, flag, choice, list) with its unit where it has one. */
export function scalarSchema<T extends z.ZodType>(value: T) {
  return z.strictObject({ value, unit: z.string().min(1).optional(), ...provenance });
}

/** One bibliography entry: the full citation and a link (DOI preferred). */
const bibliographyEntrySchema = z.strictObject({
  /** Short form used in citations on cards and in the evidence view, e.g. "Henter 2007 (HLH-2004)". */
  short: z.string().min(1),
  citation: z.string().min(1),
  doi: z.string().regex(/^10\.\S+\/\S+$/, 'a DOI such as 10.1002/pbc.21039').optional(),
  url: z.url().optional(),
});
export const bibliographySchema = z.record(z.string().min(1), bibliographyEntrySchema);
export type Bibliography = z.infer<typeof bibliographySchema>;

/** `{ status, source }` for a default value: `cite('henter-2007', 'criterion 7')`. */
export function cite(id: string, locator?: string, status: KnowledgeStatus = 'confirmed'): Provenance {
  return { status, source: locator === undefined ? { id } : { id, locator } };
}
/** A product decision (docs/knowledge.md, "Design decisions"): what was decided, and why. */
export function design(locator: string, note?: string): Provenance {
  return note === undefined ? cite('design', locator, 'design') : { ...cite('design', locator, 'design'), note };
}
export function reproduced(id: string, locator?: string): Provenance {
  return cite(id, locator, 'reproduced');
}
